// The seed of the i-th initialised parameter of a model seeded with `seed`. tfjs's random ops treat a
// seed of 0 as none (they draw from Math.random), so seed 0's first parameter would differ per run;
// that one case gets a fixed seed of its own, outside the range the others use.
export function paramSeed(seed: number, i: number): number {
  return seed * 1000 + i || 0x7fffffff;
}

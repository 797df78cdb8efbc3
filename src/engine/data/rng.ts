// A small seeded PRNG for everything the engine shuffles or samples: data order, the eval split and
// (for the trainer) any other seeded choice. mulberry32 (Tommy Ettinger's 32-bit generator, public
// domain) for the stream, seeded through splitmix32-style mixing so that nearby seeds (seed, seed+1,
// seed+epoch) give unrelated streams. Its whole state is one uint32, so it checkpoints as a number.

/** Mixes a 32-bit value (the finaliser of splitmix32 / murmur3's fmix32). */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** Derives one 32-bit seed from several integers (e.g. the run seed and an epoch number). */
export function deriveSeed(...parts: readonly number[]): number {
  let h = 0x6a09e667;
  for (const p of parts) {
    if (!Number.isInteger(p)) throw new Error(`deriveSeed: expected integers, got ${p}`);
    // Fold in the low and high 32 bits so that seeds above 2^32 still differ.
    h = mix32(h ^ (p >>> 0));
    h = mix32(h ^ (Math.floor(p / 0x100000000) >>> 0));
  }
  return h;
}

export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = deriveSeed(seed);
  }

  /** Restores a generator from `state()`. */
  static fromState(state: number): Rng {
    const r = new Rng(0);
    r.s = state >>> 0;
    return r;
  }

  /** The whole internal state; `Rng.fromState(r.state())` continues the same stream. */
  state(): number {
    return this.s;
  }

  /** Next uint32 (mulberry32). */
  nextUint32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 0x100000000;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new Error(`Rng.int: expected 1 <= n <= 2^32, got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const a = items[i] as T;
      items[i] = items[j] as T;
      items[j] = a;
    }
    return items;
  }
}

/** A seeded permutation of 0..n-1. */
export function permutation(n: number, seed: number): number[] {
  return new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
}

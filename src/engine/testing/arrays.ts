// Test support for kernel tests: seeded random arrays and an element-wise relative-tolerance check.
import assert from 'node:assert/strict';
import { Rng } from '../data/rng';

/** A function giving seeded uniform values in (−scale, scale). */
export function randomArrays(seed: number): (n: number, scale?: number) => Float32Array {
  const rng = new Rng(seed);
  return (n, scale = 1) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
}

/** Asserts |got − want| ≤ tol·max(1, |want|) element by element. */
export function closeAll(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number, w = want[i] as number;
    assert.ok(Math.abs(g - w) <= tol * Math.max(1, Math.abs(w)), `${what} at ${i}: ${g} vs ${w}`);
  }
}

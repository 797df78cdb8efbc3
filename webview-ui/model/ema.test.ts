// TensorBoard's debiased EMA against its closed form, computed independently here:
// s_n = Σ_{i=1..n} (1−w)·w^(n−i)·y_i / (1 − w^n), over the finite points only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ema, emaAppend, emaStart } from './ema';

function closedForm(ys: number[], w: number): number[] {
  const finite: number[] = [];
  return ys.map((y) => {
    if (!Number.isFinite(y)) return y;
    finite.push(y);
    const n = finite.length;
    let s = 0;
    finite.forEach((v, i) => { s += (1 - w) * Math.pow(w, n - 1 - i) * v; });
    return s / (1 - Math.pow(w, n));
  });
}

void test('matches the closed form of the debiased EMA', () => {
  const ys = [3, 2.5, 2.9, 1.7, 1.9, 1.2, 1.4, 0.8];
  for (const w of [0, 0.3, 0.6, 0.95]) {
    const got = ema(ys, w);
    closedForm(ys, w).forEach((v, i) => assert.ok(Math.abs((got[i] as number) - v) < 1e-12, `w=${w} i=${i}: ${got[i]} vs ${v}`));
  }
});

void test('the first point is unbiased (equals the value) and NaN passes through without entering the average', () => {
  const got = ema([5, NaN, 1], 0.6);
  assert.equal(got[0], 5);
  assert.ok(Number.isNaN(got[1]));
  // Closed form over the finite points 5, 1: (0.4·0.6·5 + 0.4·1) / (1 − 0.36)
  assert.ok(Math.abs((got[2] as number) - (0.4 * 0.6 * 5 + 0.4) / 0.64) < 1e-12);
});

void test('a constant series stays exactly constant', () => {
  const got = ema(new Array(500).fill(0.1), 0.99);
  assert.ok(got.every((v) => v === 0.1));
});

void test('appending in pieces equals smoothing the whole series', () => {
  const ys = Array.from({ length: 100 }, (_, i) => Math.sin(i / 7) + i / 50);
  const whole = ema(ys, 0.8);
  const s = emaStart(0.8);
  const out = new Float64Array(100);
  emaAppend(s, ys, out, 0, 37);
  emaAppend(s, ys, out, 37, 100);
  assert.deepEqual([...out], [...whole]);
});

void test('rejects a weight outside [0, 1)', () => {
  assert.throws(() => emaStart(1), /\[0, 1\)/);
  assert.throws(() => emaStart(-0.1), /\[0, 1\)/);
});

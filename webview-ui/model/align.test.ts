import { test } from 'node:test';
import assert from 'node:assert/strict';
import { align, lowerBound, upperBound } from './align';

void test('exact alignment: union of x, null where a series has no point, NaN y as null', () => {
  const r = align([
    { x: [1, 2, 3, 4], y: [10, 20, NaN, 40], raw: [11, 21, 31, 41] },
    { x: [2, 4], y: [200, 400] },
  ], null, 100);
  assert.equal(r.decimated, false);
  assert.deepEqual(r.x, [1, 2, 3, 4]);
  assert.deepEqual(r.ys, [[10, 20, null, 40], [null, 200, null, 400]]);
  assert.deepEqual(r.raws, [[11, 21, 31, 41], [null, null, null, null]]);
});

void test('a range keeps one point beyond each end so lines reach the edges', () => {
  const x = Array.from({ length: 10 }, (_, i) => i);
  const r = align([{ x, y: x.map((v) => v * v) }], [3.5, 6.5], 100);
  assert.deepEqual(r.x, [3, 4, 5, 6, 7]);
});

void test('decimation keeps each bucket\'s min and max, in order, and the global extremes', () => {
  const n = 100_000;
  const x = Array.from({ length: n }, (_, i) => i + 1);
  // A deterministic noisy series with a single spike down and up.
  const y = x.map((v) => Math.sin(v / 300) + ((v * 7919) % 101) / 1000);
  y[31_337] = -50;
  y[77_777] = 60;
  const r = align([{ x, y }], null, 1000);
  assert.equal(r.decimated, true);
  assert.equal(r.x.length, 1000);
  const ys = r.ys[0] as (number | null)[];
  assert.equal(Math.min(...(ys as number[])), -50);
  assert.equal(Math.max(...(ys as number[])), 60);
  // Every bucket's pair is that bucket's true min and max (computed here by brute force).
  const width = (n - 1) / 500;
  for (const b of [0, 17, 250, 499]) {
    const inBucket = y.filter((_, i) => Math.min(499, Math.floor(((x[i] as number) - 1) / width)) === b);
    const pair = [ys[2 * b], ys[2 * b + 1]].sort((p, q) => (p as number) - (q as number));
    assert.deepEqual(pair, [Math.min(...inBucket), Math.max(...inBucket)]);
  }
});

void test('a sparse series in a decimated chart keeps its points', () => {
  const x = Array.from({ length: 5000 }, (_, i) => i);
  const evalX = [1000, 2000, 3000];
  const r = align([{ x, y: x.map(() => 1) }, { x: evalX, y: [5, 6, 7] }], null, 200);
  assert.deepEqual((r.ys[1] as (number | null)[]).filter((v) => v !== null), [5, 5, 6, 6, 7, 7]);
});

void test('binary searches', () => {
  const x = [1, 2, 2, 2, 5];
  assert.equal(lowerBound(x, 2), 1);
  assert.equal(upperBound(x, 2), 4);
  assert.equal(lowerBound(x, 6), 5);
  assert.equal(upperBound(x, 0), 0);
});

void test('empty input gives empty output', () => {
  assert.deepEqual(align([{ x: [], y: [] }], null, 10), { x: [], ys: [[]], raws: [[]], decimated: false });
});

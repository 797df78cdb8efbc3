import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binCenter, histogram, mean, ridges, sharedEdges } from './histogram';

void test('shared edges cover every finite value of all arrays', () => {
  assert.deepEqual(sharedEdges([[-3, -1, null], [-2, 0.5, NaN]], 7), { lo: -3, hi: 0.5, bins: 7 });
  assert.equal(sharedEdges([[null], []], 4), null);
  assert.deepEqual(sharedEdges([[2, 2]], 4), { lo: 1.9, hi: 2.1, bins: 4 });
});

void test('counts per bin: the upper edge falls in the last bin, non-finite and out-of-range values are dropped', () => {
  const e = { lo: 0, hi: 4, bins: 4 };
  assert.deepEqual(histogram([0, 0.99, 1, 2.5, 3.999, 4, 4.01, -1, null, NaN], e), [2, 1, 1, 2]);
  assert.equal(binCenter(e, 2), 2.5);
});

void test('mean of finite values', () => {
  assert.equal(mean([1, 2, null, NaN, 3]), 2);
  assert.ok(Number.isNaN(mean([null])));
});

void test('ridges are normalised by the largest count of all steps', () => {
  const e = { lo: 0, hi: 2, bins: 2 };
  const r = ridges([{ step: 10, values: [0.5, 0.5, 1.5] }, { step: 20, values: [1.5, 1.5, 1.5, 1.5] }], e);
  assert.deepEqual(r, [{ step: 10, heights: [0.5, 0.25] }, { step: 20, heights: [0, 1] }]);
});

// niceTicks: round values inside the range, at most the asked number of intervals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceStep, niceTicks } from './ticks';

void test('ticks are multiples of 1, 2 or 5 × 10^k inside the range', () => {
  assert.deepEqual(niceTicks(-4.137, -1.02, 4), [-4, -3, -2]);
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(-0.013, 0.031, 5), [-0.01, 0, 0.01, 0.02, 0.03]);
  assert.deepEqual(niceTicks(0, 37, 4, true), [0, 10, 20, 30]);
  assert.deepEqual(niceTicks(0, 3, 4, true), [0, 1, 2, 3]);
  assert.deepEqual(niceTicks(2, 2, 4), [2]);
  assert.deepEqual(niceTicks(-2.4, -1.7, 3), [-2.4, -2.2, -2, -1.8], 'a narrow range still gets two or more ticks');
  assert.deepEqual(niceTicks(1, 0, 4), []);
  assert.equal(niceStep(0, 700, 5), 200);
  for (const [lo, hi, n] of [[-7.3, 12.9, 5], [0.0012, 0.0049, 3], [-300, -20, 6]] as const) {
    const t = niceTicks(lo, hi, n);
    assert.ok(t.length >= 2 && t.length <= n + 1, `${lo}..${hi}: ${t.join(', ')}`);
    assert.ok(t.every((v) => v >= lo && v <= hi));
    const step = (t[1] as number) - (t[0] as number);
    assert.match((step / 10 ** Math.floor(Math.log10(step))).toFixed(6), /^(1|2|5)\.0+$/);
  }
});

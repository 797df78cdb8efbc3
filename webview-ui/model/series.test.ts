import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricsRow } from '../../src/common/metrics';
import { ema } from './ema';
import { classifyRow, hasOddsRatioTerm, MetricSeries, OR_TERM } from './series';

void test('eval rows go to the eval split without their prefix; the odds-ratio term is loss − nll_loss', () => {
  const c = classifyRow({ step: 5, epoch: 0.1, time: 2, 'eval/loss': 2.5, 'eval/nll_loss': 2.25, 'eval/rewards/chosen': -0.2 });
  assert.equal(c.split, 'eval');
  assert.deepEqual(c.values, { loss: 2.5, nll_loss: 2.25, 'rewards/chosen': -0.2, [OR_TERM]: 0.25 });
  const t = classifyRow({ step: 5, epoch: 0.1, time: 2, loss: 1, learning_rate: 3e-4 });
  assert.equal(t.split, 'train');
  assert.deepEqual(t.values, { loss: 1, learning_rate: 3e-4 });
});

void test('columns stay aligned: a key first seen late is back-filled with NaN, a missing key is NaN, null is NaN', () => {
  const m = new MetricSeries();
  m.appendRows([
    { step: 1, epoch: 0, time: 1, loss: 3 },
    { step: 2, epoch: 0, time: 2, loss: 2.5, grad_norm: 4 },
    { step: 3, epoch: 0, time: 3, grad_norm: null as unknown as number },
  ]);
  assert.deepEqual([...(m.train.column('loss') as Float64Array)], [3, 2.5, NaN]);
  assert.deepEqual([...(m.train.column('grad_norm') as Float64Array)], [NaN, 4, NaN]);
  assert.deepEqual([...m.train.step.view], [1, 2, 3]);
  assert.equal(m.eval.length, 0);
});

void test('a step that is not after the last one drops the stale tail (a resumed run)', () => {
  const m = new MetricSeries();
  m.appendRows([1, 2, 3, 4, 5].map((s) => ({ step: s, epoch: 0, time: s, loss: 10 - s })));
  m.appendRows([{ step: 3, epoch: 0, time: 30, loss: 100 }, { step: 4, epoch: 0, time: 40, loss: 99 }]);
  assert.deepEqual([...m.train.step.view], [1, 2, 3, 4]);
  assert.deepEqual([...(m.train.column('loss') as Float64Array)], [9, 8, 100, 99]);
  assert.deepEqual([...m.train.time.view], [1, 2, 30, 40]);
});

void test('smoothed columns extend incrementally and equal smoothing the whole column, also after a restart', () => {
  const m = new MetricSeries();
  const ys = Array.from({ length: 300 }, (_, i) => Math.cos(i / 9) + 3 - i / 100);
  m.appendRows(ys.slice(0, 120).map((y, i) => ({ step: i + 1, epoch: 0, time: i, loss: y })));
  m.train.smoothed('loss', 0.6);
  m.appendRows(ys.slice(120).map((y, i) => ({ step: i + 121, epoch: 0, time: i, loss: y })));
  assert.deepEqual([...(m.train.smoothed('loss', 0.6) as Float64Array)], [...ema(ys, 0.6)]);
  m.appendRows([{ step: 50, epoch: 0, time: 0, loss: 7 }]);
  assert.deepEqual([...(m.train.smoothed('loss', 0.6) as Float64Array)], [...ema([...ys.slice(0, 49), 7], 0.6)]);
  assert.deepEqual([...(m.train.smoothed('loss', 0) as Float64Array)], [...ys.slice(0, 49), 7]);
});

void test('an SFT run derives no odds-ratio term: its loss equals its nll_loss, and drawing 0 would misread as ORPO', () => {
  const rows: MetricsRow[] = [{ step: 1, epoch: 0, time: 1, loss: 2.5, nll_loss: 2.5 }, { step: 2, epoch: 0, time: 2, 'eval/loss': 2.4, 'eval/nll_loss': 2.4 }];
  const sft = new MetricSeries(hasOddsRatioTerm('sft'));
  sft.appendRows(rows);
  assert.equal(sft.train.column(OR_TERM), undefined);
  assert.equal(sft.eval.column(OR_TERM), undefined);
  const orpo = new MetricSeries(hasOddsRatioTerm('orpo'));
  orpo.appendRows(rows);
  assert.deepEqual([...(orpo.train.column(OR_TERM) as Float64Array)], [0]);
});

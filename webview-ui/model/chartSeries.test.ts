import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHARTS } from './charts';
import { chartSeries } from './chartSeries';
import { ema } from './ema';
import { MetricSeries } from './series';

const spec = (id: string) => CHARTS.find((c) => c.id === id) ?? assert.fail(id);
const roleColor = (r: 0 | 1 | 2) => ['blue', 'red', 'green'][r] as string;

function run(offset: number): MetricSeries {
  const m = new MetricSeries();
  m.appendRows(Array.from({ length: 6 }, (_, i) => ({ step: i + 1, epoch: 0, time: 10 * (i + 1), 'logps/chosen': -3 + i / 3 + offset, 'logps/rejected': -3 - i / 5, learning_rate: 1e-4 })));
  m.appendRows([{ step: 6, epoch: 0, time: 65, 'eval/logps/chosen': -1.5, 'eval/logps/rejected': -4 }]);
  return m;
}

void test('one run: metric colours, smoothed train series with raw values, eval points unsmoothed', () => {
  const r = run(0);
  const { defs, series } = chartSeries(spec('logps'), [{ label: 'a (orpo)', color: 'purple', series: r }], { multi: false, smoothing: 0.6, xAxis: 'step', roleColor, neutral: 'grey' });
  assert.deepEqual(defs.map((d) => [d.label, d.color, d.points]), [
    ['logps/chosen', 'blue', false], ['eval logps/chosen', 'blue', true], ['logps/rejected', 'red', false], ['eval logps/rejected', 'red', true]]);
  const raw = [...(r.train.column('logps/chosen') as Float64Array)];
  assert.deepEqual([...(series[0]?.y as Float64Array)], [...ema(raw, 0.6)]);
  assert.deepEqual([...(series[0]?.raw as Float64Array)], raw);
  assert.deepEqual([...(series[1]?.y as Float64Array)], [-1.5]);
  assert.deepEqual([...(series[0]?.x as Float64Array)], [1, 2, 3, 4, 5, 6]);
});

void test('several runs: run colours, dashes per metric, labels naming run and method; wall time on x', () => {
  const { defs, series } = chartSeries(spec('logps'), [
    { label: 'a (orpo)', color: 'c1', series: run(0) }, { label: 'b (sft)', color: 'c2', series: run(0.5) }],
  { multi: true, smoothing: 0, xAxis: 'time', roleColor, neutral: 'grey' });
  assert.deepEqual(defs.filter((d) => !d.points).map((d) => [d.label, d.color, d.dash, d.keyColor]), [
    ['a (orpo) logps/chosen', 'c1', undefined, 'grey'], ['a (orpo) logps/rejected', 'c1', [6, 4], 'grey'],
    ['b (sft) logps/chosen', 'c2', undefined, 'grey'], ['b (sft) logps/rejected', 'c2', [6, 4], 'grey']]);
  assert.deepEqual([...(series[0]?.x as Float64Array)], [10, 20, 30, 40, 50, 60]);
  assert.deepEqual([...(series[1]?.x as Float64Array)], [65]);
});

void test('train-only charts have no eval series; a metric nobody logged gives no series', () => {
  assert.deepEqual(chartSeries(spec('learning_rate'), [{ label: 'a', color: 'c', series: run(0) }], { multi: false, smoothing: 0, xAxis: 'step', roleColor, neutral: 'g' }).defs.map((d) => d.label), ['learning_rate']);
  assert.equal(chartSeries(spec('grad_norm'), [{ label: 'a', color: 'c', series: run(0) }], { multi: false, smoothing: 0, xAxis: 'step', roleColor, neutral: 'g' }).series.length, 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, metricsCsv } from './csv';
import { MetricSeries } from './series';

void test('RFC 4180 quoting', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField(NaN), '');
  assert.equal(csvField(null), '');
  assert.equal(csvField(0.25), '0.25');
});

void test('train and eval rows merged by step, one column per metric, derived series left out', () => {
  const m = new MetricSeries();
  m.appendRows([
    { step: 1, epoch: 0.5, time: 1, loss: 2, nll_loss: 1.5 },
    { step: 2, epoch: 1, time: 2, loss: 1.5, nll_loss: 1.25 },
    { step: 2, epoch: 1, time: 2.5, 'eval/loss': 1.75, 'eval/nll_loss': 1.5 },
    { step: 3, epoch: 1.5, time: 3, loss: 1, nll_loss: 0.75 },
  ]);
  const csv = metricsCsv([{ name: 'my, run', method: 'orpo', train: m.train, eval: m.eval }]);
  assert.equal(csv, [
    'run,method,split,step,epoch,time,loss,nll_loss',
    '"my, run",orpo,train,1,0.5,1,2,1.5',
    '"my, run",orpo,train,2,1,2,1.5,1.25',
    '"my, run",orpo,eval,2,1,2.5,1.75,1.5',
    '"my, run",orpo,train,3,1.5,3,1,0.75',
    '',
  ].join('\r\n'));
});

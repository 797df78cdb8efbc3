// The human output of `orpo-lab train`: the progress line (step/total, loss, margin, ETA from the pace
// since start), eval lines, the summary, and a terminal writer that keeps log lines off the progress line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../../common/events';
import { fmtDuration, humanSink, newHumanState, renderEvent } from './human';

const started: EngineEvent = {
  type: 'started', run_dir: '/r/tiny-1', config: '/c.orpo.yaml', name: 'tiny', method: 'orpo', backend: 'wasm', device: 'CPU',
  total_steps: 100, start_step: 20, pid: 1, time: '2026-01-01T00:00:00Z',
};
const train = (step: number, loss: number, margin: number): EngineEvent => ({ type: 'metrics', split: 'train', row: { step, epoch: 0, time: 0, loss, 'rewards/margins': margin, 'rewards/accuracies': 0.75 } });

test('durations read as seconds, minutes or hours', () => {
  assert.equal(fmtDuration(42.4), '42s');
  assert.equal(fmtDuration(185), '3m05s');
  assert.equal(fmtDuration(3720), '1h02m');
});

test('the progress line shows step/total, loss, margin and the ETA from the pace since (re)start', () => {
  const st = newHumanState();
  const first = renderEvent(st, started, 1_000_000);
  assert.ok(first.lines.some((l) => l.includes('/r/tiny-1')));
  assert.ok(first.lines.some((l) => l.includes('resuming at step 20')));
  // 10 steps (20 -> 30) in 20 s: 2 s a step, 70 steps left = 140 s.
  const r = renderEvent(st, train(30, 1.23456, -0.5), 1_020_000);
  assert.equal(r.status, 'step 30/100  loss 1.2346  margin -0.5000  acc 0.7500  ETA 2m20s');
  assert.deepEqual(r.lines, []);
});

test('eval rows, warnings and errors are lines; the summary names the run and what to do next', () => {
  const st = newHumanState();
  renderEvent(st, started, 0);
  const ev = renderEvent(st, { type: 'metrics', split: 'eval', row: { step: 50, epoch: 0, time: 0, 'eval/loss': 2, 'eval/rewards/margins': 0.25 } }, 1);
  assert.deepEqual(ev.lines, ['eval @ step 50: loss 2.0000  rewards/margins 0.2500']);
  assert.deepEqual(renderEvent(st, { type: 'warning', message: 'x' }, 1).lines, ['warning: x']);
  assert.match(renderEvent(st, { type: 'error', message: 'boom', checkpoint: '/r/c' }, 1).lines[0] ?? '', /^error: boom \(last good checkpoint: \/r\/c\)$/);
  const done = renderEvent(st, { type: 'finished', reason: 'stopped', step: 60, run_dir: '/r/tiny-1', wall_s: 75, summary: { loss: 1.5, 'eval/loss': 2 } }, 2);
  assert.deepEqual(done.lines, [
    'stopped at step 60/100 in 1m15s', '  train: loss 1.5000', '  eval:  loss 2.0000', 'run directory: /r/tiny-1',
    'resume: orpo-lab train /r/tiny-1/config.yaml --resume /r/tiny-1',
  ]);
  const completed = renderEvent(st, { type: 'finished', reason: 'completed', step: 100, run_dir: '/r/tiny-1', wall_s: 75, summary: {}, model_dir: '/r/tiny-1/final' }, 2);
  assert.deepEqual(completed.lines.slice(-2), ['final model: /r/tiny-1/final (a transformers directory; model.from: /r/tiny-1/final starts from it)', 'report: orpo-lab report /r/tiny-1 --out report.html']);
  const sample = renderEvent(st, { type: 'sample', step: 3, prompt: 'Q\u001e?', completion: 'a'.repeat(100) }, 3).lines[0] ?? '';
  assert.ok(sample.includes('Q\\u001e?') && sample.endsWith('…') && sample.length < 130, sample);
});

test('the terminal writer rewrites the progress line in place and clears it before other lines', () => {
  const out: string[] = [];
  const err: string[] = [];
  let now = 0;
  const sink = humanSink({ write: (s) => out.push(s), columns: 30 }, { write: (s) => err.push(s) }, () => now);
  sink.emit(started);
  now = 1000;
  sink.emit(train(21, 1, 0));
  sink.log('hello');
  sink.emit({ type: 'finished', reason: 'completed', step: 100, run_dir: '/r', wall_s: 1, summary: {} });
  const text = out.join('');
  assert.ok(text.includes('step 21/100  loss 1.0000  mar'), 'progress drawn, cut to the terminal width');
  assert.ok(!text.includes('step 21/100  loss 1.0000  marg'), 'not wider than columns - 1');
  assert.deepEqual(err, ['[orpo-lab] hello\n']);
  // The log line cleared the progress line, which was drawn again after it.
  assert.equal(text.split('\r\x1b[K').length - 1, 2);
  assert.ok(text.endsWith('report: orpo-lab report /r --out report.html\n'), 'the summary ends the output, no progress after it');
});

test('the backend event shows which backend and why', () => {
  const r = renderEvent(newHumanState(), { type: 'backend', requested: 'auto', backend: 'native', device: 'CPU', reason: 'native: 452 ms/step vs webgpu 991 ms/step, timed now' }, 0);
  assert.deepEqual(r.lines, ['backend native (auto): native: 452 ms/step vs webgpu 991 ms/step, timed now']);
  const named = renderEvent(newHumanState(), { type: 'backend', requested: 'cpu', backend: 'cpu', device: 'CPU', reason: 'cpu: named in the config or on the command line' }, 0);
  assert.deepEqual(named.lines, ['backend cpu (named): cpu: named in the config or on the command line']);
});

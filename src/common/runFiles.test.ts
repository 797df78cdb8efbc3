import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDistributionsLine, parseFileText, parseLines, parseMetricsLine, parseSampleLine, splitComplete } from './runFiles';
import { runInfoFromConfig } from './runInfo';

void test('metrics lines: numbers or null, a numeric step; errors name file and line', () => {
  assert.deepEqual(parseMetricsLine('{"step":3,"loss":null,"eval/loss":1}', 'm:1'), { ok: true, value: { step: 3, loss: null, 'eval/loss': 1 } });
  assert.deepEqual(parseMetricsLine('{"loss":1}', 'metrics.jsonl:4'), { ok: false, error: 'metrics.jsonl:4: expected a numeric "step"' });
  assert.match((parseMetricsLine('{"step":1,"loss":"x"}', 'metrics.jsonl:5') as { error: string }).error, /^metrics.jsonl:5: "loss" should be a number or null/);
  assert.match((parseMetricsLine('{"step":1', 'metrics.jsonl:6') as { error: string }).error, /^metrics.jsonl:6: not valid JSON/);
  assert.match((parseMetricsLine('[1]', 'metrics.jsonl:7') as { error: string }).error, /expected a JSON object/);
});

void test('distributions and samples lines', () => {
  const d = '{"step":5,"chosen_logps":[-1],"rejected_logps":[-2],"chosen_rewards":[-0.1],"rejected_rewards":[-0.2],"log_odds":[null]}';
  assert.equal(parseDistributionsLine(d, 'd:1').ok, true);
  assert.deepEqual(parseDistributionsLine('{"step":5,"chosen_logps":[-1]}', 'distributions.jsonl:2'), { ok: false, error: 'distributions.jsonl:2: expected "rejected_logps" to be an array of numbers' });
  assert.deepEqual(parseSampleLine('{"step":1,"prompt":"p","completion":"c","extra":1}', 's:1'), { ok: true, value: { step: 1, prompt: 'p', completion: 'c' } });
  assert.equal(parseSampleLine('{"step":1,"prompt":"p"}', 's:1').ok, false);
});

void test('line numbering, blank lines and CRLF', () => {
  const r = parseLines(['{"step":1}', '', '{"step":2}\r', 'oops'], 'metrics.jsonl', 10, parseMetricsLine);
  assert.deepEqual(r.rows, [{ step: 1 }, { step: 2 }]);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0] as string, /^metrics.jsonl:13: /);
  const f = parseFileText('{"step":1}\n{"step":2}', 'x', parseMetricsLine);
  assert.equal(f.rows.length, 2);
});

void test('splitComplete keeps the unterminated tail', () => {
  assert.deepEqual(splitComplete('a\nb\nc'), { lines: ['a', 'b'], rest: 'c' });
  assert.deepEqual(splitComplete('a\n'), { lines: ['a'], rest: '' });
  assert.deepEqual(splitComplete('abc'), { lines: [], rest: 'abc' });
});

void test('run info from the resolved config; DPO shows beta', () => {
  assert.deepEqual(runInfoFromConfig({ name: 'n', method: 'orpo', lambda: 0.1, beta: 0.5 }, '/r/x'), { id: '/r/x', name: 'n', method: 'orpo', dir: '/r/x', lambda: 0.1 });
  assert.deepEqual(runInfoFromConfig({ name: 'n', method: 'dpo', lambda: 0.1, beta: 0.5 }, '/r/x').lambda, 0.5);
  assert.deepEqual(runInfoFromConfig(null, '/runs/abc/'), { id: '/runs/abc/', name: 'abc', method: 'unknown', dir: '/runs/abc/' });
});

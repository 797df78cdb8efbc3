// Parsing `orpo-lab validate` output (issue 2's `file:line:col: severity: message` format).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretValidation, parseProblems, summarizeProblems } from './validation';

const out = [
  '/w/a b.orpo.yaml:3:10: error: model.layers must be an integer >= 1',
  'C:\\w\\x.orpo.yaml:7:1: warning: lambda above 10 is unusual',
  'some other log line',
  '/w/a.orpo.yaml:12:3: error: data.train: file not found: data/x.jsonl (expected a .jsonl or .json file)',
].join('\n');

void test('parseProblems reads file, line, column, severity and message (colons in paths and messages)', () => {
  const p = parseProblems(out);
  assert.equal(p.length, 3);
  assert.deepEqual(p[0], { file: '/w/a b.orpo.yaml', line: 3, col: 10, severity: 'error', message: 'model.layers must be an integer >= 1' });
  assert.deepEqual(p[1], { file: 'C:\\w\\x.orpo.yaml', line: 7, col: 1, severity: 'warning', message: 'lambda above 10 is unusual' });
  assert.equal(p[2]?.message, 'data.train: file not found: data/x.jsonl (expected a .jsonl or .json file)');
});

void test('interpretValidation: ok, invalid, and a validator that broke', () => {
  assert.equal(interpretValidation(0, '', '').kind, 'ok');
  const inv = interpretValidation(1, out, '');
  assert.equal(inv.kind, 'invalid');
  if (inv.kind === 'invalid') {
    assert.equal(inv.errors.length, 2);
    assert.equal(inv.warnings.length, 1);
  }
  const broken = interpretValidation(1, '', 'TypeError: boom\n  at x');
  assert.equal(broken.kind, 'broken');
  assert.match(broken.kind === 'broken' ? broken.message : '', /code 1: TypeError: boom/);
});

void test('summarizeProblems keeps the first few', () => {
  const errs = parseProblems(out).filter((p) => p.severity === 'error');
  assert.equal(summarizeProblems(errs, 1), 'line 3: model.layers must be an integer >= 1; and 1 more');
});

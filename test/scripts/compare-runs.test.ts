// scripts/reference/compare_runs.py (the TRL parity check's comparison, run by scripts/device/trl-check.sh)
// on our own runs: a recorded engine run against itself agrees; copies with one value moved past the
// tolerance, a value moved within it, or a step missing are judged as they should be (python3, stdlib).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts/reference/compare_runs.py');
const run = join(root, 'test/fixtures/run-orpo');
const compare = (a: string, b: string, ...more: string[]) => {
  const r = spawnSync('python3', [script, a, b, ...more], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: r.status, lines, summary: lines.at(-1) as { ok: boolean; problems: string[]; max_abs_diff: Record<string, number> } };
};

/** A copy of the recorded run whose metrics rows pass through `edit`. */
function copyWith(edit: (row: Record<string, unknown>) => Record<string, unknown> | undefined): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'orpo-compare-')), 'run');
  cpSync(run, dir, { recursive: true });
  const rows = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  writeFileSync(join(dir, 'metrics.jsonl'), rows.map(edit).filter((r) => r !== undefined).map((r) => JSON.stringify(r)).join('\n') + '\n');
  return dir;
}

const isTrain = (r: Record<string, unknown>) => !Object.keys(r).some((k) => k.startsWith('eval/'));

void test('a run agrees with itself on every step: exit 0, zero differences, one line per step', () => {
  const r = compare(run, run);
  assert.equal(r.code, 0);
  assert.equal(r.lines.length, 21);
  assert.deepEqual(r.summary.max_abs_diff, { loss: 0, 'logps/chosen': 0, 'logps/rejected': 0 });
});

void test('a value moved past the tolerance fails, naming the step and the key; one moved within it passes', () => {
  const far = copyWith((row) => (row.step === 7 && isTrain(row) ? { ...row, 'logps/rejected': (row['logps/rejected'] as number) + 2e-3 } : row));
  const r = compare(run, far);
  assert.equal(r.code, 1);
  assert.equal(r.summary.ok, false);
  assert.deepEqual(r.summary.problems.map((p) => p.replace(/ \(.*/, '')), ['step 7: logps/rejected differs by 0.002']);
  const near = copyWith((row) => (row.step === 7 && isTrain(row) ? { ...row, loss: (row.loss as number) + 5e-4 } : row));
  const n = compare(run, near);
  assert.equal(n.code, 0);
  assert.ok(Math.abs((n.summary.max_abs_diff.loss ?? 0) - 5e-4) < 1e-9);
  assert.equal(compare(run, near, '--tol', '1e-4').code, 1);
});

void test('a step missing from one run, or a key written as null, is a problem', () => {
  const gap = copyWith((row) => (row.step === 3 && isTrain(row) ? undefined : row));
  assert.deepEqual(compare(run, gap).summary.problems, ['step 3: missing in theirs']);
  const nan = copyWith((row) => (row.step === 4 && isTrain(row) ? { ...row, loss: null } : row));
  const r = compare(nan, run);
  assert.equal(r.code, 1);
  assert.match(r.summary.problems[0] ?? '', /^step 4: loss is None in ours/);
});

// Node tests of sweeps in the Runs view: a recorded 2 × 2 sweep (test/fixtures/sweep-2x2, written by
// `orpo-lab sweep`) beside an ordinary run, read from disk, become one sweep row holding its variants'
// rows, and the ordinary run stays a top-level row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverRuns } from './runDiscovery';
import { runRows, type RunNode } from './runRows';
import { discoverSweeps, groupSweeps, isSweepGroup, sweepProgress } from './sweepRows';

const fixture = join(__dirname, '../../test/fixtures/sweep-2x2');

void test('a sweep directory is one row with its variants under it; other runs stay top-level rows', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'orpo-sweep-rows-'));
  const sweepDir = join(runs, 'sweep-2x2-20261129-074741');
  cpSync(fixture, sweepDir, { recursive: true });
  const plain = join(runs, 'plain-20261129-080000');
  mkdirSync(plain);
  writeFileSync(join(plain, 'config.yaml'), 'name: plain\ntrain:\n  max_steps: 4\n');
  writeFileSync(join(plain, 'metrics.jsonl'), '{"step":1,"loss":1}\n');

  const index = JSON.parse(readFileSync(join(fixture, 'sweep.json'), 'utf8')) as { variants: { run_dir: string; status: string; step: number; total_steps: number }[] };
  const sweeps = await discoverSweeps([runs]);
  assert.equal(sweeps.length, 1);
  const s = sweeps[0];
  assert.ok(s);
  assert.equal(s.counts.completed, index.variants.filter((v) => v.status === 'completed').length);
  const step = index.variants.reduce((a, v) => a + v.step, 0);
  const total = index.variants.reduce((a, v) => a + v.total_steps, 0);
  assert.match(sweepProgress(s), new RegExp(`^${String(s.counts.completed)}/${String(index.variants.length)} completed.* step ${String(step)}/${String(total)}$`));

  // Without the sweep's variant folders, discovery sees only the plain run (variants are one level deeper).
  assert.deepEqual((await discoverRuns([runs])).map((r) => r.dir), [plain]);
  const past = await discoverRuns([runs], () => undefined, s.runDirs);
  const rows = runRows([], past);
  assert.equal(rows.length, index.variants.length + 1, 'every variant is an ordinary run row');
  const tree = groupSweeps(rows, sweeps);
  assert.equal(tree.length, 2, 'one sweep row and the plain run');
  const group = tree.find(isSweepGroup);
  assert.ok(group);
  assert.equal(group.dir, sweepDir);
  assert.deepEqual(group.children.map((c) => c.dir).sort(), index.variants.map((v) => join(sweepDir, v.run_dir)).sort());
  const other = tree.find((r) => !isSweepGroup(r)) as RunNode;
  assert.equal(other.dir, plain);
});

// Node tests of run discovery: hand-made run directories in issue 2's layout, damaged files, and a
// directory written by the fake engine through the run manager.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { configNameOf, discoverRuns, formatNumber, keyMetricLines, lastMetrics, listCheckpoints, lockHolder, outputDirOf, readRun } from './runDiscovery';
import { deleteRefusal, resumable, runRows } from './runRows';
import { LOCK_FILE } from '../common/runLockFile';
import { RunManager } from './runManager';
import { engineLauncher } from './launcher';

function makeRun(root: string, name: string, o: { maxSteps?: number; rows?: string[]; ckpts?: number[]; mtime?: number }): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.yaml'), `name: ${name.split('-')[0]}\nmethod: orpo\ntrain:\n  max_steps: ${o.maxSteps ?? 10}\n`);
  writeFileSync(join(dir, 'metrics.jsonl'), (o.rows ?? []).join('\n') + '\n');
  for (const s of o.ckpts ?? []) mkdirSync(join(dir, 'checkpoints', `step-${s}`), { recursive: true });
  if (o.mtime) utimesSync(join(dir, 'metrics.jsonl'), o.mtime, o.mtime);
  return dir;
}

void test('lastMetrics finds the last train and eval rows, skipping a torn last line', () => {
  const text = [
    '{"step":1,"epoch":0,"time":1,"loss":3}',
    '{"step":2,"epoch":0,"time":2,"loss":2.5}',
    '{"step":2,"epoch":0,"time":2,"eval/loss":2.7}',
    '{"step":3,"epoch":0,"time":3,"loss":2.',
  ].join('\n');
  const m = lastMetrics(text);
  assert.equal(m.train?.loss, 2.5);
  assert.equal(m.eval?.['eval/loss'], 2.7);
});

void test('readRun: status from checkpoints vs max_steps, or from a recorded outcome', async () => {
  const root = mkdtempSync(join(tmpdir(), 'orpo-disc-'));
  const done = await readRun(makeRun(root, 'a-1', { maxSteps: 4, rows: ['{"step":4,"epoch":1,"time":1,"loss":1}'], ckpts: [2, 4] }));
  assert.equal(done?.status, 'completed');
  assert.equal(done?.name, 'a');
  assert.equal(done?.method, 'orpo');
  assert.deepEqual(done?.checkpoints.map((c) => c.step), [2, 4]);
  const half = await readRun(makeRun(root, 'b-1', { maxSteps: 4, rows: ['{"step":3,"epoch":1,"time":1,"loss":1}'], ckpts: [2] }));
  assert.equal(half?.status, 'incomplete');
  assert.equal(half?.lastStep, 3);
  assert.equal((await readRun(join(root, 'b-1'), 'failed'))?.status, 'failed');
  assert.equal(done?.finalModel, undefined);
  // A run whose final model was written (RUN/final/config.json) completed, whatever its checkpoints say.
  const fin = makeRun(root, 'c-1', { maxSteps: 4, ckpts: [2] });
  mkdirSync(join(fin, 'final'));
  writeFileSync(join(fin, 'final', 'config.json'), '{}');
  const c = await readRun(fin);
  assert.equal(c?.status, 'completed');
  assert.equal(c?.finalModel, join(fin, 'final'));
  // Not a run: no config.yaml.
  mkdirSync(join(root, 'notes'));
  assert.equal(await readRun(join(root, 'notes')), undefined);
});

void test('discoverRuns scans several roots, skips missing ones, newest first', async () => {
  const r1 = mkdtempSync(join(tmpdir(), 'orpo-disc-'));
  const r2 = mkdtempSync(join(tmpdir(), 'orpo-disc-'));
  makeRun(r1, 'old-1', { mtime: 1_000_000 });
  makeRun(r2, 'new-1', { mtime: 2_000_000 });
  writeFileSync(join(r1, 'stray.txt'), 'x');
  const runs = await discoverRuns([r1, r2, join(r1, 'missing')]);
  assert.deepEqual(runs.map((r) => r.name), ['new', 'old']);
});

void test('a run written by the engine protocol (fake engine) is discovered with its metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-disc-'));
  const cfg = join(dir, 'x.orpo.yaml');
  writeFileSync(cfg, 'name: live\nscenario: normal\n');
  const tsx = pathToFileURL(createRequire(join(process.cwd(), 'package.json')).resolve('tsx')).href;
  const m = new RunManager({ launch: engineLauncher({ enginePath: join(import.meta.dirname, 'test-fixtures', 'fake-engine.ts'), nodeArgs: ['--import', tsx] }) });
  const run = await m.whenDone(m.start({ configPath: cfg }).id);
  const found = await discoverRuns([join(dir, 'runs')], (d) => (d === run.runDir ? 'completed' : undefined));
  assert.equal(found.length, 1);
  assert.equal(found[0]?.dir, run.runDir);
  assert.equal(found[0]?.status, 'completed');
  assert.equal(found[0]?.lastTrain?.step, 3);
  assert.equal(found[0]?.checkpoints.at(-1)?.step, 3);
});

void test('keyMetricLines and formatNumber', () => {
  const lines = keyMetricLines({ step: 1, epoch: 0, time: 0, loss: 1.23456, 'rewards/accuracies': 0.75 }, { step: 1, epoch: 0, time: 0, 'eval/loss': 0.00001234 });
  assert.deepEqual(lines, ['loss: 1.235', 'rewards/accuracies: 0.75', 'eval/loss: 1.234e-5']);
  assert.equal(formatNumber(123456), '1.235e+5');
  assert.equal(formatNumber(0), '0');
});

void test('outputDirOf resolves output_dir relative to the config, defaulting to runs', () => {
  assert.equal(outputDirOf('/w/exp/a.orpo.yaml', 'name: a\noutput_dir: ../out\n'), '/w/out');
  assert.equal(outputDirOf('/w/exp/a.orpo.yaml', 'name: a\n'), '/w/exp/runs');
  assert.equal(outputDirOf('/w/exp/a.orpo.yaml', 'output_dir: /abs/runs'), '/abs/runs');
  assert.equal(outputDirOf('/w/exp/a.orpo.yaml', 'name: [unclosed'), '/w/exp/runs');
});

void test('configNameOf reads the name, or nothing', () => {
  assert.equal(configNameOf('name: hh-tiny\nseed: 1\n'), 'hh-tiny');
  assert.equal(configNameOf('name: 12\n'), undefined);
  assert.equal(configNameOf('name: [oops'), undefined);
});

void test('listCheckpoints lists checkpoint-N and older step-N directories by step, ignoring temporaries', async () => {
  const root = mkdtempSync(join(tmpdir(), 'orpo-disc-'));
  const dir = join(root, 'r');
  for (const n of ['step-2', 'checkpoint-10', 'checkpoint-4', '.tmp-checkpoint-12-99', 'other']) mkdirSync(join(dir, 'checkpoints', n), { recursive: true });
  assert.deepEqual((await listCheckpoints(dir)).map((c) => [c.step, c.path]), [[2, join(dir, 'checkpoints', 'step-2')], [4, join(dir, 'checkpoints', 'checkpoint-4')], [10, join(dir, 'checkpoints', 'checkpoint-10')]]);
});

void test('a folder whose run.lock a live process holds (another window, a terminal) cannot be deleted; a stale lock does not block', async () => {
  const root = mkdtempSync(join(tmpdir(), 'orpo-lock-'));
  const dir = makeRun(root, 'x-20260101-000000', { rows: ['{"step":1,"loss":1}'] });
  assert.equal(await lockHolder(dir), undefined, 'no lock: nobody holds it');
  // A real other process, as a run started outside this window would be.
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: child.pid, host: hostname(), started: '2026-01-01T00:00:00Z' }) + '\n');
    const owner = await lockHolder(dir);
    assert.equal(owner?.pid, child.pid);
    assert.match(deleteRefusal(dir, [], true, owner) ?? '', new RegExp(`process ${String(child.pid)} on .* is writing into it`));
  } finally {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  assert.equal(await lockHolder(dir), undefined, 'the owner is gone (kill -9): a stale lock');
  assert.equal(deleteRefusal(dir, [], true, await lockHolder(dir)), undefined);
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'another-host', started: '2026-01-01T00:00:00Z' }) + '\n');
  assert.equal((await lockHolder(dir))?.host, 'another-host', "another host's lock cannot be checked from here: it holds");
  writeFileSync(join(dir, LOCK_FILE), 'torn');
  assert.equal(await lockHolder(dir), undefined, 'a torn lock names no owner');
});

/** Runs python3 with orpo_lab_run.py (the TRL export's writer) in a process of its own, as a run on another machine would write. */
function trlWriter(run: string, code: string): void {
  const py = join(import.meta.dirname, '..', 'engine', 'export', 'python');
  const r = spawnSync('python3', ['-c', `import os, sys; sys.path.insert(0, ${JSON.stringify(py)}); import orpo_lab_run as r\nw = r.RunWriter(${JSON.stringify(run)}, "name: remote\\nmethod: orpo\\ntrain:\\n  max_steps: 6\\n", engine={"trainer": "ORPOTrainer"})\n${code}`], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  assert.equal(r.status, 0, r.stderr);
}

const trainerCheckpoint = (src: string, step: number) => `os.makedirs(${JSON.stringify(src)})\nfor f in ("config.json", "model.safetensors", "trainer_state.json"): open(os.path.join(${JSON.stringify(src)}, f), "w").write("x")\nw.checkpoint(${step}, ${JSON.stringify(src)})`;

void test('a TRL run written by another process (a mounted or synced folder, no process here) is found, followed as it grows, and resumes on TRL', async () => {
  const root = mkdtempSync(join(tmpdir(), 'orpo-disc-'));
  const run = join(root, 'runs', 'remote-1');
  trlWriter(run, `w.log(1, 0.25, {"loss": 2.0, "rewards/margins": 0.1})\nw.log(2, 0.5, {"loss": 1.5})\n${trainerCheckpoint(join(root, 'trl', 'checkpoint-2'), 2)}`);
  let [found] = await discoverRuns([join(root, 'runs')]);
  assert.equal(found?.dir, run);
  assert.equal(found?.name, 'remote');
  assert.equal(found?.status, 'incomplete');
  assert.deepEqual(found?.engine, { engine: 'trl', trainer: 'ORPOTrainer' });
  assert.equal(found?.lastTrain?.loss, 1.5);
  assert.deepEqual(found?.checkpoints.map((c) => c.path), [join(run, 'checkpoints', 'checkpoint-2')]);
  assert.equal(await lockHolder(run), undefined, 'no process here holds it');
  // The writer goes on; the next refresh of the view reads the new lines and checkpoint.
  trlWriter(run, `w.log(4, 1.0, {"loss": 1.25})\nw.log(4, 1.0, {"eval_loss": 1.4})\n${trainerCheckpoint(join(root, 'trl', 'checkpoint-4'), 4)}`);
  [found] = await discoverRuns([join(root, 'runs')]);
  assert.equal(found?.lastStep, 4);
  assert.equal(found?.lastEval?.['eval/loss'], 1.4);
  assert.deepEqual(found?.checkpoints.map((c) => c.step), [2, 4]);
  const row = runRows([], found ? [found] : [])[0];
  assert.ok(row && resumable(row), 'a stopped TRL run with a checkpoint can be resumed');
  assert.equal(found?.engine?.engine, 'trl');
  // An ORPO Lab run (no engine.json) reads as ours.
  assert.deepEqual((await readRun(makeRun(root, 'local-1', { ckpts: [1] })))?.engine, { engine: 'orpo-lab' });
  writeFileSync(join(run, 'engine.json'), '{"engine": ');
  assert.match((await readRun(run))?.engineProblem ?? '', /engine\.json: not valid JSON$/);
});

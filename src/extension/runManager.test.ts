// Node tests of the run manager (no VS Code): it drives the fake engine (test-fixtures/fake-engine.ts)
// through the real launcher, over real pipes and signals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { engineLauncher, runEngineOnce } from './launcher';
import { etaSeconds, LineSplitter, RunManager, trainArgs, type RunState } from './runManager';
import { resumeOptions } from './engineCli';
import type { EngineEvent } from '../common/events';

const fake = join(import.meta.dirname, 'test-fixtures', 'fake-engine.ts');
// tsx resolved here: the engine runs in the config's (temporary) directory, where it cannot be found.
const tsx = pathToFileURL(createRequire(join(process.cwd(), 'package.json')).resolve('tsx')).href;
const launch = engineLauncher({ enginePath: fake, nodeArgs: ['--import', tsx] });

function config(scenario: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-rm-'));
  const p = join(dir, `${scenario}.orpo.yaml`);
  writeFileSync(p, `name: t-${scenario}\nscenario: ${scenario}\n`);
  return p;
}

function record(m: RunManager) {
  const events: EngineEvent[] = [];
  const malformed: string[] = [];
  let stderr = '';
  m.subscribe({ event: (_r, e) => events.push(e), malformed: (_r, line) => malformed.push(line), stderr: (_r, t) => (stderr += t) });
  return { events, malformed, stderr: () => stderr };
}

/** Resolves on the first event of a type (no sleeps: the run's own events drive the test). */
function nextEvent(m: RunManager, type: EngineEvent['type']): Promise<RunState> {
  return new Promise((resolve) => {
    const off = m.subscribe({ event: (r, e) => { if (e.type === type) { off(); resolve(r); } } });
  });
}

void test('trainArgs follows the CLI of issue 2', () => {
  assert.deepEqual(trainArgs({ configPath: 'a.orpo.yaml' }), ['train', 'a.orpo.yaml', '--json']);
  assert.deepEqual(trainArgs({ configPath: 'a.orpo.yaml', resumeDir: 'runs/x', maxSteps: 5, backend: 'wasm', outDir: 'o' }),
    ['train', 'a.orpo.yaml', '--json', '--out', 'o', '--max-steps', '5', '--backend', 'wasm', '--resume', 'runs/x']);
  assert.deepEqual(trainArgs({ configPath: 'a.orpo.yaml', backend: 'wasm', trlPython: '/opt/py/bin/python' }),
    ['train', 'a.orpo.yaml', '--json', '--engine', 'trl', '--python', '/opt/py/bin/python'], 'a TRL run takes no --backend');
});

void test('Resume Run launches the engine the run was started with: TRL with the Python setting, else ORPO Lab with the backend', () => {
  assert.deepEqual(trainArgs(resumeOptions('runs/t', 'a.orpo.yaml', 'trl', { backend: 'wasm', pythonPath: '/opt/py/bin/python' })),
    ['train', 'a.orpo.yaml', '--json', '--engine', 'trl', '--python', '/opt/py/bin/python', '--resume', 'runs/t']);
  assert.deepEqual(trainArgs(resumeOptions('runs/t', 'a.orpo.yaml', 'trl', { backend: '', pythonPath: '' })),
    ['train', 'a.orpo.yaml', '--json', '--engine', 'trl', '--python', 'python3', '--resume', 'runs/t'], 'python3 when the setting is empty');
  assert.deepEqual(trainArgs(resumeOptions('runs/l', 'a.orpo.yaml', 'orpo-lab', { backend: 'wasm', pythonPath: '/opt/py/bin/python' })),
    ['train', 'a.orpo.yaml', '--json', '--backend', 'wasm', '--resume', 'runs/l']);
});

void test('LineSplitter joins lines split across chunks and strips CR', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('{"a":'), []);
  assert.deepEqual(s.push('1}\r\n{"b"'), ['{"a":1}']);
  assert.deepEqual(s.push(':2}\nrest'), ['{"b":2}']);
  assert.equal(s.flush(), 'rest');
  assert.equal(s.flush(), undefined);
});

void test('etaSeconds extrapolates the mean step time', () => {
  const run = { step: 5, totalSteps: 25, firstStep: { step: 1, at: 1000 }, lastStepAt: 9000 } as RunState;
  // 4 steps in 8 s = 2 s/step; 20 steps left.
  assert.equal(etaSeconds(run), 40);
  assert.equal(etaSeconds({ ...run, step: 1, lastStepAt: 1000 }), undefined);
});

void test('a normal run streams its events and completes', async () => {
  const m = new RunManager({ launch });
  const rec = record(m);
  const run = m.start({ configPath: config('normal') });
  assert.equal(run.status, 'starting');
  const done = await m.whenDone(run.id);
  assert.equal(done.status, 'completed', done.failure);
  assert.deepEqual(rec.events.map((e) => e.type), ['started', 'metrics', 'metrics', 'metrics', 'metrics', 'checkpoint', 'finished']);
  assert.equal(done.step, 3);
  assert.equal(done.totalSteps, 3);
  assert.equal(done.lastTrain?.step, 3);
  assert.equal(done.lastEval?.['eval/loss'], 1.5);
  assert.match(done.lastCheckpoint ?? '', /step-3$/);
  assert.ok(done.runDir && existsSync(join(done.runDir, 'metrics.jsonl')));
  assert.equal(readFileSync(join(done.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 3);
  assert.match(rec.stderr(), /scenario normal/);
  assert.equal(rec.malformed.length, 0);
});

void test('malformed lines are reported and skipped; the run still completes', async () => {
  const m = new RunManager({ launch });
  const rec = record(m);
  const run = m.start({ configPath: config('malformed') });
  const done = await m.whenDone(run.id);
  assert.equal(done.status, 'completed', done.failure);
  assert.deepEqual(rec.malformed, ['this is not json', '{"type":"mystery","x":1}', '{"type":"metrics","split":"train"}']);
  assert.equal(done.malformedLines, 3);
  const warning = rec.events.find((e) => e.type === 'warning');
  assert.deepEqual(warning, { type: 'warning', message: 'split across writes' });
  assert.equal(done.step, 3);
});

void test('a crash without a finished event is a failure with the stderr tail', async () => {
  const m = new RunManager({ launch });
  const run = m.start({ configPath: config('crash') });
  const done = await m.whenDone(run.id);
  assert.equal(done.status, 'failed');
  assert.equal(done.exitCode, 1);
  assert.equal(done.step, 2);
  assert.match(done.failure ?? '', /exited with code 1: without finishing/);
  assert.match(done.failure ?? '', /RangeError: fake out of memory/);
});

void test('an error event fails the run and keeps its checkpoint for resuming', async () => {
  const m = new RunManager({ launch });
  const run = m.start({ configPath: config('error') });
  const done = await m.whenDone(run.id);
  assert.equal(done.status, 'failed');
  assert.match(done.failure ?? '', /loss became NaN at step 2/);
  assert.match(done.lastCheckpoint ?? '', /step-1$/);
  // Resuming continues from the checkpoint's step in the same directory.
  const resumed = m.start({ configPath: config('normal'), resumeDir: done.runDir as string });
  const r = await m.whenDone(resumed.id);
  assert.equal(r.status, 'completed', r.failure);
  assert.equal(r.started?.start_step, 1);
  assert.equal(r.runDir, done.runDir);
});

void test('an invalid config (exit 2) fails with the engine messages', async () => {
  const m = new RunManager({ launch });
  const run = m.start({ configPath: config('invalid') });
  const done = await m.whenDone(run.id);
  assert.equal(done.status, 'failed');
  assert.equal(done.exitCode, 2);
  assert.match(done.failure ?? '', /invalid config or data/);
  assert.match(done.failure ?? '', /:3:10: error: model.layers/);
});

void test('stop sends a stdin stop line: the run checkpoints and reports stopped', async () => {
  const m = new RunManager({ launch, stopGraceMs: 60_000 });
  const rec = record(m);
  const run = m.start({ configPath: config('endless') });
  await nextEvent(m, 'metrics');
  m.stop(run.id);
  assert.equal(m.get(run.id)?.status, 'stopping');
  const done = await m.whenDone(run.id);
  assert.equal(done.status, 'stopped', done.failure);
  assert.equal(done.signal, null, 'stopped by the stdin line, not by a signal');
  assert.equal(done.finished?.reason, 'stopped');
  assert.ok(rec.events.some((e) => e.type === 'checkpoint'));
  assert.ok(done.step >= 1);
});

void test('an engine that ignores the stop line gets SIGTERM after the grace period', async () => {
  const m = new RunManager({ launch, stopGraceMs: 300 });
  const run = m.start({ configPath: config('deaf') });
  await nextEvent(m, 'metrics');
  m.stop(run.id);
  const done = await m.whenDone(run.id);
  assert.equal(done.status, 'stopped', done.failure);
  assert.equal(done.finished?.reason, 'stopped');
});

void test('several runs at once keep separate states; stopAll stops the live ones', async () => {
  const m = new RunManager({ launch });
  const a = m.start({ configPath: config('endless') });
  const b = m.start({ configPath: config('normal') });
  const c = m.start({ configPath: config('crash') });
  assert.equal(new Set([a.id, b.id, c.id]).size, 3);
  const [bd, cd] = await Promise.all([m.whenDone(b.id), m.whenDone(c.id)]);
  assert.equal(bd.status, 'completed');
  assert.equal(cd.status, 'failed');
  assert.notEqual(bd.runDir, cd.runDir);
  assert.equal(m.get(a.id)?.status === 'running' || m.get(a.id)?.status === 'starting', true);
  await m.stopAll();
  assert.equal(m.get(a.id)?.status, 'stopped');
  m.prune();
  assert.equal(m.list().length, 0);
});

void test('a missing engine binary is a failure, not an exception', async () => {
  const m = new RunManager({ launch: engineLauncher({ enginePath: fake, nodePath: '/nonexistent/node' }) });
  const run = m.start({ configPath: config('normal') });
  const done = await m.whenDone(run.id);
  assert.equal(done.status, 'failed');
  assert.match(done.failure ?? '', /could not start the engine: .*ENOENT/);
});

void test('runEngineOnce collects output and the exit code', async () => {
  const r = await runEngineOnce(launch, ['train', config('invalid')], tmpdir());
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error: model.layers/);
});

// Node tests of the Runs view's rows (issue 12, point 1): the real run manager drives the fake engine
// through start, stop, resume and finish while run discovery reads the folders on disk; at every step
// the rows are one per folder. Then the stale-row scenario, deleted folders, order and the
// checks made at the moment of deleting, on hand-made states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { engineLauncher } from './launcher';
import { discoverRuns, type RunSummary } from './runDiscovery';
import { RunManager, type RunState } from './runManager';
import { contextValue, deletable, deleteRefusal, liveRunsOfConfig, progressText, resumable, resumeRefusal, runLabel, runRows, type RunNode } from './runRows';

const fake = join(import.meta.dirname, 'test-fixtures', 'fake-engine.ts');
const tsx = pathToFileURL(createRequire(join(process.cwd(), 'package.json')).resolve('tsx')).href;
const launch = engineLauncher({ enginePath: fake, nodeArgs: ['--import', tsx] });

function workspace(): { root: string; runs: string; config: (scenario: string) => string } {
  const root = mkdtempSync(join(tmpdir(), 'orpo-rows-'));
  return {
    root,
    runs: join(root, 'runs'),
    config: (scenario) => {
      const p = join(root, `${scenario}.orpo.yaml`);
      writeFileSync(p, `name: ${scenario}\nscenario: ${scenario}\n`);
      return p;
    },
  };
}

/** Rows as `folder status` strings, after asserting there is exactly one row per folder. */
async function rowsOf(m: RunManager, runsDir: string): Promise<{ rows: RunNode[]; text: string[] }> {
  const rows = runRows(m.list(), await discoverRuns([runsDir]));
  const keys = rows.map((r) => r.key);
  assert.equal(new Set(keys).size, keys.length, `one row per folder: ${keys.join(', ')}`);
  return { rows, text: rows.map((r) => `${r.name.replace(/-\d+$/, '')} ${r.status}`) };
}

function waitFor(m: RunManager, id: string, pred: (s: RunState) => boolean): Promise<RunState> {
  return new Promise((resolve) => {
    const s = m.get(id);
    if (s && pred(s)) { resolve(s); return; }
    const off = m.subscribe({ change: (r) => { if (r.id === id && pred(r)) { off(); resolve(r); } } });
  });
}

void test('start, stop, resume, finish: one row per folder at every step; the stale state never shows', async () => {
  const ws = workspace();
  const m = new RunManager({ launch, stopGraceMs: 60_000 });
  const other = m.start({ configPath: ws.config('normal') });
  await m.whenDone(other.id);
  const a = m.start({ configPath: ws.config('endless') });
  await waitFor(m, a.id, (s) => s.step >= 2);
  let r = await rowsOf(m, ws.runs);
  assert.deepEqual(r.text, ['endless running', 'normal completed'], 'live first');

  m.stop(a.id);
  const stopped = await m.whenDone(a.id);
  assert.equal(stopped.status, 'stopped');
  r = await rowsOf(m, ws.runs);
  assert.deepEqual(r.text, ['endless stopped', 'normal completed'], 'the stopped run wrote last: newest first');
  const stoppedRow = r.rows[0] as RunNode;
  assert.ok(resumable(stoppedRow), 'a stopped run with a checkpoint is resumable');
  assert.match(contextValue(stoppedRow), /\bresumable\b/);

  const b = m.start({ configPath: ws.config('endless'), resumeDir: stoppedRow.dir as string, maxSteps: stopped.step + 40 });
  await waitFor(m, b.id, (s) => s.status === 'running' && s.step > stopped.step);
  assert.equal(m.list().length, 3, 'the manager holds the old and the new state of the folder');
  r = await rowsOf(m, ws.runs);
  assert.deepEqual(r.text, ['endless running', 'normal completed']);
  assert.equal(r.rows[0]?.live?.id, b.id, 'the folder row carries the resumed process');
  assert.ok(!resumable(r.rows[0] as RunNode) && !deletable(r.rows[0] as RunNode), 'a live row can be neither resumed nor deleted');

  const done = await m.whenDone(b.id);
  assert.equal(done.status, 'completed', done.failure);
  r = await rowsOf(m, ws.runs);
  assert.deepEqual(r.text, ['endless completed', 'normal completed'], 'completed after resume is one completed row');
  assert.deepEqual(r.rows.filter(resumable), [], 'nothing left to resume');

  // Deleting the other run's folder removes its row, though the manager still holds its state.
  rmSync(other.runDir as string, { recursive: true });
  r = await rowsOf(m, ws.runs);
  assert.deepEqual(r.text, ['endless completed']);
  assert.equal(m.list().length, 3);
  m.forgetDir(other.runDir as string);
  assert.equal(m.list().length, 2);
});

// Hand-made states and summaries for the cases that need exact times.
let seq = 0;
function state(o: Partial<RunState> & { runDir?: string; status: RunState['status'] }): RunState {
  seq++;
  return { id: `run-${seq}`, seq, configPath: '/ws/a.orpo.yaml', step: 0, stderrTail: '', malformedLines: 0, launchedAt: 1000 + seq, ...o };
}
function summary(dir: string, o: Partial<RunSummary> = {}): RunSummary {
  return { dir, name: 'a', status: 'incomplete', lastStep: 10, checkpoints: [{ step: 10, path: `${dir}/checkpoints/step-10` }], mtime: 5000, ...o };
}

void test('the issue\'s stale row: stopped then resumed to completion is one completed row, not resumable', () => {
  const dir = '/ws/runs/a-20260101-120000';
  const old = state({ runDir: dir, status: 'stopped', step: 104, lastCheckpoint: `${dir}/checkpoints/step-104` });
  const resumed = state({ runDir: dir, status: 'completed', step: 300 });
  // Whatever order the manager lists them in, the later launch wins.
  for (const states of [[old, resumed], [resumed, old]]) {
    const rows = runRows(states, [summary(dir, { status: 'completed', lastStep: 300 })]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.status, 'completed');
    assert.equal(rows[0]?.live, resumed);
    assert.deepEqual(rows.filter(resumable), []);
  }
  // Same launch time: the launch order decides.
  const tie = [state({ runDir: dir, status: 'stopped', launchedAt: 7 }), state({ runDir: dir, status: 'running', launchedAt: 7 })];
  assert.equal(runRows([...tie].reverse(), [summary(dir)])[0]?.status, 'running');
});

void test('folders gone from disk have no row unless a process writes there; launches without a folder show while live', () => {
  const gone = state({ runDir: '/ws/runs/gone', status: 'completed' });
  const writing = state({ runDir: '/ws/runs/new', status: 'running' });
  const pending = state({ status: 'starting', configPath: '/ws/b.orpo.yaml' });
  const failedEarly = state({ status: 'failed' });
  const rows = runRows([gone, writing, pending, failedEarly], []);
  assert.deepEqual(rows.map((r) => [r.key, r.status]), [[`launch:${pending.id}`, 'starting'], ['/ws/runs/new', 'running']]);
  assert.equal(rows[0]?.name, 'b.orpo.yaml');
  assert.equal(rows[0]?.dir, undefined, 'no folder, so nothing to delete or resume');
});

void test('newest first: live runs by launch, then the rest by last write', () => {
  const past = [summary('/r/x-1', { mtime: 100 }), summary('/r/y-1', { mtime: 300 }), summary('/r/z-1', { mtime: 200 }), summary('/r/w-1', { mtime: 50 })];
  const early = state({ runDir: '/r/w-1', status: 'running', launchedAt: 10 });
  const late = state({ runDir: '/r/new', status: 'starting', launchedAt: 20 });
  const rows = runRows([early, late], past);
  assert.deepEqual(rows.map((r) => r.name), ['new', 'w-1', 'y-1', 'z-1', 'x-1']);
  // Equal times: the later folder name (they end in the start time) first.
  const same = runRows([], [summary('/r/a-20260101-000001', { mtime: 1 }), summary('/r/a-20260101-000002', { mtime: 1 })]);
  assert.deepEqual(same.map((r) => r.name), ['a-20260101-000002', 'a-20260101-000001']);
});

void test('deleting is refused while a process writes into the folder or below it, or when the folder is gone', () => {
  const dir = '/ws/runs/a-1';
  const live = state({ runDir: dir, status: 'stopping' });
  assert.match(deleteRefusal(dir, [live], true) ?? '', /writing into \/ws\/runs\/a-1 \(stopping\)/);
  assert.match(deleteRefusal('/ws/runs', [live], true) ?? '', /writing into/);
  assert.equal(deleteRefusal('/ws/runs/a-10', [live], true), undefined, 'a sibling with a longer name is not inside');
  assert.equal(deleteRefusal(dir, [state({ runDir: dir, status: 'completed' })], true), undefined);
  assert.match(deleteRefusal(dir, [], false) ?? '', /no longer a run folder on disk/);
  assert.ok(!deletable({ key: 'launch:x', name: 'x', status: 'starting' }), 'a row without a folder');
});

void test('live runs of a config: by its path or the path the engine reported', () => {
  const a = state({ status: 'running', configPath: '/ws/a.orpo.yaml' });
  const resumed = state({ status: 'starting', configPath: '/ws/runs/a-1/config.yaml', runDir: '/ws/runs/a-1' });
  resumed.started = { type: 'started', run_dir: '/ws/runs/a-1', config: '/ws/./a.orpo.yaml', name: 'a', method: 'orpo', backend: 'cpu', device: 'x', total_steps: 3, start_step: 1, pid: 1, time: '' };
  const done = state({ status: 'completed', configPath: '/ws/a.orpo.yaml' });
  assert.deepEqual(liveRunsOfConfig([a, resumed, done], '/ws/a.orpo.yaml').map((s) => s.id), [a.id, resumed.id]);
  assert.deepEqual(liveRunsOfConfig([a], '/ws/b.orpo.yaml'), []);
});

// A folder that holds a run and a folder that does not (no config.yaml): only the first is a row.
void test('what is on disk: a folder without a run is not a row', async () => {
  const ws = workspace();
  mkdirSync(join(ws.runs, 'not-a-run'), { recursive: true });
  const run = join(ws.runs, 'a-1');
  mkdirSync(join(run, 'checkpoints', 'step-2'), { recursive: true });
  writeFileSync(join(run, 'config.yaml'), 'name: a\ntrain:\n  max_steps: 5\n');
  const rows = runRows([], await discoverRuns([ws.runs]));
  assert.deepEqual(rows.map((r) => [r.name, r.status, resumable(r)]), [['a-1', 'incomplete', true]]);
});

void test('resume refusals name the reason; labels name the folder once it exists', () => {
  const dir = '/ws/runs/a-1';
  assert.equal(resumeRefusal(undefined), 'its folder is no longer a run on disk');
  assert.equal(resumeRefusal(runRows([], [summary(dir)])[0]), undefined);
  assert.equal(resumeRefusal(runRows([], [summary(dir, { checkpoints: [] })])[0]), 'it has no checkpoint');
  assert.equal(resumeRefusal(runRows([], [summary(dir, { status: 'completed' })])[0]), 'it has completed');
  assert.equal(resumeRefusal(runRows([], [summary(dir, { engineProblem: 'r/engine.json: not valid JSON' })])[0]), 'the engine it was started with is unknown (r/engine.json: not valid JSON)');
  assert.equal(resumeRefusal(runRows([state({ runDir: dir, status: 'running' })], [summary(dir)])[0]), 'it is running');
  assert.equal(runLabel({ configPath: '/ws/a.orpo.yaml' }), 'a.orpo.yaml');
  assert.equal(runLabel({ configPath: '/ws/a.orpo.yaml', runDir: '/ws/runs/a-20260101-120000/' }), 'a-20260101-120000');
});

void test('progress: a resumed run shows its folder\'s step until the engine reports its own', () => {
  const dir = '/ws/runs/a-1';
  const resuming = state({ runDir: dir, status: 'starting', step: 0 });
  const row = runRows([resuming], [summary(dir, { lastStep: 104, totalSteps: 300 })])[0] as RunNode;
  assert.equal(progressText(row), '104/300');
  resuming.started = { type: 'started', run_dir: dir, config: '/ws/a.orpo.yaml', name: 'a', method: 'orpo', backend: 'cpu', device: 'x', total_steps: 300, start_step: 104, pid: 1, time: '' };
  resuming.step = 106;
  resuming.totalSteps = 300;
  assert.equal(progressText(row), '106/300');
  assert.equal(progressText(runRows([], [summary(dir, { lastStep: 7 })])[0] as RunNode), 'step 7');
});

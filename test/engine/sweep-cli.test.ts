// Issue 15, running: a 2 × 2 sweep through the CLI on a tiny config: the sweep.json index, one normal run
// directory per variant named after its values, a stop line that stops the whole sweep with a checkpoint,
// --resume that skips the finished variant and resumes the stopped one, and a crashed variant that is
// marked as crashed while the other goes on; kill -9 of the sweep process, whose variants checkpoint and
// stop, and --resume after it; `train` on a config with sweep: says the sweep is ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseSweepEvent, parseSweepIndex, type SweepEvent, type SweepIndex } from '../../src/common/sweepIndex';
import { badDataFile, orpoConfig, root, runCli } from './cli';

const data = join(root, 'examples/data/hh-rlhf-tiny.jsonl.gz');

function config(dir: string, sweep: string, steps = 12): string {
  return orpoConfig(dir, { train: `max_steps: ${steps}, eval_every: 4, save_every: 4, eval_samples: 0`, backend: 'wasm', extra: `sweep:\n${sweep}` });
}

interface SweepResult { code: number | null; events: SweepEvent[]; stderr: string }

function runSweep(args: string[], onEvent?: (e: SweepEvent, stop: () => void) => void, env: Record<string, string> = {}): Promise<SweepResult> {
  // The built CLI (scripts/test.mjs builds dist/ first): every variant is a child of the same entry, and
  // the bundle starts much faster than tsx would, once per variant.
  const child = spawn(process.execPath, [join(root, 'bin/orpo-lab.js'), 'sweep', ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const events: SweepEvent[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const e = parseSweepEvent(line);
    assert.ok(e, `stdout carries only sweep events, got: ${line}`);
    events.push(e);
    onEvent?.(e, () => child.stdin.write('{"type":"stop"}\n'));
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, events, stderr })));
}

const readIndex = (dir: string): SweepIndex => {
  const p = parseSweepIndex(readFileSync(join(dir, 'sweep.json'), 'utf8'));
  assert.ok(p.ok, p.ok ? '' : p.error);
  return p.value;
};
const lastStep = (runDir: string): number => {
  const rows = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number });
  return Math.max(...rows.map((r) => r.step));
};

test('a 2 × 2 sweep: index and run directories; stop the whole sweep, then --resume finishes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-sweep-'));
  const cfg = config(dir, '  lambda: [0.1, 0.5]\n  seed: [1, 2]\n');
  let stopped = false;
  // Stop once the second variant has started training (the first one is complete by then).
  const first = await runSweep([cfg], (e, stop) => {
    if (!stopped && e.type === 'variant' && e.name === 'lambda=0.1_seed=2' && e.status === 'running' && e.total_steps !== undefined) {
      stopped = true;
      stop();
    }
  });
  assert.equal(first.code, 0, first.stderr);
  const started = first.events[0];
  assert.ok(started?.type === 'sweep-started' && started.variants === 4);
  const sweepDir = started.sweep_dir;
  assert.match(sweepDir, /runs\/tiny-\d{8}-\d{6}$/, 'under <output_dir>/<name>-<timestamp>/');
  let index = readIndex(sweepDir);
  assert.deepEqual(index.variants.map((v) => v.name), ['lambda=0.1_seed=1', 'lambda=0.1_seed=2', 'lambda=0.5_seed=1', 'lambda=0.5_seed=2']);
  assert.deepEqual(index.variants.map((v) => v.values), [{ lambda: 0.1, seed: 1 }, { lambda: 0.1, seed: 2 }, { lambda: 0.5, seed: 1 }, { lambda: 0.5, seed: 2 }]);
  assert.deepEqual(index.variants.map((v) => v.status), ['completed', 'stopped', 'pending', 'pending']);
  const done = join(sweepDir, 'lambda=0.1_seed=1');
  assert.equal(lastStep(done), 12);
  assert.match(readFileSync(join(done, 'config.yaml'), 'utf8'), /^lambda: 0\.1$/m, 'the variant ran with its own values');
  assert.match(readFileSync(join(done, 'config.yaml'), 'utf8'), /^seed: 1$/m);
  assert.ok(!/sweep:/.test(readFileSync(join(done, 'config.yaml'), 'utf8')), 'a variant is a plain run, without sweep:');
  const stoppedDir = join(sweepDir, 'lambda=0.1_seed=2');
  const stoppedAt = lastStep(stoppedDir);
  assert.ok(stoppedAt < 12, `stopped before the end (step ${stoppedAt})`);
  assert.ok(readdirSync(join(stoppedDir, 'checkpoints')).length > 0, 'the stopped variant checkpointed');
  assert.equal(existsSync(join(sweepDir, 'lambda=0.5_seed=1')), false, 'no pending variant was started');
  const doneMtime = statSync(join(done, 'metrics.jsonl')).mtimeMs;

  const second = await runSweep(['--resume', sweepDir]);
  assert.equal(second.code, 0, second.stderr);
  index = readIndex(sweepDir);
  assert.deepEqual(index.variants.map((v) => v.status), ['completed', 'completed', 'completed', 'completed']);
  assert.equal(statSync(join(done, 'metrics.jsonl')).mtimeMs, doneMtime, 'the finished variant was skipped');
  const resumed = second.events.find((e) => e.type === 'variant' && e.name === 'lambda=0.1_seed=2' && e.total_steps !== undefined);
  assert.ok(resumed?.type === 'variant' && (resumed.step ?? 0) > 0, `the stopped variant resumed from its checkpoint: ${JSON.stringify(resumed)}`);
  assert.ok(!second.events.some((e) => e.type === 'variant' && e.name === 'lambda=0.1_seed=1'), 'no event for the skipped variant');
  for (const v of index.variants) {
    assert.equal(lastStep(join(sweepDir, v.run_dir)), 12, `${v.name} finished`);
    const steps = readFileSync(join(sweepDir, v.run_dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number; loss?: number }));
    assert.equal(steps.filter((r) => r.loss !== undefined).length, 12, `${v.name}: one train row per step, none repeated`);
  }
  const last = second.events.at(-1);
  assert.ok(last?.type === 'sweep-finished' && last.counts.completed === 4);
  // Each variant is a normal run: `report` renders it alone, and the sweep directory as the sweep view.
  const one = spawnSync(process.execPath, [join(root, 'bin/orpo-lab.js'), 'report', done, '--out', join(dir, 'one.html')], { cwd: root, encoding: 'utf8' });
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stderr, /wrote \S+one\.html: 1 run\(s\), \d+ metric rows/);
  const all = spawnSync(process.execPath, [join(root, 'bin/orpo-lab.js'), 'report', sweepDir, '--out', join(dir, 'sweep.html')], { cwd: root, encoding: 'utf8' });
  assert.equal(all.status, 0, all.stderr);
  assert.match(all.stderr, /wrote \S+sweep\.html: sweep of 4 variants/);
});

test('a crashed variant is marked crashed; the others go on; --parallel 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-sweep-'));
  const bad = badDataFile(dir);
  const cfg = config(dir, `  data.train: [${data}, ${bad}]\n`, 4);
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('limit: 16', 'limit: 100'));
  const r = await runSweep([cfg, '--parallel', '2']);
  assert.equal(r.code, 1, 'a crashed variant makes the sweep exit 1');
  const started = r.events[0];
  assert.ok(started?.type === 'sweep-started' && started.parallel === 2);
  const index = readIndex(started.sweep_dir);
  const [good, broken] = index.variants;
  assert.equal(good?.status, 'completed');
  assert.equal(broken?.status, 'crashed');
  assert.match(broken?.error ?? '', /bad\.jsonl:61/, 'the crash says why');
});

test('bad sweeps exit 2 with file:line messages and create nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-sweep-'));
  const cfg = config(dir, '  lambda: []\n  seeds: [1]\n');
  const r = await runSweep([cfg]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /tiny\.orpo\.yaml:10:\d+: error: sweep\.lambda is an empty list/);
  assert.match(r.stderr, /tiny\.orpo\.yaml:11:\d+: error: sweep: unknown config path "seeds"; did you mean "seed"/);
  assert.equal(existsSync(join(dir, 'runs')), false);
});

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
const trainRows = (runDir: string): number[] => readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss?: number }).filter((r) => r.loss !== undefined).map((r) => r.step);

test('kill -9 of the sweep: its variants checkpoint and exit; --resume finishes every variant, each step once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-sweep-'));
  // No periodic checkpoint: the only one before the kill is the one a variant writes when its sweep dies.
  const steps = 150;
  const cfg = orpoConfig(dir, { train: `max_steps: ${steps}, eval_every: 1000, save_every: 1000, eval_samples: 0`, backend: 'wasm', extra: 'sweep:\n  lambda: [0.1, 0.5]\n' });
  const child = spawn(process.execPath, [join(root, 'bin/orpo-lab.js'), 'sweep', cfg, '--parallel', '2'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  let sweepDir = '';
  createInterface({ input: child.stdout }).on('line', (line) => { const e = parseSweepEvent(line); if (e?.type === 'sweep-started') sweepDir = e.sweep_dir; });
  const closed = new Promise<number | null>((resolve) => child.on('close', (_code, signal) => resolve(signal === 'SIGKILL' ? -9 : _code)));
  const names = ['lambda=0.1', 'lambda=0.5'];
  // Both variants training (a few train rows each): their pids from their run.lock.
  const pids = await (async () => {
    for (const end = Date.now() + 120_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      if (!sweepDir) continue;
      const ready = names.every((n) => existsSync(join(sweepDir, n, 'metrics.jsonl')) && trainRows(join(sweepDir, n)).length >= 3);
      if (ready) return names.map((n) => (JSON.parse(readFileSync(join(sweepDir, n, 'run.lock'), 'utf8')) as { pid: number }).pid);
    }
    throw new Error(`both variants never trained: ${stderr}`);
  })();
  child.kill('SIGKILL');
  assert.equal(await closed, -9, 'the sweep died by SIGKILL');
  assert.equal(readIndex(sweepDir).variants.filter((v) => v.status === 'running').length, 2, 'the killed sweep could not record anything');
  for (const pid of pids) {
    const end = Date.now() + 60_000;
    while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(pid), false, `variant process ${pid} exited after its sweep died`);
  }
  const stoppedAt = names.map((n) => {
    const rows = trainRows(join(sweepDir, n));
    const last = Math.max(...rows);
    assert.ok(last < steps, `${n} stopped before the end (step ${last})`);
    assert.ok(existsSync(join(sweepDir, n, 'checkpoints', `checkpoint-${last}`, 'trainer_state.json')), `${n}: a checkpoint at its last step ${last}`);
    assert.equal(existsSync(join(sweepDir, n, 'run.lock')), false, `${n}: lock released`);
    return last;
  });

  const resumed = await runSweep(['--resume', sweepDir]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /lambda=0\.1: the sweep that ran it ended without recording its end \(killed\?\)/);
  assert.match(resumed.stderr, new RegExp(`lambda=0\\.1: resuming from \\S*checkpoint-${stoppedAt[0]}`));
  const index = readIndex(sweepDir);
  assert.deepEqual(index.variants.map((v) => v.status), ['completed', 'completed']);
  for (const n of names) assert.deepEqual(trainRows(join(sweepDir, n)), Array.from({ length: steps }, (_, i) => i + 1), `${n}: every step once, across the kill`);
});

test('--parallel 2 divides the threads; a stop stops both running variants; a second --resume meanwhile is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-sweep-'));
  const cfg = config(dir, '  lambda: [0.1, 0.5]\n', 200);
  let sweepDir = '';
  let second: Promise<SweepResult> | undefined;
  const training = new Set<string>();
  const first = await runSweep([cfg, '--parallel', '2'], (e, stop) => {
    if (e.type === 'sweep-started') sweepDir = e.sweep_dir;
    if (e.type === 'variant' && e.status === 'running' && e.total_steps !== undefined) training.add(e.name);
    if (training.size === 2 && !second) {
      second = runSweep(['--resume', sweepDir]);
      void second.then(stop);
    }
  }, { ORPO_LAB_THREADS: '2' });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /2 variants \(2 to run\), 2 at a time, 1 thread\(s\) each/);
  for (const n of ['lambda=0.1', 'lambda=0.5']) assert.match(first.stderr, new RegExp(`${n}: \\[orpo-lab\\] backend \\w+: .*\\b1 BLAS thread\\b`), `${n} ran on 2 / 2 = 1 thread`);
  const r = await second;
  assert.equal(r?.code, 1, r?.stderr);
  assert.match(r?.stderr ?? '', /is in use by process \d+/);
  const index = readIndex(sweepDir);
  assert.deepEqual(index.variants.map((v) => v.status), ['stopped', 'stopped'], 'both running variants stopped; the refused resume changed nothing');
  for (const v of index.variants) assert.ok(readdirSync(join(sweepDir, v.run_dir, 'checkpoints')).length > 0, `${v.name} checkpointed`);
});

test('train on a config with sweep: says the sweep is ignored (JSON warning event and stderr; terminal line) and runs once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-sweep-'));
  const cfg = config(dir, '  lambda: [0.1, 0.5]\n', 2);
  const warned = /tiny\.orpo\.yaml:9: the sweep: section \(2 variants\) is ignored by orpo-lab train, which runs the config once as written; run every variant with orpo-lab sweep \S*tiny\.orpo\.yaml/;
  const json = await runCli(['train', cfg, '--out', join(dir, 'once')]);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(json.bad, []);
  const w = json.events.find((e) => e.type === 'warning');
  assert.ok(w?.type === 'warning' && warned.test(w.message), JSON.stringify(w));
  assert.ok(json.events.findIndex((e) => e.type === 'warning') < json.events.findIndex((e) => e.type === 'started'), 'before the run starts');
  assert.match(json.stderr, /tiny\.orpo\.yaml:9:1: warning: the sweep: section \(2 variants\) is ignored by orpo-lab train/);
  assert.equal(existsSync(join(dir, 'runs')), false, 'no sweep directory');

  // On a terminal (util-linux script: a pseudo-terminal), the same sentence as a warning line.
  const cmd = [process.execPath, join(root, 'bin/orpo-lab.js'), 'train', cfg, '--out', join(dir, 'tty')].map((a) => `'${a}'`).join(' ');
  const tty = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: root, encoding: 'utf8', env: { ...process.env, COLUMNS: '400' } });
  assert.equal(tty.status, 0, tty.stdout);
  assert.match(tty.stdout, /^\S*tiny\.orpo\.yaml:9:1: warning: the sweep: section \(2 variants\) is ignored by orpo-lab train, which runs the config once as written; run every variant with orpo-lab sweep \S*tiny\.orpo\.yaml\r?$/m);
  assert.ok(!/^\{"type"/m.test(tty.stdout), 'no JSON events on a terminal');
  assert.match(tty.stdout, /completed at step 2\/2/);
});

// Faults and concurrent writers, with real engine processes (issue 12 §8). One writer per run
// directory: runs of one name started together get their own directories; the same --out used twice at
// once lets one run and refuses the other; --resume while the run still trains is refused; a finished
// run's --out is never appended to (refusals exit 1 with an `error` event naming the directory). A stop
// during start-up ends with a `finished` event; `report --out` to an unwritable path says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, runCli, tinyConfig, type CliResult } from './cli';

const config = (dir: string, train = 'max_steps: 2, save_every: 1'): string => tinyConfig(dir, train);

const trainSteps = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss?: number }).filter((r) => r.loss !== undefined).map((r) => r.step);
const errorOf = (r: CliResult) => r.events.find((e) => e.type === 'error');

test('two runs of one name started together write two directories, none shared', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-lock-'));
  const p = config(dir);
  const rs = await Promise.all([0, 1].map(() => runCli(['train', p])));
  const dirs = rs.map((r) => {
    assert.equal(r.code, 0, r.stderr);
    const s = r.events.find((e) => e.type === 'started');
    assert.ok(s?.type === 'started');
    return s.run_dir;
  });
  assert.equal(new Set(dirs).size, 2, dirs.join(', '));
  for (const d of dirs) {
    assert.deepEqual(trainSteps(d), [1, 2], `${d}: its own metrics, not interleaved`);
    assert.equal(existsSync(join(d, 'run.lock')), false, 'the lock is released at the end');
  }
});

test('the same --out twice at once: one run trains, the other is refused naming the owner', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-lock-'));
  const out = join(dir, 'run');
  const p = config(dir);
  const rs = await Promise.all([runCli(['train', p, '--out', out]), runCli(['train', p, '--out', out])]);
  assert.deepEqual(rs.map((r) => r.code).sort(), [0, 1], rs.map((r) => r.stderr).join('\n'));
  const loser = rs.find((r) => r.code === 1) as CliResult;
  const err = errorOf(loser);
  assert.ok(err?.type === 'error' && err.message.includes(out) && /in use by process \d+|already holds a run/.test(err.message), JSON.stringify(err));
  assert.equal(loser.events.some((e) => e.type === 'started'), false, 'the refused run never started');
  assert.deepEqual(trainSteps(out), [1, 2]);
});

test('--resume while the run trains is refused; a finished run\'s --out is not reused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-lock-'));
  const out = join(dir, 'run');
  const p = config(dir, 'max_steps: 400, save_every: 1');
  let second: Promise<CliResult> | undefined;
  const first = await runCli(['train', p, '--out', out], (e, child) => {
    if (!second && e.type === 'checkpoint') {
      second = runCli(['train', p, '--resume', out]).then((r) => { child.stdin?.write('{"type":"stop"}\n'); return r; });
    }
  });
  const resumed = await (second as Promise<CliResult>);
  assert.equal(resumed.code, 1, resumed.stderr);
  const err = errorOf(resumed);
  assert.ok(err?.type === 'error' && err.message.includes(`in use by process ${(first.events.find((e) => e.type === 'started') as { pid?: number } | undefined)?.pid ?? '?'}`), JSON.stringify(err));
  assert.equal(first.code, 0, first.stderr);
  const fin = first.events.at(-1);
  assert.ok(fin?.type === 'finished' && fin.reason === 'stopped');
  const before = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
  const reuse = await runCli(['train', p, '--out', out]);
  assert.equal(reuse.code, 1);
  assert.match(errorOf(reuse)?.type === 'error' ? (errorOf(reuse) as { message: string }).message : '', /already holds a run.*--resume/);
  assert.equal(readFileSync(join(out, 'metrics.jsonl'), 'utf8'), before, 'nothing appended');
});

test('SIGTERM while the built CLI is still loading ends with a finished (stopped) event, exit 0, no directory left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-lock-'));
  const out = join(dir, 'run');
  // The built CLI (npm test builds dist/ first): tsx's own loader catches SIGTERM, which would hide ours.
  const child = spawn(process.execPath, [join(root, 'bin/orpo-lab.js'), 'train', config(dir), '--out', out], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ORPO_LAB_TRACE_STARTUP: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  // As soon as the first line of bin/orpo-lab.js ran: the bundle (tfjs, the config checks) is still loading.
  while (!stderr.includes('holding stop signals during start-up')) await new Promise((r) => setTimeout(r, 2));
  child.kill('SIGTERM');
  assert.equal(await closed, 0, stderr);
  const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; reason?: string });
  assert.equal(stdout.includes('"type":"started"'), false, 'stopped before training began');
  const fin = events.at(-1);
  assert.ok(fin?.type === 'finished' && fin.reason === 'stopped', stdout);
  assert.match(stderr, /stopped before training began; nothing was written/);
  assert.equal(existsSync(out), false, 'the empty run directory was removed');
});

test('report --out to an unwritable path says why in one line, without a stack', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-report-'));
  for (const [out, why] of [[join(dir, 'missing', 'r.html'), /its folder does not exist/], [dir, /it is a directory/]] as const) {
    const r = await runCli(['report', join(root, 'test/fixtures/run-orpo'), '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^orpo-lab report: cannot write ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${why.source}\\n$`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack');
  }
});

// Resume trusts nothing it has not checked, and faults end in words (issue 12 §8), with the engine as a
// process: a flipped bit in a checkpoint is refused naming the file; a NaN checkpoint is refused without
// "lower the learning rate" and is never called the last good one; a checkpoint of another model names
// its config.json; metrics rows after the checkpoint are reported and kept in a backup; orphan
// temporaries are removed; an old `step-N` checkpoint still resumes; a full disk (a real tmpfs, in a
// user and mount namespace) names the file being written and the last good checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseEvent, type EngineEvent, type ErrorEvent } from '../../src/common/events';
import { readSafetensors, writeSafetensors } from '../../src/engine/hf/safetensors';
import { root, runCli, tinyConfig, type CliResult } from './cli';

const config = (dir: string, train = 'max_steps: 4, save_every: 2'): string => tinyConfig(dir, train);

const errorOf = (r: CliResult): ErrorEvent => {
  const e = r.events.find((x): x is ErrorEvent => x.type === 'error');
  assert.ok(e, `an error event; stderr: ${r.stderr}`);
  return e;
};

let base: { dir: string; cfg: string; run: string } | undefined;
async function baseRun() {
  if (base) return base;
  const dir = mkdtempSync(join(tmpdir(), 'orpo-resume-'));
  const cfg = config(dir);
  const run = join(dir, 'base');
  const r = await runCli(['train', cfg, '--out', run]);
  assert.equal(r.code, 0, r.stderr);
  base = { dir, cfg, run };
  return base;
}
function copyRun(name: string): string {
  const b = base as { dir: string; run: string };
  const to = join(b.dir, name);
  cpSync(b.run, to, { recursive: true });
  return to;
}

test('a flipped bit in model.safetensors is refused naming the file; metrics are untouched', async () => {
  const { cfg } = await baseRun();
  const run = copyRun('flip');
  const file = join(run, 'checkpoints', 'checkpoint-4', 'model.safetensors');
  const bytes = readFileSync(file);
  bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0x40;
  writeFileSync(file, bytes);
  const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8');
  const r = await runCli(['train', cfg, '--resume', run, '--max-steps', '6']);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(errorOf(r).message.startsWith(`${file}: sha256 differs`), errorOf(r).message);
  assert.equal(readFileSync(join(run, 'metrics.jsonl'), 'utf8'), metrics);
  assert.equal(existsSync(join(run, 'run.lock')), false, 'the lock is released after a refusal');
});

test('a NaN checkpoint is refused without blaming the learning rate, and is not named the last good one', async () => {
  const { cfg } = await baseRun();
  const run = copyRun('nan');
  const ck = join(run, 'checkpoints', 'checkpoint-4');
  const tensors = [];
  for await (const [name, t] of readSafetensors(join(ck, 'model.safetensors'))) tensors.push({ name, shape: t.shape, data: async () => Float32Array.from(t.data, () => NaN) });
  await writeSafetensors(join(ck, 'model.safetensors'), tensors);
  rmSync(join(ck, 'manifest.json')); // as an older checkpoint would be: only the weights check can catch it
  const r = await runCli(['train', cfg, '--resume', run, '--max-steps', '6']);
  assert.equal(r.code, 1, r.stderr);
  const err = errorOf(r);
  assert.match(err.message, /model\.safetensors: the checkpoint's weights are not finite/);
  assert.doesNotMatch(err.message, /learning_rate|last good checkpoint is .*checkpoint-4/);
  assert.notEqual(err.checkpoint, ck);
});

test('another model\'s checkpoint, a wrong weight shape and broken JSON name config.json, model.safetensors and trainer_state.json', async () => {
  const { cfg } = await baseRun();
  const run = copyRun('other');
  const ck = join(run, 'checkpoints', 'checkpoint-4');
  rmSync(join(ck, 'manifest.json'));
  const c = JSON.parse(readFileSync(join(ck, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(ck, 'config.json'), JSON.stringify({ ...c, n_embd: 32 }));
  const r = await runCli(['train', cfg, '--resume', run, '--max-steps', '6']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(errorOf(r).message, new RegExp(`^${join(ck, 'config.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: "n_embd" is 32 but this run's model has 16`));
  writeFileSync(join(ck, 'config.json'), JSON.stringify(c));
  // A weight of the wrong shape under a matching config.json: the weights file is named.
  const tensors = [];
  for await (const [name, t] of readSafetensors(join(ck, 'model.safetensors'))) {
    const shape = name.endsWith('ln_f.weight') ? [(t.shape[0] as number) + 1] : t.shape;
    tensors.push({ name, shape, data: async () => Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => 0.5) });
  }
  await writeSafetensors(join(ck, 'model.safetensors'), tensors);
  const shaped = await runCli(['train', cfg, '--resume', run, '--max-steps', '6']);
  assert.equal(shaped.code, 1);
  assert.ok(errorOf(shaped).message.startsWith(`${join(ck, 'model.safetensors')}: `) && /ln_f\.weight.*shape \[17\], expected \[16\]/.test(errorOf(shaped).message), errorOf(shaped).message);
  writeFileSync(join(ck, 'trainer_state.json'), '{"step": 4, "epoch": ');
  const broken = await runCli(['train', cfg, '--resume', run, '--max-steps', '6']);
  assert.equal(broken.code, 1);
  assert.ok(errorOf(broken).message.startsWith(`${join(ck, 'trainer_state.json')}: not valid JSON`), errorOf(broken).message);
});

test('resume from an old step-N checkpoint: later rows are reported and backed up, orphan temporaries removed', async () => {
  const { cfg } = await baseRun();
  const run = copyRun('old');
  const ckdir = join(run, 'checkpoints');
  rmSync(join(ckdir, 'checkpoint-4'), { recursive: true });
  renameSync(join(ckdir, 'checkpoint-2'), join(ckdir, 'step-2'));
  rmSync(join(ckdir, 'step-2', 'manifest.json'));
  mkdirSync(join(ckdir, '.tmp-step-3-424242'));
  writeFileSync(join(ckdir, '.tmp-step-3-424242', 'model.safetensors'), Buffer.alloc(1000));
  const rows = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n');
  const later = rows.filter((l) => (JSON.parse(l) as { step: number }).step > 2);
  assert.ok(later.length >= 2, 'the base run logged steps 3 and 4');
  const r = await runCli(['train', cfg, '--resume', run, '--max-steps', '4']);
  assert.equal(r.code, 0, r.stderr);
  const warn = r.events.find((e): e is Extract<EngineEvent, { type: 'warning' }> => e.type === 'warning' && e.message.includes('metrics.jsonl'));
  assert.ok(warn, r.stderr);
  assert.match(warn.message, new RegExp(`removed ${later.length} rows written after checkpoint step 2.*metrics\\.jsonl\\.before-resume-2`));
  assert.match(r.stderr, new RegExp(`removed ${later.length} rows`));
  assert.deepEqual(readFileSync(join(run, 'metrics.jsonl.before-resume-2'), 'utf8').trim().split('\n'), later);
  assert.equal(existsSync(join(ckdir, '.tmp-step-3-424242')), false, 'orphan removed');
  assert.ok(existsSync(join(ckdir, 'checkpoint-4', 'manifest.json')), 'new checkpoints are checkpoint-N with a manifest');
  const steps = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss?: number }).filter((x) => x.loss !== undefined).map((x) => x.step);
  assert.deepEqual(steps, [1, 2, 3, 4], 'train rows: each step once');
});

test('a full disk names the file being written and the last good checkpoint, and leaves no temporary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-enospc-'));
  const cfg = config(dir, 'max_steps: 6, save_every: 1');
  const mnt = join(dir, 'disk');
  mkdirSync(mnt);
  // A 160 KiB tmpfs holds the metrics and one checkpoint (about 100 KiB) but not two.
  const script = 'mount -t tmpfs -o size=160k tmpfs "$0" && "$@"; rc=$?; echo "LEFT:$(ls -A "$0/run/checkpoints" | tr "\\n" " ")" >&2; exit $rc';
  const child = spawn('unshare', ['-rm', 'sh', '-c', script, mnt, process.execPath, '--import', 'tsx', join(root, 'src/engine/cli.ts'), 'train', cfg, '--out', join(mnt, 'run')], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const events: EngineEvent[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  createInterface({ input: child.stdout }).on('line', (l) => { const p = parseEvent(l); if (p.ok) events.push(p.value); });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 1, stderr);
  const err = events.find((e): e is ErrorEvent => e.type === 'error');
  const saved = events.filter((e) => e.type === 'checkpoint').map((e) => (e as { path: string }).path);
  assert.ok(err && saved.length >= 1, stderr);
  assert.match(err.message, /checkpoint-\d+\/[\w.]+: no space left on device while writing a checkpoint/);
  assert.ok(err.message.includes(`The last good checkpoint is ${saved.at(-1)}`), err.message);
  assert.equal(err.checkpoint, saved.at(-1));
  const left = /LEFT:(.*)/.exec(stderr)?.[1]?.trim().split(' ') ?? [];
  assert.deepEqual(left.filter((n) => n.startsWith('.')), [], `no temporary left: ${left.join(' ')}`);
  assert.ok(readdirSync(dir).includes('disk'));
});

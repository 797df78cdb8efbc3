// What resume checks before trusting a checkpoint, in process: trainer_state.json field by field (the
// corruptions that used to truncate metrics or train from step -4), the checksum manifest (a flipped
// bit, a truncated file), and the AdamW moments (missing, wrong shape, wrong dtype). Each refusal names
// the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../testing/tf';
import { writeSafetensors } from '../hf/safetensors';
import { CheckpointError, readTrainerState, verifyManifest, writeManifest } from './checkpointCheck';
import { loadOptimizer, type TrainerState } from './checkpoint';
import { AdamW } from './optimizer';

const good: TrainerState = { step: 4, epoch: 1.5, optimizer_t: 4, loader: { epoch: 1, position: 2 }, elapsed_s: 3.5, total_steps: 10 };

function withState(state: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-ck-'));
  writeFileSync(join(dir, 'trainer_state.json'), typeof state === 'string' ? state : JSON.stringify(state));
  return dir;
}

const refused = (dir: string, file: string, what: RegExp) => (e: unknown) =>
  e instanceof CheckpointError && e.message.startsWith(join(dir, file) + ': ') && what.test(e.message);

test('trainer_state.json: a good state is read back; each corruption is refused naming the file and the field', () => {
  assert.deepEqual(readTrainerState(withState(good), 10), good);
  const cases: [unknown, RegExp][] = [
    [{ ...good, step: -4 }, /"step" must be an integer in \[1,/],
    [{ ...good, step: 1e9, optimizer_t: 1e9 }, /"step" is 1000000000, beyond this run's 10 steps/],
    [{ ...good, step: '4' }, /"step" must be an integer.*got "4"/],
    [{ ...good, step: 2.5 }, /"step" must be an integer/],
    [{ ...good, optimizer_t: 3 }, /"optimizer_t" \(3\) must equal "step" \(4\)/],
    [{ ...good, loader: { epoch: 0 } }, /"loader.position" must be an integer/],
    [{ ...good, elapsed_s: null }, /"elapsed_s" must be a finite number/],
    ['{"step": 4,', /not valid JSON/],
    [[1, 2], /expected a JSON object/],
  ];
  for (const [state, what] of cases) {
    const dir = withState(state);
    assert.throws(() => readTrainerState(dir, 10), refused(dir, 'trainer_state.json', what), JSON.stringify(state));
  }
});

test('the manifest catches a flipped bit and a truncated file, naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-ck-'));
  writeFileSync(join(dir, 'model.safetensors'), Buffer.alloc(4096, 7));
  writeFileSync(join(dir, 'trainer_state.json'), JSON.stringify(good));
  assert.equal(verifyManifest(dir), false, 'no manifest: an older checkpoint');
  writeManifest(dir);
  assert.equal(verifyManifest(dir), true);
  const bytes = readFileSync(join(dir, 'model.safetensors'));
  bytes[1234] = (bytes[1234] as number) ^ 0x10;
  writeFileSync(join(dir, 'model.safetensors'), bytes);
  assert.throws(() => verifyManifest(dir), refused(dir, 'model.safetensors', /sha256 differs/));
  truncateSync(join(dir, 'model.safetensors'), 100);
  assert.throws(() => verifyManifest(dir), refused(dir, 'model.safetensors', /100 bytes, but 4096 were written/));
});

test('optimizer.safetensors: a missing moment, a wrong shape, a negative second moment or a stray tensor is refused, never zeros', async () => {
  await useCpu();
  const params = new Map([['w', tf.variable(tf.ones([2, 3]))], ['b', tf.variable(tf.ones([3]))]]);
  const entry = (name: string, shape: number[], value = 0.5) => ({ name, shape, data: async () => new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value) });
  const write = async (entries: ReturnType<typeof entry>[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'orpo-ck-'));
    await writeSafetensors(join(dir, 'optimizer.safetensors'), entries, { format: 'orpo-lab-adamw' });
    return dir;
  };
  const all = [entry('w.exp_avg', [2, 3]), entry('w.exp_avg_sq', [2, 3]), entry('b.exp_avg', [3]), entry('b.exp_avg_sq', [3])];
  const opt = new AdamW(params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0 }, () => false);
  await loadOptimizer(await write(all), opt, good);
  assert.deepEqual([...(opt.m.get('w') as tf.Variable).dataSync()], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  assert.equal(opt.t, 4);
  const bad: [ReturnType<typeof entry>[], RegExp][] = [
    [all.slice(0, 3), /missing tensor "b.exp_avg_sq"/],
    [[...all.slice(0, 3), entry('b.exp_avg_sq', [4])], /"b.exp_avg_sq" has shape \[4\], expected \[3\]/],
    [[...all.slice(0, 3), entry('b.exp_avg_sq', [3], -1)], /holds -1 at index 0/],
    [[...all, entry('c.exp_avg', [1])], /"c.exp_avg" belongs to no parameter/],
  ];
  for (const [entries, what] of bad) {
    (opt.m.get('w') as tf.Variable).assign(tf.fill([2, 3], 9));
    const dir = await write(entries);
    await assert.rejects(loadOptimizer(dir, opt, good), refused(dir, 'optimizer.safetensors', what));
    assert.equal((opt.m.get('w') as tf.Variable).dataSync()[0], 9, 'a refused file changes no moment');
  }
  opt.dispose();
});

// The WebGPU step structure of issue 11, counted on Dawn's null backend (host-side work only; values
// read back are zeros there, which keeps every loss finite): GPU → CPU reads in a real training run
// (one per logged step, each issued without waiting, one per evaluation of several batches), one per
// generated token, and pipeline compiles with length buckets (none after the first step of each bucket).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { resolveConfig } from '../../../common/config';
import { Rng } from '../../data/rng';
import type { TokenizedPair } from '../../data/tokenize';
import { generateIds } from '../../generate/generate';
import { createScratchGpt2 } from '../../model/gpt';
import { ByteTokenizer } from '../../tokenizer/bytes';
import { AdamW } from '../../train/optimizer';
import { runFiles } from '../../train/runDir';
import { collateFor, disposeBatch, gradients, toTensors } from '../../train/step';
import { runTraining } from '../../train/trainer';
import { selectBackend } from '../select';
import { gpuCounts } from './counts';

const tok = new ByteTokenizer();
const rng = new Rng(21);
const ids = (n: number) => Array.from({ length: n }, () => Math.floor(rng.next() * 250));
const pair = (p: number, c: number, r: number): TokenizedPair => ({ prompt: ids(p), chosen: ids(c), rejected: ids(r) });

async function nullWebgpu(): Promise<void> {
  process.env.ORPO_LAB_DAWN_FLAGS = 'backend=null';
  process.env.ORPO_LAB_WEBGPU_COUNTS = '1';
  const info = await selectBackend('webgpu');
  assert.match(info.device, /null-backend/);
}

test('a training run reads once per logged step and once per evaluation of two batches; generation once per token', { timeout: 300_000 }, async () => {
  await nullWebgpu();
  const cfg = resolveConfig({
    name: 't', seed: 3, method: 'orpo', lambda: 1, model: { layers: 1, d_model: 32, heads: 2, context: 64 },
    data: { train: 'x.jsonl' }, train: { batch_size: 2, max_steps: 4, learning_rate: 1e-3, warmup_steps: 0, schedule: 'constant', log_every: 1, eval_every: 2, save_every: 1000, eval_samples: 0 },
  });
  const model = createScratchGpt2(cfg.model, tok.vocabSize, tok.eosId, 3);
  const readsAt: { what: string; reads: number }[] = [];
  const r0 = gpuCounts().reads;
  const result = await runTraining({
    cfg, configYaml: 'name: t\n', model, tokenizer: tok, train: [pair(9, 5, 7), pair(12, 3, 4), pair(6, 6, 6), pair(20, 8, 2)],
    eval: [pair(5, 5, 5), pair(7, 2, 9), pair(3, 11, 4)], files: runFiles(mkdtempSync(join(tmpdir(), 'orpo-reads-'))), totalSteps: 4,
    emit: (e) => { if (e.type === 'metrics') readsAt.push({ what: `${e.split} ${e.row.step}`, reads: gpuCounts().reads - r0 }); },
    log: () => {}, stopRequested: () => false,
  });
  assert.equal(result.type, 'finished', JSON.stringify(result));
  // Train rows land in order; step 2's eval follows step 2's row. Up to it: reads of steps 1 and 2, one for the eval.
  assert.deepEqual(readsAt.map((x) => x.what), ['train 1', 'train 2', 'eval 2', 'train 3', 'train 4', 'eval 4']);
  assert.equal(readsAt[2]?.reads, 3, 'two logged steps and one evaluation (3 pairs in 2 batches): 3 reads');
  // Steps 3, 4, then step 4's checkpoint check (finiteParams) reads once before the eval at step 4.
  assert.equal(readsAt[5]?.reads, 3 + 2 + 1 + 1, JSON.stringify(readsAt));
  const before = gpuCounts().reads;
  const out = await generateIds(model, ids(5), { maxNewTokens: 6, decoding: { kind: 'greedy' } });
  assert.equal(out.length, 6);
  assert.equal(gpuCounts().reads - before, 6, 'one read per generated token');
  model.dispose();
});

test('with length buckets, no pipeline compiles after the first step of each bucket, and the buffer pool stops growing', { timeout: 300_000 }, async () => {
  await nullWebgpu();
  const model = createScratchGpt2({ from: 'scratch', layers: 1, d_model: 32, heads: 2, context: 256 }, tok.vocabSize, tok.eosId, 5);
  const opt = new AdamW(model.params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 }, (n) => model.noDecay(n));
  const settings = { method: 'orpo' as const, lambda: 0.1, nllOnPrompt: true };
  const seen = new Map<number, number>(); // bucket → GPU buffer bytes after its first step
  let peak = 0;
  // longest rows 20, 28, 45, 60, 31, 100, 120, 50, 17, 90: buckets 32, 32, 64, 64, 32, 128, 128, 64, 32, 128
  const lengths = [[10, 10], [14, 14], [20, 25], [30, 30], [11, 20], [50, 50], [60, 60], [25, 25], [9, 8], [45, 45]] as const;
  for (const [i, [p, c]] of lengths.entries()) {
    const c0 = gpuCounts();
    const batch = collateFor(model, [pair(p, c, 3), pair(4, 2, c)], tok.padId);
    const bt = toTensors(batch);
    const g = gradients(model, bt, settings);
    const norm = opt.step(g.grads, 1e-3);
    const packed = tf.tidy(() => tf.concat([g.metrics, tf.reshape(norm, [1])])); // the trainer's one read
    await packed.data();
    tf.dispose([packed, norm, g.metrics, ...g.grads.values()]);
    disposeBatch(bt);
    const c1 = gpuCounts();
    const first = seen.get(batch.T);
    if (first === undefined) seen.set(batch.T, c1.liveBytes);
    else {
      assert.equal(c1.compiles - c0.compiles, 0, `compiles in a later step of bucket ${batch.T} (longest row ${batch.longest})`);
      // from the third step: the run's second step still adds a few hundred bytes of small buffers
      if (i >= 2) assert.ok(c1.liveBytes <= peak, `GPU buffers grew in a later step of bucket ${batch.T}: ${c1.liveBytes} B after ${peak} B`);
    }
    peak = Math.max(peak, c1.liveBytes);
  }
  assert.deepEqual([...seen.keys()], [32, 64, 128]);
  opt.dispose();
  model.dispose();
});

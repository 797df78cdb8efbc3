// 16-bit frozen weights on WebGPU (webgpu/half.ts; Dawn on llvmpipe here): transformers' own bf16 Llama
// fixture loads with its matrices kept 16-bit, gives transformers' logits (its reference.json) to 1e-4,
// trains a LoRA adapter to the losses of the same run with the weights converted to float32 up front
// (1e-4 relative: the same numbers, another summation order), and a model saved as loaded writes every
// tensor back bit for bit. The native backend's fuller test is loraHalf.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { collate } from '../data/batch';
import { attachLora, createLora, trainableParams } from '../model/lora';
import type { CausalLM } from '../model/types';
import { AdamW } from '../train/optimizer';
import { disposeBatch, gradients, toTensors } from '../train/step';
import { loadModelDir } from './load';
import { saveModelDir } from './save';
import { readSafetensorsBytes } from './safetensors';

const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'hf', 'tiny-llama-bf16');

/** Losses of 3 ORPO steps of a LoRA adapter (r 4, all-linear, B nonzero) on `model`. */
async function losses(model: CausalLM): Promise<number[]> {
  const lora = createLora(model, { r: 4, alpha: 8, dropout: 0, targets: 'all-linear' }, 3);
  for (const [name, v] of lora.params) if (name.endsWith('lora_B.weight')) v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 17));
  attachLora(model, lora);
  const V = model.config.vocab_size;
  const batch = collate(Array.from({ length: 2 }, (_, p) => ({
    prompt: Array.from({ length: 8 }, (_, i) => (i * 5 + p) % V), chosen: Array.from({ length: 8 }, (_, i) => (i * 7 + p + 1) % V), rejected: Array.from({ length: 8 }, (_, i) => (i * 3 + 2) % V),
  })), { padId: V - 1 });
  const opt = new AdamW(trainableParams(model), { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, () => false);
  const out: number[] = [];
  for (let s = 0; s < 3; s++) {
    const bt = toTensors(batch);
    const g = gradients(model, bt, { method: 'orpo', lambda: 0.1, nllOnPrompt: true });
    out.push((await g.metrics.data())[0] as number);
    tf.dispose(opt.step(g.grads, 1e-2));
    tf.dispose([...g.grads.values(), g.metrics]);
    disposeBatch(bt);
  }
  opt.dispose();
  return out;
}

test('WebGPU: a bf16 checkpoint\'s frozen matrices stay 16-bit, give transformers\' logits, train LoRA as float32 weights do, and save bit for bit', async () => {
  await selectBackend('webgpu');
  const ref = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as { input_ids: number[][]; logits: number[] };
  const tmp = await mkdtemp(join(tmpdir(), 'half-webgpu-'));
  try {
    const h = (await loadModelDir(DIR, { keep16: true })).model;
    const f = (await loadModelDir(DIR)).model;
    assert.ok(h.halves.size > 0 && f.halves.size === 0, 'the frozen matrices are 16-bit on WebGPU');
    const ids = tf.tensor2d(ref.input_ids, undefined, 'int32');
    const got = await h.forward(ids).data();
    ids.dispose();
    assert.ok(ref.logits.every((v, i) => Math.abs(v - (got[i] as number)) < 1e-4), 'logits match transformers to 1e-4');
    await saveModelDir(h, undefined, join(tmp, 'resaved'));
    const source = new Map<string, Buffer>();
    for await (const [name, , bytes] of readSafetensorsBytes(join(DIR, 'model.safetensors'))) source.set(name, bytes);
    for await (const [name, info, bytes] of readSafetensorsBytes(join(tmp, 'resaved', 'model.safetensors'))) {
      assert.equal(info.dtype, 'BF16', name);
      assert.ok(bytes.equals(source.get(name) as Buffer), `${name} resaved bit for bit`);
    }
    const [lh, lf] = [await losses(h), await losses(f)];
    assert.ok(lf[2] !== lf[0], 'the adapter trains');
    lh.forEach((v, i) => assert.ok(Math.abs(v - (lf[i] as number)) <= 1e-4 * Math.max(1, Math.abs(lf[i] as number)), `loss ${i}: ${v} (16-bit) vs ${lf[i]} (float32)`));
    h.dispose();
    f.dispose();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

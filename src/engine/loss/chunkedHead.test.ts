// The chunked output head (logps.ts chunkedLogps): target log-probs, logit sums and the gradients of
// the hidden states and of a trained head's weight against a float64 computation written here from
// the definitions (log-softmax, its gradient dz = dy·(onehot − softmax)), for chunks of 1, 3 and all
// rows; and, on real models, train/step.ts's gradients and metrics through the chunks equal those of
// the logits path, on the cpu backend and the native one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../testing/tf';
import { selectBackend } from '../backend/select';
import { collate } from '../data/batch';
import { createScratchGpt2 } from '../model/gpt';
import { createLlama } from '../model/llama';
import { attachLora, createLora, trainableParams } from '../model/lora';
import type { CausalLM } from '../model/types';
import { gradients, toTensors, disposeBatch } from '../train/step';
import { chunkedLogps, setHeadChunk } from './logps';
import { preferenceLoss, type LossSettings } from './preference';

const N = 10, d = 6, V = 13;
const rand = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * 97.1 + i * 12.9898) * 1.7);
const hv = rand(N * d, 1), wv = rand(V * d, 2), dyv = rand(N, 3);
const tv = Array.from({ length: N }, (_, i) => (i * 5 + 2) % V);

/** float64: logits z = h·Wᵀ, picked log-probs, logit sums, dh = Σ_v dz·W, dW = Σ_i dzᵀ·h with dz = dy·(onehot − p). */
function reference(): { lp: number[]; sums: number[]; dh: number[]; dw: number[] } {
  const lp: number[] = [], sums: number[] = [], dh = new Array<number>(N * d).fill(0), dw = new Array<number>(V * d).fill(0);
  for (let i = 0; i < N; i++) {
    const z = Array.from({ length: V }, (_, v) => Array.from({ length: d }, (_, k) => (hv[i * d + k] as number) * (wv[v * d + k] as number)).reduce((a, b) => a + b, 0));
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, x) => a + Math.exp(x - m), 0));
    lp.push((z[tv[i] as number] as number) - lse);
    sums.push(z.reduce((a, b) => a + b, 0));
    for (let v = 0; v < V; v++) {
      const dz = (dyv[i] as number) * ((v === tv[i] ? 1 : 0) - Math.exp((z[v] as number) - lse));
      for (let k = 0; k < d; k++) {
        dh[i * d + k] = (dh[i * d + k] as number) + dz * (wv[v * d + k] as number);
        dw[v * d + k] = (dw[v * d + k] as number) + dz * (hv[i * d + k] as number);
      }
    }
  }
  return { lp, sums, dh, dw };
}

const worst = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs((a[i] as number) - (b[i] as number)));
  return w;
};

for (const backend of ['cpu', 'native'] as const) {
  test(`chunked head (${backend}): log-probs, logit sums, dh and dW equal a float64 reference for chunks of 1, 3 and ${N} rows`, async () => {
    if (backend === 'cpu') await useCpu();
    else await selectBackend('native');
    const ref = reference();
    for (const rows of [1, 3, N]) {
      const old = setHeadChunk(rows * V);
      try {
        const w = tf.variable(tf.tensor2d(wv, [V, d]), true);
        const h = tf.tensor2d(hv, [N, d]), t = tf.tensor1d(tv, 'int32'), dy = tf.tensor1d(dyv);
        const head = { V, apply: (x: tf.Tensor2D): tf.Tensor2D => tf.matMul(x, w, false, true), weights: [w] };
        const both = tf.tidy(() => chunkedLogps(h, head, t).dataSync());
        assert.ok(worst(both.slice(0, N), ref.lp) < 1e-5, `${rows} rows: log-probs`);
        assert.ok(worst(both.slice(N), ref.sums) < 1e-4, `${rows} rows: logit sums`);
        const [gh, gw] = tf.grads((x: tf.Tensor, ww: tf.Tensor) => (void ww, tf.sum(tf.mul(tf.slice(chunkedLogps(x as tf.Tensor2D, head, t), 0, N), dy))))([h, w]);
        assert.ok(worst((gh as tf.Tensor).dataSync(), ref.dh) < 1e-5, `${rows} rows: dh`);
        assert.ok(worst((gw as tf.Tensor).dataSync(), ref.dw) < 1e-5, `${rows} rows: dW summed over chunks`);
        tf.dispose([w, h, t, dy, gh, gw] as tf.Tensor[]);
      } finally {
        setHeadChunk(old);
      }
    }
  });
}

const VM = 61;
const pairs = Array.from({ length: 2 }, (_, p) => ({
  prompt: Array.from({ length: 5 }, (_, i) => (i * 5 + p) % (VM - 1)),
  chosen: Array.from({ length: 7 - p }, (_, i) => (i * 7 + p) % (VM - 1)),
  rejected: Array.from({ length: 6 }, (_, i) => (i * 3 + 1) % (VM - 1)),
}));
const settings: LossSettings = { method: 'orpo', lambda: 0.5, nllOnPrompt: true };

/** Gradients and metrics of the logits path, written out here: model.forward, then the loss on the logits. */
function logitsPath(model: CausalLM): { grads: Map<string, Float32Array>; metrics: Float32Array } {
  const bt = toTensors(collate(pairs, { padId: VM - 1 }));
  const params = trainableParams(model);
  const names = [...params.keys()];
  let metrics: Float32Array = new Float32Array();
  const { value, grads } = tf.variableGrads(() => {
    const out = preferenceLoss({ ...bt, logits: model.forward(bt.ids, bt.lengths) }, settings);
    metrics = out.metrics.dataSync() as Float32Array;
    return out.loss;
  }, names.map((n) => params.get(n) as tf.Variable));
  const byName = new Map(names.map((n) => [n, (grads[(params.get(n) as tf.Variable).name] as tf.Tensor).dataSync() as Float32Array]));
  tf.dispose([value, ...Object.values(grads)]);
  disposeBatch(bt);
  return { grads: byName, metrics };
}

function chunkPath(model: CausalLM): { grads: Map<string, Float32Array>; metrics: Float32Array } {
  const bt = toTensors(collate(pairs, { padId: VM - 1 }));
  const old = setHeadChunk(5 * VM); // 5 rows a chunk: 5 chunks, the last partial
  try {
    const g = gradients(model, bt, settings);
    const out = { grads: new Map([...g.grads].map(([n, t]) => [n, t.dataSync() as Float32Array])), metrics: g.metrics.dataSync() as Float32Array };
    tf.dispose([...g.grads.values(), g.metrics]);
    return out;
  } finally {
    setHeadChunk(old);
    disposeBatch(bt);
  }
}

function same(model: CausalLM, what: string): void {
  const a = logitsPath(model), b = chunkPath(model);
  assert.ok(a.grads.size > 0 && a.grads.size === b.grads.size, `${what}: the same parameters get gradients`);
  assert.ok(worst(a.metrics, b.metrics) < 1e-4, `${what}: metrics ${Array.from(b.metrics)} vs ${Array.from(a.metrics)}`);
  for (const [n, g] of a.grads) {
    const c = b.grads.get(n) as Float32Array;
    const scale = Math.max(1e-3, ...Array.from(g, Math.abs));
    assert.ok(worst(g, c) / scale < 1e-4, `${what}: ${n} differs by ${worst(g, c)} (scale ${scale})`);
  }
}

const llamaConfig = (tied: boolean) => ({
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: VM, hidden_size: 24, intermediate_size: 40,
  num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 32, rms_norm_eps: 1e-5, tie_word_embeddings: tied,
});

for (const backend of ['cpu', 'native'] as const) {
  test(`chunked head (${backend}): a trained head under checkpointing (GPT-2 tied, Llama untied) gives the logits path's gradients and metrics`, async () => {
    if (backend === 'cpu') await useCpu();
    else await selectBackend('native');
    for (const model of [createScratchGpt2({ from: 'scratch', layers: 2, d_model: 16, heads: 2, context: 32 }, VM, VM - 1, 5), createLlama(llamaConfig(false), undefined, 4)]) {
      model.gradientCheckpointing = true;
      same(model, model.config.model_type);
      model.dispose();
    }
  });

  test(`chunked head (${backend}): a frozen head under LoRA with checkpointing (tied Llama, GPT-2) gives the logits path's adapter gradients and metrics`, async () => {
    if (backend === 'cpu') await useCpu();
    else await selectBackend('native');
    for (const model of [createLlama(llamaConfig(true), undefined, 6), createScratchGpt2({ from: 'scratch', layers: 2, d_model: 16, heads: 2, context: 32 }, VM, VM - 1, 7)]) {
      attachLora(model, createLora(model, { r: 4, alpha: 8, dropout: 0, targets: 'all-linear' }, 3));
      model.gradientCheckpointing = true; // the head runs in chunks under checkpointing (train/step.ts)
      // B starts at zero: give it values so the adapter's path carries gradient into A.
      for (const [n, v] of model.adapter?.params ?? []) if (n.includes('lora_B')) v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', 9));
      same(model, `${model.config.model_type} + LoRA`);
      model.dispose();
    }
  });
}

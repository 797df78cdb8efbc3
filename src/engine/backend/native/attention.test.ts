// The native fused causal attention (attention.c through fusedKernels.ts) on the native and wasm
// backends against the independent float64 reference of testing/references.ts (transformers' eager
// attention with repeat_kv and attention_mask), forward and through tfjs's gradient machinery: plain
// heads (GPT-2, KV = H), grouped-query heads, lengths past one 64-row query block, right-padded rows
// and a row of length 0. Then whole models routed through it: GPT-2 and a Qwen2-style Llama (GQA) with
// right-padded ORPO batches, every gradient of a training step equal to the composite attention on
// the plain cpu backend, and the padded logits of the tiny fixtures equal to PyTorch's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { fusedAttention, hasFusedAttention, paddingMask } from '../../ops/nn';
import { closeAll as close, randomArrays } from '../../testing/arrays';
import { attentionRef } from '../../testing/references';
import { selectBackend } from '../select';
import { createScratchGpt2 } from '../../model/gpt';
import { createLlama, initLlama } from '../../model/llama';
import { llamaDims } from '../../model/llamaConfig';
import type { CausalLM, HfConfig } from '../../model/types';
import { collate } from '../../data/batch';
import { disposeBatch, gradients, toTensors } from '../../train/step';
import { loadModelDir } from '../../hf/load';

const randArr = randomArrays(23);
const BACKENDS = ['native', 'wasm'] as const;

/** [B, T, H, KV, hd] and the row lengths tried with it. */
const CASES: [[number, number, number, number, number], number[]][] = [
  [[2, 70, 2, 2, 8], [65, 1]], // GPT-2-like heads, two query blocks
  [[2, 6, 6, 2, 4], [3, 6]], // 6 query heads on 2 kv heads
  [[3, 67, 4, 1, 5], [67, 0, 40]], // one kv head for 4 query heads; a row of length 0 gives zeros
];

for (const backend of BACKENDS) {
  test(`${backend}: fused attention, plain and grouped-query heads, whole and right-padded rows, equals a float64 reference`, async () => {
    await selectBackend(backend);
    for (const [[B, T, H, KV, hd], lens] of CASES) {
      assert.ok(hasFusedAttention(hd), 'the kernel is registered');
      const qkv = randArr(B * T * (H + 2 * KV) * hd, 2), dy = randArr(B * T * H * hd);
      const [xt, dyt] = [tf.tensor3d(qkv, [B, T, (H + 2 * KV) * hd]), tf.tensor2d(dy, [B * T, H * hd])];
      const lt = paddingMask(T, hd, lens) as tf.Tensor1D;
      assert.equal(lt.dtype, 'int32', 'the fused kernel takes the lengths');
      for (const [what, n, r] of [['whole', null, attentionRef(qkv, dy, B, T, H, hd, KV)], ['padded', lt, attentionRef(qkv, dy, B, T, H, hd, KV, lens)]] as const) {
        const tag = `${what} ${[B, T, H, KV, hd].join('×')}`;
        close(tf.tidy(() => fusedAttention(xt, H, KV, n).dataSync()), r.y, 1e-5, `y ${tag}`);
        const g = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fusedAttention(v as tf.Tensor3D, H, KV, n), dyt)))(xt).dataSync());
        close(g, r.dqkv, 1e-4, `dqkv ${tag}`);
      }
      tf.dispose([xt, dyt, lt]);
    }
  });
}

test('native: the kernel rejects a width that does not hold the heads', async () => {
  await selectBackend('native');
  const x = tf.zeros([1, 4, 30]) as tf.Tensor3D;
  assert.throws(() => fusedAttention(x, 4, 3), /does not hold 4 query and 2 × 3 kv heads/);
  x.dispose();
});

const qwen: HfConfig = {
  architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', vocab_size: 40, hidden_size: 16, intermediate_size: 24,
  num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 32,
  rope_theta: 100, rms_norm_eps: 1e-6, tie_word_embeddings: true, initializer_range: 0.3,
};
const V = 40;
// Prompts and responses of different lengths: every row but the longest is right-padded.
const pairs = [5, 9].map((n, p) => ({
  prompt: Array.from({ length: n }, (_, i) => (i * 5 + p) % 38),
  chosen: Array.from({ length: 4 + 3 * p }, (_, i) => (i * 7 + p) % 38),
  rejected: Array.from({ length: 2 + p }, (_, i) => (i * 3 + 1) % 38),
}));

/** Every gradient of one ORPO step on the active backend, and the attention kernels that ran. */
async function step(model: CausalLM): Promise<{ grads: Map<string, Float32Array>; kernels: string[] }> {
  const bt = toTensors(collate(pairs, { padId: V - 1 }));
  assert.ok(bt.lengths?.some((n) => n < bt.ids.shape[1]), 'some rows are padded');
  const out = new Map<string, Float32Array>();
  const prof = await tf.profile(() => {
    const g = gradients(model, bt, { method: 'orpo', lambda: 0.1, nllOnPrompt: true });
    for (const [n, t] of g.grads) out.set(n, t.dataSync() as Float32Array);
    tf.dispose([...g.grads.values(), g.metrics]);
  });
  disposeBatch(bt);
  model.dispose();
  return { grads: out, kernels: prof.kernelNames.filter((k) => k.startsWith('OrpoCausalAttention')).sort() };
}

test('native: GPT-2 and Qwen2-style Llama training steps on right-padded rows through the fused attention equal the composite on cpu', async () => {
  await selectBackend('cpu');
  const init = initLlama(llamaDims(qwen), 11, 0.3);
  const weights = new Map([...init].map(([n, t]) => [n, { a: t.dataSync() as Float32Array, s: t.shape }]));
  tf.dispose([...init.values()]);
  const models: [string, () => CausalLM][] = [
    ['gpt2', () => createScratchGpt2({ from: 'scratch', layers: 2, d_model: 16, heads: 2, context: 32 }, V, V - 1, 7)],
    ['llama', () => createLlama(qwen, new Map([...weights].map(([n, w]) => [n, tf.tensor(w.a, w.s)])))],
  ];
  for (const [name, make] of models) {
    await selectBackend('cpu');
    const want = await step(make());
    assert.deepEqual(want.kernels, [], `${name}: cpu runs the composite`);
    await selectBackend('native');
    const got = await step(make());
    assert.deepEqual(got.kernels, ['OrpoCausalAttention', 'OrpoCausalAttentionGrad'], `${name}: native runs the kernel and its gradient`);
    assert.equal(got.grads.size, want.grads.size);
    for (const [n, g] of want.grads) close(got.grads.get(n) as Float32Array, g, 2e-4, `${name} d ${n}`);
  }
});

test('native: right-padded GPT-2 and Llama logits through the fused attention equal PyTorch with attention_mask', async () => {
  await selectBackend('native');
  const dir = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'hf');
  const fx = JSON.parse(readFileSync(join(dir, 'padding_reference.json'), 'utf8')) as { lengths: number[]; models: Record<string, { input_ids: number[][]; logits: number[] }> };
  for (const [name, ref] of Object.entries(fx.models)) {
    const { model } = await loadModelDir(join(dir, name));
    const ids = tf.tensor2d(ref.input_ids, undefined, 'int32');
    const prof = await tf.profile(() => { close(tf.tidy(() => model.forward(ids, fx.lengths).dataSync()), ref.logits, 1e-4, `${name} logits`); });
    assert.ok(prof.kernelNames.includes('OrpoCausalAttention'), `${name} ran the fused kernel`);
    ids.dispose();
    model.dispose();
  }
});

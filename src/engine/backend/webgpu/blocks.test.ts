// The WGSL kernels for SwiGLU, the bias add and its column sums, the embedding gather and its
// scatter-add, and the fused attention with grouped-query heads, on tfjs-webgpu (Dawn on Mesa llvmpipe:
// CI has no GPU) against independent float64 computations (testing/references.ts), forward and through
// tfjs's gradient machinery; then a Qwen2-style Llama (q/k/v biases, RoPE, 4 query heads on 2 kv heads,
// SwiGLU) whose attention runs through the fused kernel on WebGPU against the same model on the cpu
// backend (tfjs ops, repeat_kv), logits and every parameter's gradient; right-padded rows with their
// lengths (the kernel's key padding mask) against PyTorch with attention_mask (padding_reference.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadModelDir } from '../../hf/load';
import { addBias, embed, swiglu } from '../../ops/blocks';
import { FUSED_GPU, hasFused } from '../../ops/fused';
import { fusedAttention, hasFusedAttention, paddingMask } from '../../ops/nn';
import { closeAll as close, randomArrays } from '../../testing/arrays';
import { attentionRef, embeddingRef, swigluRef } from '../../testing/references';
import { createLlama, initLlama } from '../../model/llama';
import { llamaDims } from '../../model/llamaConfig';
import type { HfConfig } from '../../model/types';
import { selectBackend } from '../select';
import { take as read } from '../../testing/tf';

const randArr = randomArrays(17);

test('WGSL SwiGLU and its gradients (gate, up) equal float64 references, saturating at both ends', async () => {
  await selectBackend('webgpu');
  assert.ok(hasFused(FUSED_GPU.swiglu) && hasFused(FUSED_GPU.swigluGrad));
  const g = Float32Array.from([...randArr(517, 6), -100, -20, 0, 20, 100]);
  const u = randArr(g.length, 2), dy = randArr(g.length);
  const r = swigluRef(g, u, dy);
  const [gt, ut, dyt] = [tf.tensor2d(g, [2, g.length / 2]), tf.tensor2d(u, [2, g.length / 2]), tf.tensor2d(dy, [2, g.length / 2])];
  close(await read(swiglu(gt, ut)), r.y, 1e-5, 'y');
  const d = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(swiglu(a as tf.Tensor2D, b as tf.Tensor2D), dyt)))([gt, ut]);
  close(await read(d[0] as tf.Tensor), r.dg, 1e-5, 'dgate');
  close(await read(d[1] as tf.Tensor), r.du, 1e-5, 'dup');
  tf.dispose([gt, ut, dyt]);
});

test('WGSL bias add and its column-sum gradient equal float64 sums, columns beyond one workgroup', async () => {
  await selectBackend('webgpu');
  assert.ok(hasFused(FUSED_GPU.biasAdd) && hasFused(FUSED_GPU.biasGrad));
  for (const [N, C] of [[1, 5], [7, 150], [33, 64]] as const) {
    const x = randArr(N * C, 3), b = randArr(C), dy = randArr(N * C);
    const y = Float64Array.from(x, (v, i) => v + (b[i % C] as number));
    const db = new Float64Array(C);
    dy.forEach((v, i) => { db[i % C] = (db[i % C] as number) + v; });
    const [xt, bt, dyt] = [tf.tensor2d(x, [N, C]), tf.tensor1d(b), tf.tensor2d(dy, [N, C])];
    close(await read(addBias(xt, bt)), y, 1e-6, `y ${N}×${C}`);
    const g = tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(addBias(a as tf.Tensor2D, c as tf.Tensor1D), dyt)))([xt, bt]);
    close(await read(g[0] as tf.Tensor), dy, 1e-6, `dx ${N}×${C}`);
    close(await read(g[1] as tf.Tensor), db, 1e-5, `db ${N}×${C}`);
    tf.dispose([xt, bt, dyt]);
  }
});

test('WGSL embedding gather and its scatter-add gradient equal float64 references, repeated ids summed', async () => {
  await selectBackend('webgpu');
  assert.ok(hasFused(FUSED_GPU.embedding) && hasFused(FUSED_GPU.embeddingGrad));
  const [V, d, B, T] = [11, 70, 3, 5];
  const w = randArr(V * d), dy = randArr(B * T * d);
  const ids = Int32Array.from([3, 3, 0, 10, 3, 7, 7, 1, 0, 10, 2, 3, 5, 5, 5]); // repeats, first and last rows; 4, 6, 8, 9 unused
  const r = embeddingRef(w, ids, dy, V, d);
  const [wt, it, dyt] = [tf.tensor2d(w, [V, d]), tf.tensor2d(ids, [B, T], 'int32'), tf.tensor3d(dy, [B, T, d])];
  close(await read(embed(wt, it)), r.y, 0, 'rows');
  close(await read(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(embed(a as tf.Tensor2D, it), dyt)))(wt)), r.dw, 1e-6, 'dw');
  tf.dispose([wt, it, dyt]);
});

test('WGSL fused attention with grouped-query heads (6 query heads on 2 kv heads) equals a float64 reference', async () => {
  await selectBackend('webgpu');
  const [B, T, H, KV, hd] = [2, 6, 6, 2, 4];
  assert.ok(hasFusedAttention(hd));
  const qkv = randArr(B * T * (H + 2 * KV) * hd, 2), dy = randArr(B * T * H * hd);
  const r = attentionRef(qkv, dy, B, T, H, hd, KV);
  const [xt, dyt] = [tf.tensor3d(qkv, [B, T, (H + 2 * KV) * hd]), tf.tensor2d(dy, [B * T, H * hd])];
  close(await read(fusedAttention(xt, H, KV)), r.y, 1e-5, 'y');
  close(await read(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fusedAttention(v as tf.Tensor3D, H, KV), dyt)))(xt)), r.dqkv, 1e-4, 'dqkv');
  // Right padding (transformers' attention_mask): keys past each row's length are masked, padding keys get no gradient.
  const lens = [3, 6];
  const rp = attentionRef(qkv, dy, B, T, H, hd, KV, lens);
  const lt = paddingMask(T, hd, lens) as tf.Tensor1D;
  assert.equal(lt.dtype, 'int32', 'the fused kernel takes the lengths');
  close(await read(fusedAttention(xt, H, KV, lt)), rp.y, 1e-5, 'y, padded');
  close(await read(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fusedAttention(v as tf.Tensor3D, H, KV, lt), dyt)))(xt)), rp.dqkv, 1e-4, 'dqkv, padded');
  tf.dispose([xt, dyt, lt]);
});

const qwen: HfConfig = {
  architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', vocab_size: 20, hidden_size: 16, intermediate_size: 24,
  num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 16,
  rope_theta: 100, rms_norm_eps: 1e-6, tie_word_embeddings: true, initializer_range: 0.3,
};

/** Logits and all parameter gradients of Σ logits·r for the model built from `weights` on the active backend. */
async function llamaRun(weights: Map<string, Float32Array>, shapes: Map<string, number[]>): Promise<{ logits: Float32Array; grads: Map<string, Float32Array> }> {
  const m = createLlama(qwen, new Map([...weights].map(([n, a]) => [n, tf.tensor(a, shapes.get(n))])));
  const ids = tf.tensor2d([[1, 5, 9, 3, 17, 2, 2], [4, 4, 0, 19, 7, 11, 6]], undefined, 'int32');
  const r = tf.tensor3d(randomArrays(3)(2 * 7 * 20), [2, 7, 20]);
  const logits = await read(m.forward(ids));
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(m.forward(ids), r)) as tf.Scalar, [...m.params.values()]);
  const out = new Map<string, Float32Array>();
  for (const [n, v] of m.params) out.set(n, await read(grads[v.name] as tf.Tensor));
  tf.dispose([ids, r]);
  m.dispose();
  return { logits, grads: out };
}

test('a Qwen2-style Llama with RoPE and GQA through the fused attention on WebGPU matches the cpu backend', async () => {
  await selectBackend('cpu');
  const init = initLlama(llamaDims(qwen), 11, 0.3);
  const shapes = new Map([...init].map(([n, t]) => [n, t.shape]));
  const weights = new Map([...init].map(([n, t]) => [n, t.dataSync() as Float32Array]));
  tf.dispose([...init.values()]);
  const want = await llamaRun(weights, shapes);
  await selectBackend('webgpu');
  assert.ok(hasFusedAttention(4), 'the fused attention runs');
  const got = await llamaRun(weights, shapes);
  close(got.logits, want.logits, 1e-4, 'logits');
  for (const [n, g] of want.grads) close(got.grads.get(n) as Float32Array, g, 2e-4, `d ${n}`);
});

test('right-padded rows through the fused attention on WebGPU: GPT-2 and Llama logits equal PyTorch with attention_mask', async () => {
  await selectBackend('webgpu');
  const dir = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'hf');
  const fx = JSON.parse(readFileSync(join(dir, 'padding_reference.json'), 'utf8')) as { lengths: number[]; models: Record<string, { input_ids: number[][]; shape: number[]; logits: number[] }> };
  for (const [name, ref] of Object.entries(fx.models)) {
    const { model } = await loadModelDir(join(dir, name));
    const ids = tf.tensor2d(ref.input_ids, undefined, 'int32');
    close(await read(model.forward(ids, fx.lengths)), ref.logits, 1e-4, `${name} logits`);
    ids.dispose();
    model.dispose();
  }
});

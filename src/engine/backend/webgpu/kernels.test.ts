// Our WGSL kernels on tfjs-webgpu (Dawn on Mesa llvmpipe, OpenGL ES compatibility: CI has no GPU)
// against independent float64 computations written here: the multi-tensor AdamW with global-norm
// clipping over several steps (with a moment replaced between steps, as a checkpoint resume does);
// LayerNorm, RMSNorm, the log-softmax label pick, GELU and the fused causal attention, each forward and
// through tfjs's gradient machinery.
// Reads are async: tfjs-webgpu's dataSync needs OffscreenCanvas, which Node lacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { pickLogSoftmax } from '../../loss/logps';
import { FUSED, FUSED_GPU, hasFused } from '../../ops/fused';
import { causalSelfAttention, geluTanh, layerNorm, paddingMask, rmsNorm } from '../../ops/nn';
import { closeAll as close, randomArrays } from '../../testing/arrays';
import { attentionRef, geluRef, layerNormRef, pickRef, rmsNormRef } from '../../testing/references';
import { AdamW } from '../../train/optimizer';
import { selectBackend } from '../select';
import { take as read } from '../../testing/tf';

const randArr = randomArrays(5);

test('selectBackend(webgpu) registers the WGSL kernels', async () => {
  const info = await selectBackend('webgpu');
  assert.match(info.device, /\+ WGSL kernels/);
  for (const k of [...Object.values(FUSED), ...Object.values(FUSED_GPU)].filter((n) => n !== FUSED.adamw)) assert.ok(hasFused(k), k); // per-tensor AdamW: the multi-tensor kernel instead
});

test('multi-tensor AdamW with global-norm clipping equals a float64 torch.optim.AdamW + clip_grad_norm_', async () => {
  await selectBackend('webgpu');
  const shapes: Record<string, number[]> = { 'a.weight': [5, 7], 'b.bias': [13], 'c.weight': [700], 'd.weight': [3, 3] };
  const names = Object.keys(shapes);
  const s = { beta1: 0.9, beta2: 0.95, eps: 1e-6, weightDecay: 0.1, maxGradNorm: 0.5 };
  const init = new Map(names.map((n) => [n, randArr((shapes[n] as number[]).reduce((a, b) => a * b, 1))]));
  const params = new Map(names.map((n) => [n, tf.variable(tf.tensor(init.get(n) as Float32Array, shapes[n]), true, `w5-${n}`)]));
  const noDecay = (n: string) => n.endsWith('.bias');
  const opt = new AdamW(params, s, noDecay);
  // float64 state
  const P = new Map(names.map((n) => [n, Float64Array.from(init.get(n) as Float32Array)]));
  const M = new Map(names.map((n) => [n, new Float64Array(P.get(n)?.length ?? 0)]));
  const V = new Map(names.map((n) => [n, new Float64Array(P.get(n)?.length ?? 0)]));
  const lrs = [1e-2, 5e-3, 2e-3];
  for (let t = 1; t <= lrs.length; t++) {
    const lr = lrs[t - 1] as number;
    const g = new Map(names.map((n) => [n, randArr(P.get(n)?.length ?? 0, t === 2 ? 0.01 : 1)])); // step 2: below the clip norm
    if (t === 3) {
      // a checkpoint resume assigns new moments: the kernel must pick them up
      const mNew = randArr(M.get('c.weight')?.length ?? 0, 0.1);
      (opt.m.get('c.weight') as tf.Variable).assign(tf.tensor(mNew, shapes['c.weight']));
      M.set('c.weight', Float64Array.from(mNew));
    }
    const norm = Math.sqrt(names.reduce((a, n) => a + (g.get(n) as Float32Array).reduce((x, y) => x + y * y, 0), 0));
    const coef = Math.min(s.maxGradNorm / (norm + 1e-6), 1);
    for (const n of names) {
      const [p, m, v, gi] = [P.get(n), M.get(n), V.get(n), g.get(n)] as [Float64Array, Float64Array, Float64Array, Float32Array];
      const decay = noDecay(n) ? 1 : 1 - lr * s.weightDecay;
      for (let i = 0; i < p.length; i++) {
        const gc = (gi[i] as number) * coef;
        m[i] = s.beta1 * (m[i] as number) + (1 - s.beta1) * gc;
        v[i] = s.beta2 * (v[i] as number) + (1 - s.beta2) * gc * gc;
        p[i] = (p[i] as number) * decay - lr * ((m[i] as number) / (1 - s.beta1 ** t)) / (Math.sqrt((v[i] as number) / (1 - s.beta2 ** t)) + s.eps);
      }
    }
    const gt = new Map(names.map((n) => [n, tf.tensor(g.get(n) as Float32Array, shapes[n])]));
    const got = opt.step(gt, lr);
    close(await got.data(), [norm], 1e-5, `step ${t} norm`);
    for (const n of names) {
      close(await (params.get(n) as tf.Variable).data(), P.get(n) as Float64Array, 2e-5, `step ${t} ${n} p`);
      close(await (opt.m.get(n) as tf.Variable).data(), M.get(n) as Float64Array, 2e-5, `step ${t} ${n} m`);
      close(await (opt.v.get(n) as tf.Variable).data(), V.get(n) as Float64Array, 2e-5, `step ${t} ${n} v`);
    }
    tf.dispose([got, ...gt.values()]);
  }
  opt.dispose();
  for (const p of params.values()) p.dispose();
});


test('WGSL LayerNorm and its gradients (x, weight, bias) equal float64 references, rows wider than a workgroup', async () => {
  await selectBackend('webgpu');
  for (const [N, C] of [[5, 19], [3, 300]] as const) {
    const eps = 1e-5;
    const x = randArr(N * C, 3), w = randArr(C), b = randArr(C), dy = randArr(N * C);
    const r = layerNormRef(x, w, b, dy, N, C, eps);
    const [xt, wt, bt, dyt] = [tf.tensor2d(x, [N, C]), tf.tensor1d(w), tf.tensor1d(b), tf.tensor2d(dy, [N, C])];
    close(await read(layerNorm(xt, wt, bt, eps)), r.y, 1e-5, `y ${C}`);
    const g = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(layerNorm(a as tf.Tensor2D, c as tf.Tensor1D, d as tf.Tensor1D, eps), dyt)))([xt, wt, bt]);
    close(await read(g[0] as tf.Tensor), r.dx, 1e-4, `dx ${C}`);
    close(await read(g[1] as tf.Tensor), r.dw, 1e-5, `dw ${C}`);
    close(await read(g[2] as tf.Tensor), r.db, 1e-5, `db ${C}`);
    tf.dispose([xt, wt, bt, dyt]);
  }
});

test('WGSL log-softmax label pick and its gradient equal float64 references', async () => {
  await selectBackend('webgpu');
  const [N, V] = [6, 537];
  const x = randArr(N * V, 8);
  const t = Int32Array.from({ length: N }, (_, i) => (i * 101) % V);
  const dy = randArr(N);
  const r = pickRef(x, t, dy, N, V);
  const [xt, tt, dyt] = [tf.tensor2d(x, [N, V]), tf.tensor1d(t, 'int32'), tf.tensor1d(dy)];
  close(await read(pickLogSoftmax(xt, tt)), r.y, 1e-5, 'log-prob');
  close(await read(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pickLogSoftmax(v as tf.Tensor2D, tt), dyt)))(xt)), r.dx, 1e-5, 'gradient');
  tf.dispose([xt, tt, dyt]);
});

test('WGSL GELU (tanh) and its gradient equal float64 references, saturating at both ends', async () => {
  await selectBackend('webgpu');
  const x = Float32Array.from([...randArr(611, 6), -30, -9, 0, 9, 30]);
  const r = geluRef(x);
  const xt = tf.tensor1d(x);
  close(await read(geluTanh(xt)), r.y, 1e-5, 'gelu');
  close(await read(tf.grad((v: tf.Tensor) => tf.sum(geluTanh(v)))(xt)), r.d, 1e-5, 'gelu gradient');
  xt.dispose();
});

test('WGSL fused causal attention and its gradient equal a float64 softmax(QKᵀ/√hd + mask)·V', async () => {
  await selectBackend('webgpu');
  const [B, T, H, hd] = [2, 7, 3, 5];
  const qkv = randArr(B * T * 3 * H * hd, 2), dy = randArr(B * T * H * hd);
  const r = attentionRef(qkv, dy, B, T, H, hd);
  const [xt, dyt] = [tf.tensor3d(qkv, [B, T, 3 * H * hd]), tf.tensor2d(dy, [B * T, H * hd])];
  close(await read(causalSelfAttention(xt, H)), r.y, 1e-5, 'y');
  close(await read(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(causalSelfAttention(v as tf.Tensor3D, H), dyt)))(xt)), r.dqkv, 1e-4, 'dqkv');
  // With a key padding mask (rows of 7 and 2 real tokens): the lengths go into the kernel.
  const lens = [7, 2];
  const rp = attentionRef(qkv, dy, B, T, H, hd, H, lens);
  const pad = paddingMask(T, hd, lens);
  close(await read(causalSelfAttention(xt, H, pad)), rp.y, 1e-5, 'y, padded');
  close(await read(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(causalSelfAttention(v as tf.Tensor3D, H, pad), dyt)))(xt)), rp.dqkv, 1e-4, 'dqkv, padded');
  tf.dispose([xt, dyt, pad as tf.Tensor]);
});

test('WGSL RMSNorm and its gradients (x, weight) equal float64 references, rows wider than a workgroup', async () => {
  await selectBackend('webgpu');
  for (const [N, C] of [[4, 23], [3, 300]] as const) {
    const eps = 1e-6;
    const x = randArr(N * C, 3), w = randArr(C), dy = randArr(N * C);
    const r = rmsNormRef(x, w, dy, N, C, eps);
    const [xt, wt, dyt] = [tf.tensor2d(x, [N, C]), tf.tensor1d(w), tf.tensor2d(dy, [N, C])];
    close(await read(rmsNorm(xt, wt, eps)), r.y, 1e-5, `y ${C}`);
    const g = tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(rmsNorm(a as tf.Tensor2D, c as tf.Tensor1D, eps), dyt)))([xt, wt]);
    close(await read(g[0] as tf.Tensor), r.dx, 1e-4, `dx ${C}`);
    close(await read(g[1] as tf.Tensor), r.dw, 1e-5, `dw ${C}`);
    tf.dispose([xt, wt, dyt]);
  }
});

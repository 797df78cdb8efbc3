// The native kernels on the wasm backend against independent float64 computations written here:
// products in every transpose and broadcast combination, the fused log-softmax pick and its
// gradient, GELU and its gradient, LayerNorm and its three gradients, Sum over leading/trailing axes
// (and the fallback for others), a bias Add broadcast over rows, one AdamW update, Identity
// sharing buffers without leaking, and whole training steps through them: parameters change and
// neither tensors nor bytes leak from step to step. The addon must be built (npm run
// build) and a CBLAS installed (apt-get install libopenblas0): CI has both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../data/rng';
import { FUSED, hasFused, runFused } from '../../ops/fused';
import { pickLogSoftmax } from '../../loss/logps';
import { geluTanh, layerNorm } from '../../ops/nn';
import { selectBackend } from '../select';
import { nativeKernels } from './kernels';
import { createScratchGpt2 } from '../../model/gpt';
import { collate } from '../../data/batch';
import { AdamW } from '../../train/optimizer';
import { disposeBatch, gradients, toTensors } from '../../train/step';
import { geluRef, layerNormRef, pickRef } from '../../testing/references';

const rng = new Rng(11);
const randArr = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void => {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number, w = want[i] as number;
    assert.ok(Math.abs(g - w) <= tol * Math.max(1, Math.abs(w)), `${what} at ${i}: ${g} vs ${w}`);
  }
};

test('selectBackend(wasm) loads the native kernels', async () => {
  const info = await selectBackend('wasm');
  const n = nativeKernels();
  assert.ok(n, `native kernels not active: ${info.device}`);
  assert.match(info.device, /sgemm and fused kernels/);
  for (const k of Object.values(FUSED)) assert.ok(hasFused(k), k);
});

/** float64 reference of op(A)·op(B) over a batch (1 = broadcast). */
function bmmRef(a: Float32Array, b: Float32Array, za: number, zb: number, M: number, K: number, N: number, ta: boolean, tb: boolean): Float64Array {
  const Z = Math.max(za, zb);
  const c = new Float64Array(Z * M * N);
  for (let z = 0; z < Z; z++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) {
      const av = a[(za === 1 ? 0 : z) * M * K + (ta ? k * M + i : i * K + k)] as number;
      const bv = b[(zb === 1 ? 0 : z) * K * N + (tb ? j * K + k : k * N + j)] as number;
      s += av * bv;
    }
    c[(z * M + i) * N + j] = s;
  }
  return c;
}

test('matMul: every transpose and broadcast combination equals a float64 reference', async () => {
  await selectBackend('wasm');
  const [M, K, N] = [7, 13, 5];
  for (const [za, zb] of [[0, 0], [3, 3], [3, 1], [1, 3]] as const) {
    for (const ta of [false, true]) for (const tb of [false, true]) {
      const sa = [...(za ? [za] : []), ...(ta ? [K, M] : [M, K])];
      const sb = [...(zb ? [zb] : []), ...(tb ? [N, K] : [K, N])];
      const a = randArr(sa.reduce((x, y) => x * y, 1));
      const b = randArr(sb.reduce((x, y) => x * y, 1));
      const got = tf.tidy(() => tf.matMul(tf.tensor(a, sa), tf.tensor(b, sb), ta, tb).dataSync());
      close(got, bmmRef(a, b, za || 1, zb || 1, M, K, N, ta, tb), 1e-5, `za=${za} zb=${zb} ta=${ta} tb=${tb}`);
    }
  }
});

test('fused log-softmax pick and its gradient equal float64 references', async () => {
  await selectBackend('wasm');
  const [R, V] = [6, 37];
  const x = randArr(R * V, 8);
  const t = Int32Array.from({ length: R }, (_, i) => (i * 11) % V);
  const dy = randArr(R);
  const { y: want, dx } = pickRef(x, t, dy, R, V);
  const xt = tf.tensor2d(x, [R, V]);
  const tt = tf.tensor1d(t, 'int32');
  const got = tf.tidy(() => pickLogSoftmax(xt, tt).dataSync());
  close(got, want, 1e-5, 'log-prob');
  const g = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pickLogSoftmax(v as tf.Tensor2D, tt), tf.tensor1d(dy))))(xt).dataSync());
  close(g, dx, 1e-5, 'gradient');
});

test('fused GELU (tanh) and its gradient equal float64 references, saturating at both ends', async () => {
  await selectBackend('wasm');
  const x = Float32Array.from([...randArr(61, 6), -30, -9, 0, 9, 30]);
  const { y, d } = geluRef(x);
  const xt = tf.tensor1d(x);
  close(tf.tidy(() => geluTanh(xt).dataSync()), y, 1e-6, 'gelu');
  close(tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(geluTanh(v)))(xt).dataSync()), d, 1e-5, 'gelu gradient');
});

test('fused LayerNorm and its gradients (x, weight, bias) equal float64 references', async () => {
  await selectBackend('wasm');
  const [N, C, eps] = [5, 19, 1e-5];
  const x = randArr(N * C, 3), w = randArr(C), b = randArr(C), dy = randArr(N * C);
  const { y, dx, dw, db } = layerNormRef(x, w, b, dy, N, C, eps);
  const [xt, wt, bt, dyt] = [tf.tensor2d(x, [N, C]), tf.tensor1d(w), tf.tensor1d(b), tf.tensor2d(dy, [N, C])];
  close(tf.tidy(() => layerNorm(xt, wt, bt, eps).dataSync()), y, 1e-5, 'y');
  const grads = tf.tidy(() => tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(layerNorm(a as tf.Tensor2D, c as tf.Tensor1D, d as tf.Tensor1D, eps), dyt)))([xt, wt, bt]).map((g) => g.dataSync()));
  close(grads[0] as Float32Array, dx, 1e-4, 'dx');
  close(grads[1] as Float32Array, dw, 1e-5, 'dw');
  close(grads[2] as Float32Array, db, 1e-5, 'db');
});

test('Add of a bias over rows, in either order, equals the plain sum; other shapes still broadcast', async () => {
  await selectBackend('wasm');
  const m = randArr(4 * 6), v = randArr(6);
  const want = Array.from(m, (x, i) => x + (v[i % 6] as number));
  close(tf.tidy(() => tf.add(tf.tensor2d(m, [4, 6]), tf.tensor1d(v)).dataSync()), want, 1e-7, 'm + v');
  close(tf.tidy(() => tf.add(tf.tensor1d(v), tf.tensor3d(m, [2, 2, 6])).dataSync()), want, 1e-7, 'v + m');
  close(tf.tidy(() => tf.add(tf.tensor2d(m, [4, 6]), tf.tensor2d(v, [1, 6])).dataSync()), want, 1e-7, '[1, C] broadcast (tfjs kernel)');
});

test('Sum over leading or trailing axes is native; other axes and dtypes still work', async () => {
  await selectBackend('wasm');
  const shape = [3, 4, 5];
  const x = randArr(60);
  const ref = (axes: number[]): number[] => {
    const keep = [0, 1, 2].filter((a) => !axes.includes(a));
    const out = new Map<string, number>();
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 5; k++) {
      const key = keep.map((a) => [i, j, k][a]).join(',');
      out.set(key, (out.get(key) ?? 0) + (x[(i * 4 + j) * 5 + k] as number));
    }
    return [...out.values()];
  };
  for (const axes of [[0], [0, 1], [2], [1, 2], [-1], [1], [0, 2]]) {
    const norm = axes.map((a) => (a < 0 ? a + 3 : a));
    const got = tf.tidy(() => tf.sum(tf.tensor(x, shape), axes).dataSync());
    close(got, ref(norm), 1e-5, `axes ${axes}`);
    const kept = tf.tidy(() => tf.sum(tf.tensor(x, shape), axes, true).shape);
    assert.deepEqual(kept, shape.map((d, i) => (norm.includes(i) ? 1 : d)));
  }
  assert.deepEqual(tf.tidy(() => Array.from(tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), 0).dataSync())), [4, 6]);
});

test('fused AdamW: one update equals the float64 formula', async () => {
  await selectBackend('wasm');
  const n = 29;
  const [p, g, m, v] = [randArr(n), randArr(n), randArr(n, 0.1), Float32Array.from(randArr(n), (x) => x * x)];
  const s = { b1: 0.9, b2: 0.999, lr: 0.01, eps: 1e-8, decay: 1 - 0.01 * 0.1, bc1: 1 - 0.9 ** 3, bc2: 1 - 0.999 ** 3 };
  const coef = 0.5;
  const outs = tf.tidy(() => (runFused(FUSED.adamw, { p: tf.tensor1d(p), g: tf.tensor1d(g), m: tf.tensor1d(m), v: tf.tensor1d(v), coef: tf.tensor1d([coef]) }, s) as tf.Tensor[]).map((t) => t.dataSync()));
  const wantM = Array.from(m, (mi, i) => s.b1 * mi + (1 - s.b1) * coef * (g[i] as number));
  const wantV = Array.from(v, (vi, i) => s.b2 * vi + (1 - s.b2) * (coef * (g[i] as number)) ** 2);
  const wantP = Array.from(p, (pi, i) => pi * s.decay - s.lr * ((wantM[i] as number) / s.bc1) / (Math.sqrt((wantV[i] as number) / s.bc2) + s.eps));
  close(outs[0] as Float32Array, wantP, 1e-5, 'p');
  close(outs[1] as Float32Array, wantM, 1e-6, 'm');
  close(outs[2] as Float32Array, wantV, 1e-6, 'v');
});

test('Identity shares the buffer: clones stay valid after the original is disposed, and nothing leaks', async () => {
  await selectBackend('wasm');
  const before = tf.memory();
  for (let i = 0; i < 3; i++) {
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
    b.dispose();
  }
  assert.equal(tf.memory().numTensors, before.numTensors);
  assert.equal(tf.memory().numBytes, before.numBytes);
});

test('training steps on the native kernels change every parameter and leak neither tensors nor bytes', async () => {
  await selectBackend('wasm');
  const V = 50;
  const model = createScratchGpt2({ from: 'scratch', layers: 2, d_model: 32, heads: 4, context: 32 }, V, V - 1, 1);
  const opt = new AdamW(model.params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 1 }, (n) => model.noDecay(n));
  const seq = (k: number) => Array.from({ length: 8 }, (_, i) => (i * k + 3) % (V - 1));
  const pairs = [1, 2, 3].map((k) => ({ prompt: seq(k), chosen: seq(k + 5), rejected: seq(k + 11) }));
  const before = new Map([...model.params].map(([n, v]) => [n, v.dataSync().slice()]));
  const step = () => {
    const bt = toTensors(collate(pairs, { padId: V - 1 }));
    const g = gradients(model, bt, { method: 'orpo', lambda: 0.1, nllOnPrompt: false });
    tf.dispose([...g.grads.values(), g.metrics, opt.step(g.grads, 1e-2)]);
    disposeBatch(bt);
  };
  step();
  const m1 = tf.memory();
  step();
  step();
  assert.equal(tf.memory().numTensors, m1.numTensors, 'tensor count grows from step to step');
  assert.equal(tf.memory().numBytes, m1.numBytes, 'tensor bytes grow from step to step');
  for (const [n, v] of model.params) assert.notDeepEqual(v.dataSync(), before.get(n), `${n} did not change`);
  opt.dispose();
  model.dispose();
});

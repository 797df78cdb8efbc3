// The hand-written GELU gradient against autodiff of the same formula and against finite differences;
// causal attention with a key padding mask against the float64 reference (testing/references.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { closeAll, randomArrays } from '../testing/arrays';
import { attentionRef } from '../testing/references';
import { close, take, useCpu } from '../testing/tf';
import { causalSelfAttention, geluTanh, paddingMask } from './nn';

test('GELU (tanh) gradient matches finite differences of an independent float64 GELU', async () => {
  await useCpu();
  const xs = [-4, -2.5, -1, -0.3, 0, 0.2, 0.9, 1.7, 3.5];
  const ref = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  const y = tf.tidy(() => geluTanh(tf.tensor1d(xs)).arraySync() as number[]);
  const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(geluTanh(x), tf.tensor1d(xs.map((_, i) => i + 1)))))(tf.tensor1d(xs)).arraySync() as number[]);
  xs.forEach((x, i) => {
    close(y[i] as number, ref(x), 1e-5, `gelu(${x})`);
    const h = 1e-4;
    const fd = (ref(x + h) - ref(x - h)) / (2 * h);
    close(g[i] as number, (i + 1) * fd, 1e-3 * (i + 1), `gelu'(${x})`);
  });
});

test('causal attention with a key padding mask (tfjs composite) and its gradient equal a float64 reference', async () => {
  await useCpu();
  const [B, T, H, hd] = [3, 6, 2, 4];
  const lens = [6, 4, 1]; // a full row, a padded one, one real token
  const rand = randomArrays(11);
  const qkv = rand(B * T * 3 * H * hd, 2), dy = rand(B * T * H * hd);
  const r = attentionRef(qkv, dy, B, T, H, hd, H, lens);
  const plain = attentionRef(qkv, dy, B, T, H, hd);
  const [xt, dyt] = [tf.tensor3d(qkv, [B, T, 3 * H * hd]), tf.tensor2d(dy, [B * T, H * hd])];
  const f = (v: tf.Tensor) => causalSelfAttention(v as tf.Tensor3D, H, paddingMask(T, hd, lens));
  closeAll(await take(f(xt)), r.y, 1e-5, 'y');
  closeAll(await take(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), dyt)))(xt)), r.dqkv, 1e-4, 'dqkv');
  // The mask matters only at padding positions: row 1 from position 4 on differs from plain causal attention.
  const d = H * hd;
  const at = (y: Float64Array, b: number, t: number) => Array.from(y.subarray((b * T + t) * d, (b * T + t + 1) * d));
  assert.deepEqual(at(r.y, 1, 3), at(plain.y, 1, 3));
  assert.notDeepEqual(at(r.y, 1, 5), at(plain.y, 1, 5));
  assert.equal(paddingMask(T, hd, [6, 6, 6]), null, 'no padded row: plain causal attention');
  const m = paddingMask(T, hd, lens) as tf.Tensor;
  assert.deepEqual(m.shape, [B, 1, T, T], 'one mask per row, broadcast over its heads (not one per head)');
  tf.dispose([xt, dyt, m]);
});

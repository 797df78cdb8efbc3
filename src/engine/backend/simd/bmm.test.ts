// Our SIMD batched product against an independent float64 triple loop (odd shapes included), and the
// wasm backend with the kernel registered against its own products and gradients left untouched.
// The SIMD kernel is the fallback when the native kernels are off, so this file turns them off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../data/rng';
import { selectBackend } from '../select';
import { simdBatchMatMulActive, simdBmm } from './bmm';

const wasmPath = join(__dirname, 'bmm.wasm');
process.env.ORPO_LAB_NATIVE = '0';

function reference(a: Float32Array, b: Float32Array, Z: number, M: number, K: number, N: number): Float64Array {
  const c = new Float64Array(Z * M * N);
  for (let z = 0; z < Z; z++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += (a[(z * M + i) * K + k] as number) * (b[(z * K + k) * N + j] as number);
    c[(z * M + i) * N + j] = s;
  }
  return c;
}

test('SIMD batched product equals a float64 reference, for shapes that are not multiples of 4', () => {
  const rng = new Rng(7);
  for (const [Z, M, K, N] of [[3, 5, 7, 9], [2, 4, 16, 12], [4, 1, 3, 1], [2, 33, 64, 31]] as const) {
    const a = Float32Array.from({ length: Z * M * K }, () => rng.next() * 2 - 1);
    const b = Float32Array.from({ length: Z * K * N }, () => rng.next() * 2 - 1);
    const got = simdBmm(wasmPath, a, b, Z, M, K, N);
    const want = reference(a, b, Z, M, K, N);
    want.forEach((v, i) => assert.ok(Math.abs((got[i] as number) - v) < 1e-5, `[${Z},${M},${K},${N}] at ${i}: ${got[i]} vs ${v}`));
  }
});

test('on the wasm backend, batched products (and the attention gradient path) use it and stay exact', async () => {
  await selectBackend('wasm');
  assert.ok(simdBatchMatMulActive(), 'selectBackend(wasm) registers the SIMD kernel');
  const rng = new Rng(3);
  const rand = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => rng.next() - 0.5), shape);
  const a = rand([6, 10, 8]) as tf.Tensor3D;
  const b = rand([6, 8, 5]) as tf.Tensor3D;
  const got = tf.matMul(a, b).dataSync();
  const want = reference(a.dataSync() as Float32Array, b.dataSync() as Float32Array, 6, 10, 8, 5);
  want.forEach((v, i) => assert.ok(Math.abs((got[i] as number) - v) < 1e-5, `at ${i}`));
  // Transposed and 2-D products still go to tfjs's own kernel.
  const t = tf.matMul(a, a, false, true).dataSync();
  assert.equal(t.length, 6 * 10 * 10);
  const two = tf.matMul(rand([3, 4]) as tf.Tensor2D, rand([4, 2]) as tf.Tensor2D);
  assert.deepEqual(two.shape, [3, 2]);
});

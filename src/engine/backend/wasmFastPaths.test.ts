// The wasm backend's SplitV and GatherV2 fast paths against plain JavaScript slicing and indexing of
// the same values, on both sides of their conditions (other axes and batchDims go to tfjs's kernels),
// and the out-of-range index error. Runs with the native kernels off: these paths serve both modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './select';

process.env.ORPO_LAB_NATIVE = '0';
const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i * 0.5 - 3);

test('SplitV on any axis returns the same pieces as slicing by hand', async () => {
  await selectBackend('wasm');
  const shape = [2, 6, 3];
  const x = iota(36);
  const at = (i: number, j: number, k: number): number => x[(i * 6 + j) * 3 + k] as number;
  const pieces = tf.tidy(() => tf.split(tf.tensor3d(x, shape as [number, number, number]), [1, 3, 2], 1).map((t) => ({ shape: t.shape, v: Array.from(t.dataSync()) })));
  let start = 0;
  for (const [n, p] of [1, 3, 2].map((n, j) => [n, pieces[j]] as const)) {
    const want: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = start; j < start + n; j++) for (let k = 0; k < 3; k++) want.push(at(i, j, k));
    assert.deepEqual(p?.shape, [2, n, 3]);
    assert.deepEqual(p?.v, want);
    start += n;
  }
  const last = tf.tidy(() => tf.split(tf.tensor3d(x, shape as [number, number, number]), 3, 2).map((t) => Array.from(t.dataSync())));
  last.forEach((v, k) => assert.deepEqual(v, Array.from({ length: 12 }, (_, r) => x[r * 3 + k] as number)));
  const ints = tf.tidy(() => tf.split(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 2, 0).map((t) => Array.from(t.dataSync())));
  assert.deepEqual(ints, [[1, 2], [3, 4]]);
});

test('GatherV2 on axis 0 picks rows by index; other axes and batchDims still work; bad indices are refused', async () => {
  await selectBackend('wasm');
  const x = tf.tensor2d(iota(12), [4, 3]);
  const rows = tf.tidy(() => tf.gather(x, tf.tensor2d([3, 0, 3, 1], [2, 2], 'int32')));
  assert.deepEqual(rows.shape, [2, 2, 3]);
  assert.deepEqual(Array.from(rows.dataSync()), [3, 0, 3, 1].flatMap((r) => iota(12).slice(r * 3, r * 3 + 3)));
  assert.deepEqual(Array.from(tf.tidy(() => tf.gather(x, tf.tensor1d([2, 0], 'int32'), 1).dataSync())), [0, 1, 2, 3].flatMap((r) => [iota(12)[r * 3 + 2], iota(12)[r * 3]]));
  assert.throws(() => tf.gather(x, tf.tensor1d([4], 'int32')), /index value 4 is not in \[0, 3\]/);
  const before = tf.memory().numTensors;
  assert.throws(() => tf.gather(x, tf.tensor1d([-1], 'int32')));
  assert.ok(tf.memory().numTensors <= before + 1, 'a refused gather leaks no output');
});

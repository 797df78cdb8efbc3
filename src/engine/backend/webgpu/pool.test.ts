// releaseGpuPool (pool.ts) on tfjs-webgpu (Dawn on Mesa llvmpipe): the free buffers of disposed
// tensors are destroyed and counted out of tfjs's allocation; live tensors keep their values, and
// new tensors of the released sizes work; on other backends it does nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../select';
import { releaseGpuPool } from './pool';

const allocated = (): number => (tf.backend() as unknown as { bufferManager: { numBytesAllocated: number } }).bufferManager.numBytesAllocated;

test('releaseGpuPool destroys the free buffers only; live tensors keep their values', async () => {
  await selectBackend('webgpu');
  const kept = tf.range(0, 1000, 1, 'float32');
  const gone = [tf.fill([3000], 2), tf.fill([777], 5), tf.mul(kept, 3)];
  await Promise.all(gone.map((t) => t.data()));
  tf.dispose(gone);
  const before = allocated();
  const released = releaseGpuPool();
  assert.ok(released >= 4 * (3000 + 777 + 1000), `released ${released} B`);
  assert.equal(allocated(), before - released);
  assert.equal(releaseGpuPool(), 0, 'nothing left to release');
  const want = Array.from({ length: 1000 }, (_, i) => 2 * i + 1);
  const r = tf.tidy(() => tf.add(tf.mul(kept, 2), 1));
  assert.deepEqual([...(await r.data())], want);
  const again = tf.fill([3000], 7);
  assert.ok((await again.data()).every((v) => v === 7));
  tf.dispose([kept, again, r]);
  await selectBackend('cpu');
  assert.equal(releaseGpuPool(), 0);
});

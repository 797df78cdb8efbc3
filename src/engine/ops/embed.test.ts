// The embedding lookup (blocks.ts `embed`) without fused kernels, on the native backend: rows picked
// by ids, and a gradient that is one [V, d] segment sum of dy's rows (ids made inside the loss
// function too), equal to a float64 scatter-add written here, with no second embedding-sized tensor
// at the backward's peak (tfjs's GatherV2 gradient adds an identity transpose of its [V, d] result).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { nativeMemory } from '../backend/native/cpuBackend';
import { Rng } from '../data/rng';
import { embed } from './blocks';

test('embed: rows by id, its gradient a float64 scatter-add, one [V, d] tensor at the peak', async () => {
  await selectBackend('native');
  const mem = nativeMemory();
  assert.ok(mem, 'the native backend is active');
  const V = 500, d = 40, B = 2, T = 6;
  const rng = new Rng(9);
  const wv = Float32Array.from({ length: V * d }, () => rng.next() * 2 - 1);
  const ids = [[3, 7, 3, 499, 0, 7], [12, 3, 250, 250, 1, 2]];
  const dyv = Float32Array.from({ length: B * T * d }, () => rng.next() * 2 - 1);
  const w = tf.variable(tf.tensor2d(wv, [V, d]), true);
  const idt = tf.tensor2d(ids, [B, T], 'int32');
  const dy = tf.tensor3d(dyv, [B, T, d]);
  const rows = tf.tidy(() => embed(w as unknown as tf.Tensor2D, idt).dataSync());
  ids.flat().forEach((r, i) => { for (let j = 0; j < d; j++) assert.equal(rows[i * d + j], wv[r * d + j], `row ${i}, column ${j}`); });
  const live = mem.backend.live;
  mem.backend.resetPeak();
  // The ids made inside the loss function: the forward pass's tidy disposes them before the backward pass.
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(embed(w as unknown as tf.Tensor2D, tf.tensor2d(ids, [B, T], 'int32')), dy)) as tf.Scalar, [w]);
  const above = mem.backend.peak - live;
  const g = grads[w.name] as tf.Tensor;
  assert.ok(above < 1.5 * V * d * 4, `backward peak ${above} B above its inputs; the gradient is ${V * d * 4} B`);
  const want = new Float64Array(V * d);
  ids.flat().forEach((r, i) => { for (let j = 0; j < d; j++) want[r * d + j] = (want[r * d + j] as number) + (dyv[i * d + j] as number); });
  const got = g.dataSync();
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs((got[i] as number) - (want[i] as number)) <= 1e-6, `gradient at ${i}: ${got[i]} vs ${want[i]}`);
  tf.dispose([g, w, idt, dy]);
});

// AdamW's memory (optimizer.ts), counted by the native backend's byte count: the moments are allocated
// once and leave nothing behind when the optimizer is disposed (the zero tensors they were made from
// once outlived them), and the global gradient norm holds one squared gradient at a time, not a
// squared copy of every gradient; its value equals a float64 sum written here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { nativeMemory } from '../backend/native/cpuBackend';
import { Rng } from '../data/rng';
import { AdamW } from './optimizer';

const shapes: [string, number[]][] = [['a', [64, 48]], ['b', [48]], ['c', [96, 64]], ['d', [32, 32]]];
const rng = new Rng(3);
const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

test('AdamW holds two moments per parameter and nothing after it is disposed', async () => {
  await selectBackend('native');
  const mem = nativeMemory();
  assert.ok(mem, 'the native backend is active');
  const params = new Map(shapes.map(([n, s]) => [n, tf.variable(tf.zeros(s), true)]));
  const [live, tensors] = [mem.backend.live, tf.memory().numTensors];
  const opt = new AdamW(params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, () => false);
  const bytes = shapes.reduce((a, [, s]) => a + 4 * size(s), 0);
  assert.equal(mem.backend.live - live, 2 * bytes, 'the moments: two fp32 tensors of each parameter');
  const grads = new Map(shapes.map(([n, s]) => [n, tf.tensor(rand(size(s)), s)]));
  tf.dispose(opt.step(grads, 1e-3));
  tf.dispose([...grads.values()]);
  opt.dispose();
  assert.equal(mem.backend.live, live, 'no bytes left by the optimizer');
  assert.equal(tf.memory().numTensors, tensors, 'no tensors left by the optimizer');
  tf.dispose([...params.values()]);
});

test('the global gradient norm holds one squared gradient at a time and equals float64', async () => {
  await selectBackend('native');
  const mem = nativeMemory();
  assert.ok(mem, 'the native backend is active');
  const values = shapes.map(([, s]) => rand(size(s)));
  const grads = new Map(shapes.map(([n, s], i) => [n, tf.tensor(values[i] as Float32Array, s)]));
  const live = mem.backend.live;
  mem.backend.resetPeak();
  const norm = AdamW.globalNorm(grads);
  const above = mem.backend.peak - live;
  const largest = Math.max(...shapes.map(([, s]) => 4 * size(s)));
  assert.ok(above <= largest + 64, `the norm's peak ${above} B above the gradients; the largest gradient is ${largest} B`);
  const want = Math.sqrt(values.reduce((a, v) => a + v.reduce((b, x) => b + x * x, 0), 0));
  const got = norm.dataSync()[0] as number;
  assert.ok(Math.abs(got - want) <= 1e-5 * want, `norm ${got}, float64 ${want}`);
  tf.dispose([norm, ...grads.values()]);
});

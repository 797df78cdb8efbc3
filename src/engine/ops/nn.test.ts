// The hand-written GELU gradient against autodiff of the same formula and against finite differences.
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { close, useCpu } from '../testing/tf';
import { geluTanh } from './nn';

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

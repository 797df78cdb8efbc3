// The native backend (cpuBackend.ts) against independent float64 computations written here: its
// transposes, broadcasting arithmetic (every mode of ops.c and a fallback), softmax, slice, pad,
// concat, split, gather and segment sum; AdamW updating p, m and v in place (same buffers, one copy);
// the byte count; and whole training steps equal to tfjs's plain cpu backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../data/rng';
import { selectBackend } from '../select';
import { FUSED, runFused } from '../../ops/fused';
import { NATIVE, nativeMemory } from './cpuBackend';
import { broadcastMode } from './cpuKernels';
import { createScratchGpt2 } from '../../model/gpt';
import { collate } from '../../data/batch';
import { AdamW } from '../../train/optimizer';
import { disposeBatch, gradients, toTensors } from '../../train/step';

const rng = new Rng(5);
const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.next() * 4 - 2);
const numel = (s: number[]): number => s.reduce((a, b) => a * b, 1);
const strides = (s: number[]): number[] => s.map((_, i) => numel(s.slice(i + 1)));
const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void => {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs((got[i] as number) - (want[i] as number)) <= tol * Math.max(1, Math.abs(want[i] as number)), `${what} at ${i}: ${got[i]} vs ${want[i]}`);
};
/** Value of x (shape s) at the multi-index idx, broadcasting size-1 and missing leading axes. */
function at(x: Float32Array, s: number[], idx: number[]): number {
  const off = idx.length - s.length;
  const st = strides(s);
  return x[s.reduce((a, d, i) => a + (d === 1 ? 0 : (idx[i + off] as number)) * (st[i] as number), 0)] as number;
}
function indices(shape: number[]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < numel(shape); i++) out.push(shape.map((_, k) => Math.floor(i / (strides(shape)[k] as number)) % (shape[k] as number)));
  return out;
}

test('the native backend loads and is the one running', async () => {
  const info = await selectBackend('native');
  assert.equal(info.backend, NATIVE);
  assert.equal(tf.getBackend(), NATIVE);
  assert.match(info.device, /outside the wasm heap/);
});

test('Transpose of every permutation of a rank-4 tensor equals indexing by hand', async () => {
  await selectBackend('native');
  const s = [2, 3, 4, 5];
  const x = rand(numel(s));
  for (const perm of [[0, 2, 1, 3], [0, 2, 3, 1], [3, 2, 1, 0], [1, 0, 2, 3], [0, 1, 3, 2]]) {
    const os = perm.map((p) => s[p] as number);
    const want = indices(os).map((o) => at(x, s, perm.map((_, k) => o[perm.indexOf(k)] as number)));
    close(tf.tidy(() => tf.transpose(tf.tensor(x, s), perm).dataSync()), want, 0, `perm ${perm}`);
  }
});

test('Add, Sub, Mul, Div in every broadcast mode (and a fallback one) equal float64 by hand', async () => {
  await selectBackend('native');
  const cases: [number[], number[]][] = [[[3, 4, 5], [3, 4, 5]], [[3, 4, 5], [4, 5]], [[3, 4, 5], [5]], [[3, 4, 5], []], [[3, 4, 5], [3, 4, 1]], [[4, 5], [2, 4, 5]], [[3, 1, 1], [3, 4, 5]], [[3, 1, 5], [3, 4, 1]]];
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (a: number, b: number) => number][] = [
    ['add', tf.add, (a, b) => a + b], ['sub', tf.sub, (a, b) => a - b], ['mul', tf.mul, (a, b) => a * b], ['div', tf.div, (a, b) => a / b],
  ];
  for (const [as, bs] of cases) {
    const a = rand(numel(as)), b = rand(numel(bs)).map((v) => (Math.abs(v) < 0.1 ? 0.5 : v));
    const out = tf.backend_util.assertAndGetBroadcastShape(as, bs);
    for (const [name, op, ref] of ops) {
      const want = indices(out).map((i) => ref(at(a, as, i), at(b, bs, i)));
      close(tf.tidy(() => op(tf.tensor(a, as), tf.tensor(b, bs)).dataSync()), want, 1e-6, `${name} ${JSON.stringify([as, bs])}`);
    }
  }
  assert.equal(broadcastMode([3, 1, 5], [3, 4, 1]), undefined, 'a two-sided broadcast goes to tfjs');
  assert.deepEqual(broadcastMode([3, 4, 5], [3, 4, 1]), { mode: 2, R: 12, C: 5 });
});

test('Softmax over the last axis equals float64; Slice, Pad, Concat, Split, Gather and its gradient equal indexing by hand', async () => {
  await selectBackend('native');
  const s = [3, 4, 6];
  const x = rand(numel(s));
  const sm: number[] = [];
  for (let r = 0; r < 12; r++) {
    const row = Array.from(x.subarray(r * 6, r * 6 + 6), Number);
    const m = Math.max(...row), e = row.map((v) => Math.exp(v - m)), z = e.reduce((a, b) => a + b, 0);
    sm.push(...e.map((v) => v / z));
  }
  close(tf.tidy(() => tf.softmax(tf.tensor(x, s)).dataSync()), sm, 1e-6, 'softmax');
  const sl = indices([2, 2, 3]).map(([i, j, k]) => at(x, s, [(i as number) + 1, (j as number) + 2, (k as number) + 3]));
  close(tf.tidy(() => tf.slice(tf.tensor(x, s), [1, 2, 3], [2, 2, 3]).dataSync()), sl, 0, 'slice');
  const ps = [4, 5, 9];
  const pad = indices(ps).map(([i, j, k]) => ((i as number) >= 1 && (j as number) < 4 && (k as number) >= 2 && (k as number) < 8 ? at(x, s, [(i as number) - 1, j as number, (k as number) - 2]) : 0.25));
  close(tf.tidy(() => tf.pad(tf.tensor(x, s), [[1, 0], [0, 1], [2, 1]], 0.25).dataSync()), pad, 0, 'pad');
  const y = rand(3 * 4 * 2);
  const cat = indices([3, 4, 8]).map(([i, j, k]) => ((k as number) < 6 ? at(x, s, [i as number, j as number, k as number]) : at(y, [3, 4, 2], [i as number, j as number, (k as number) - 6])));
  close(tf.tidy(() => tf.concat([tf.tensor(x, s), tf.tensor(y, [3, 4, 2])], 2).dataSync()), cat, 0, 'concat');
  const parts = tf.tidy(() => tf.split(tf.tensor(x, s), [1, 5], 2).map((t) => t.dataSync()));
  close(parts[1] as Float32Array, indices([3, 4, 5]).map(([i, j, k]) => at(x, s, [i as number, j as number, (k as number) + 1])), 0, 'split');
  const ids = [2, 0, 2, 1];
  close(tf.tidy(() => tf.gather(tf.tensor(x, s), tf.tensor1d(ids, 'int32')).dataSync()), ids.flatMap((r) => Array.from(x.subarray(r * 24, r * 24 + 24))), 0, 'gather');
  const dw = tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.gather(w, tf.tensor1d(ids, 'int32')), tf.reshape(tf.range(0, 96), [4, 4, 6]))))(tf.tensor(x, s)).dataSync());
  const wantDw = new Float64Array(72);
  ids.forEach((r, i) => { for (let j = 0; j < 24; j++) wantDw[r * 24 + j] = (wantDw[r * 24 + j] as number) + i * 24 + j; });
  close(dw, wantDw, 0, 'segment sum (gather gradient)');
});

test('AdamW updates p, m and v in place: the same buffers, the float64 update, no bytes added', async () => {
  await selectBackend('native');
  const n = 50;
  const [p0, g0, m0, v0] = [rand(n), rand(n), rand(n), rand(n).map(Math.abs)];
  // Copies: the cpu storage keeps the array it is given, and the update writes it.
  const p = tf.variable(tf.tensor1d(p0.slice())), m = tf.variable(tf.tensor1d(m0.slice())), v = tf.variable(tf.tensor1d(v0.slice()));
  const g = tf.tensor1d(g0), coef = tf.tensor1d([0.5]);
  const mem = nativeMemory();
  assert.ok(mem);
  const ids = [p.dataId, m.dataId, v.dataId];
  const live = mem.backend.live;
  const a = { b1: 0.9, b2: 0.999, lr: 0.01, eps: 1e-8, decay: 0.99, bc1: 0.1, bc2: 0.002 };
  tf.tidy(() => {
    const [p1, m1, v1] = runFused(FUSED.adamw, { p, g, m, v, coef }, a) as tf.Tensor[];
    m.assign(m1 as tf.Tensor1D); v.assign(v1 as tf.Tensor1D); p.assign(p1 as tf.Tensor1D);
  });
  assert.deepEqual([p.dataId, m.dataId, v.dataId], ids, 'same buffers');
  assert.equal(mem.backend.live, live, 'no bytes added');
  const wm = new Float64Array(n), wv = new Float64Array(n), wp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const gi = (g0[i] as number) * 0.5;
    wm[i] = 0.9 * (m0[i] as number) + 0.1 * gi;
    wv[i] = 0.999 * (v0[i] as number) + 0.001 * gi * gi;
    wp[i] = (p0[i] as number) * 0.99 - ((wm[i] as number) / 0.1 / (Math.sqrt((wv[i] as number) / 0.002) + 1e-8)) * 0.01;
  }
  close(m.dataSync(), wm, 1e-5, 'm'); close(v.dataSync(), wv, 1e-5, 'v'); close(p.dataSync(), wp, 1e-5, 'p');
  tf.dispose([p, m, v, g, coef]);
});

test('three training steps on the native backend match the plain cpu backend', async () => {
  const V = 61, T = 16;
  const pairs = [0, 1].map((p) => ({ prompt: Array.from({ length: 8 }, (_, i) => (i * 5 + p) % 60), chosen: Array.from({ length: 8 }, (_, i) => (i * 7 + p) % 60), rejected: Array.from({ length: 8 }, (_, i) => (i * 3 + 1) % 60) }));
  const run = async (backend: 'native' | 'cpu'): Promise<number[]> => {
    await selectBackend(backend);
    const model = createScratchGpt2({ from: 'scratch', layers: 2, d_model: 16, heads: 2, context: T }, V, V - 1, 7);
    const opt = new AdamW(model.params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 }, (n) => model.noDecay(n));
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) {
      const bt = toTensors(collate(pairs, { padId: V - 1 }));
      const g = gradients(model, bt, { method: 'orpo', lambda: 0.1, nllOnPrompt: true });
      losses.push((g.metrics.dataSync()[0] as number));
      tf.dispose([opt.step(g.grads, 1e-2), ...g.grads.values(), g.metrics]);
      disposeBatch(bt);
    }
    const w = model.params.get('transformer.h.1.mlp.c_fc.weight')?.dataSync()[3] as number;
    opt.dispose(); model.dispose();
    return [...losses, w];
  };
  const native = await run('native');
  const cpu = await run('cpu');
  close(native, cpu, 2e-4, 'losses and a weight after three steps');
  assert.notEqual(native[0], native[2], 'training changed the loss');
});

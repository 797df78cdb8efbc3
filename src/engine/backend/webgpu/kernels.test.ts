// Our WGSL kernels on tfjs-webgpu (Dawn on Mesa llvmpipe, OpenGL ES compatibility: CI has no GPU)
// against independent float64 computations written here: the multi-tensor AdamW with global-norm
// clipping over several steps (with a moment replaced between steps, as a checkpoint resume does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { FUSED, hasFused } from '../../ops/fused';
import { closeAll as close, randomArrays } from '../../testing/arrays';
import { AdamW } from '../../train/optimizer';
import { selectBackend } from '../select';

const randArr = randomArrays(5);

test('selectBackend(webgpu) registers the WGSL kernels', async () => {
  const info = await selectBackend('webgpu');
  assert.match(info.device, /\+ WGSL kernels/);
  assert.ok(hasFused(FUSED.adamwMulti));
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

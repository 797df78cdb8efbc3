// AdamW with decoupled weight decay (Loshchilov & Hutter 2019), following torch.optim.AdamW:
// p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
// p ← p − lr·(m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε). Gradients are first clipped to a global norm
// (torch.nn.utils.clip_grad_norm_), computed on the device so a step needs no host sync. Where the
// backend has the multi-tensor kernel (WebGPU), all parameters update in O(1) dispatches.
import * as tf from '@tensorflow/tfjs-core';
import { FUSED, FUSED_GPU, hasFused, runFused } from '../ops/fused';

export interface AdamWSettings {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  maxGradNorm: number;
}

export class AdamW {
  /** First and second moments by parameter name. */
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  /** Optimizer steps taken (t in the bias corrections). */
  t = 0;

  constructor(
    private readonly params: Map<string, tf.Variable>,
    private readonly s: AdamWSettings,
    private readonly noDecay: (name: string) => boolean,
  ) {
    // Inside a tidy: a variable holds its own reference to the zeros, so the zerosLike tensors go. Left
    // outside, they kept the first buffers alive after the moments moved on (a copy of each moment on
    // backends that assign new tensors) or were disposed (two weight-sized tensors per parameter
    // outliving the optimizer: the timing step of `auto`, tests in one process).
    tf.tidy(() => {
      for (const [name, p] of params) {
        this.m.set(name, tf.variable(tf.zerosLike(p), false));
        this.v.set(name, tf.variable(tf.zerosLike(p), false));
      }
    });
  }

  /** Global L2 norm of the gradients (a scalar tensor the caller disposes). */
  static globalNorm(grads: Map<string, tf.Tensor>): tf.Scalar {
    // A chain of adds, not tf.addN: WebGPU in compatibility mode limits storage buffers per shader. Each
    // square in a tidy of its own, freed at once: one outer tidy held a squared copy of every gradient.
    return tf.tidy(() => tf.sqrt([...grads.values()].reduce<tf.Tensor>((acc, g) => tf.add(acc, tf.tidy(() => tf.sum(tf.square(g)))), tf.scalar(0))) as tf.Scalar);
  }

  /** One update with learning rate `lr`; returns the pre-clipping gradient norm (caller disposes). */
  step(grads: Map<string, tf.Tensor>, lr: number): tf.Scalar {
    this.t += 1;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd, maxGradNorm } = this.s;
    const bc1 = 1 - b1 ** this.t;
    const bc2 = 1 - b2 ** this.t;
    if (hasFused(FUSED_GPU.adamwMulti)) return this.multi(grads, { lr, b1, b2, eps, bc1, bc2, wd, maxNorm: maxGradNorm });
    const norm = AdamW.globalNorm(grads);
    tf.tidy(() => {
      // clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1.
      const coef = maxGradNorm > 0 ? tf.minimum(tf.div(maxGradNorm, tf.add(norm, 1e-6)), 1) : tf.scalar(1);
      const fused = hasFused(FUSED.adamw);
      for (const [name, p] of this.params) {
        const g0 = grads.get(name);
        if (!g0) continue;
        const m = this.m.get(name) as tf.Variable;
        const v = this.v.get(name) as tf.Variable;
        const decay = wd > 0 && !this.noDecay(name) ? 1 - lr * wd : 1;
        if (fused) {
          // One pass over p, g, m and v instead of thirteen kernels (backend/native/fused.c).
          const [p1, m1, v1] = runFused(FUSED.adamw, { p, g: g0, m, v, coef }, { b1, b2, lr, eps, decay, bc1, bc2 }) as tf.Tensor[];
          m.assign(m1 as tf.Tensor);
          v.assign(v1 as tf.Tensor);
          p.assign(p1 as tf.Tensor);
          continue;
        }
        const g = tf.mul(g0, coef);
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const decayed = decay !== 1 ? tf.mul(p, decay) : p;
        const upd = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
        p.assign(tf.sub(decayed, tf.mul(upd, lr)));
      }
    });
    return norm;
  }

  /** Flat scratch of the multi-tensor kernel (fp, fg, fm, fv, parts) and the parameter order it was made for. */
  private flat?: { key: string; t: Record<string, tf.Tensor> };

  /** Every parameter in one multi-tensor kernel (backend/webgpu/adamw.ts): decayed ones first. */
  private multi(grads: Map<string, tf.Tensor>, attrs: Record<string, number>): tf.Scalar {
    const names = [...this.params.keys()].filter((n) => grads.has(n));
    const decays = (n: string) => attrs.wd as number > 0 && !this.noDecay(n);
    const order = [...names.filter(decays), ...names.filter((n) => !decays(n))];
    const key = order.join('\n');
    if (this.flat?.key !== key) {
      if (this.flat) tf.dispose(Object.values(this.flat.t));
      const n = order.reduce((a, x) => a + (this.params.get(x) as tf.Variable).size, 0);
      const z = (k: number) => tf.fill([k], 0); // filled on the device: no upload
      this.flat = { key, t: { fp: z(n), fg: z(n), fm: z(n), fv: z(n), parts: z(256) } };
    }
    const inputs: Record<string, tf.Tensor> = { ...this.flat.t };
    order.forEach((x, i) => {
      inputs[`p${i}`] = this.params.get(x) as tf.Variable;
      inputs[`g${i}`] = grads.get(x) as tf.Tensor;
      inputs[`m${i}`] = this.m.get(x) as tf.Variable;
      inputs[`v${i}`] = this.v.get(x) as tf.Variable;
    });
    return runFused(FUSED_GPU.adamwMulti, inputs, { ...attrs, k: order.length, decayed: names.filter(decays).length }) as tf.Scalar;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    if (this.flat) tf.dispose(Object.values(this.flat.t));
  }
}

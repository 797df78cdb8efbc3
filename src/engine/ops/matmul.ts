// Matrix products whose gradients transpose explicitly. tfjs's own matMul gradient calls matMul with
// transposeA/transposeB, which on the wasm backend runs ~15x slower than a plain product (shared
// notes, environment.md); an explicit tf.transpose followed by a plain matMul is much faster.
// Gradients: for Y = A·B, dA = dY·Bᵀ and dB = Aᵀ·dY (batched over leading dims for rank 3).
// Backends whose transposed products are fast (BLAS, GPUs) pass the transpose flags instead.
import * as tf from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '@tensorflow/tfjs-core/dist/engine';
import { addBias } from './blocks';
import { Half, halfMatmul, type Weight } from './half';

// A frozen weight (a non-trainable variable: the base model under a LoRA adapter) gets no gradient: the
// product's gradient skips it and returns a scalar placeholder, which the tape never reads because no
// gradient is asked of a non-trainable variable (tf.variableGrads and our callers ask for trainable ones).
// A frozen 16-bit weight (ops/half.ts) goes through its own kernels, which give x its gradient only.
const frozen = (t: tf.Tensor): boolean => t instanceof tf.Variable && !t.trainable;
const none = (): tf.Tensor => tf.scalar(0);

const tr = (x: tf.Tensor): tf.Tensor => (x.rank === 2 ? tf.transpose(x) : tf.transpose(x, [0, 2, 1]));

let explicit = true;
/** Whether gradients transpose with tf.transpose (slow flags) or pass the flags to matMul. */
export function setExplicitTranspose(on: boolean): void {
  explicit = on;
}

const mm = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    // In a tidy: the explicit transposes (a copy of the weight, one of the input) go at once, not when
    // the whole backward pass ends (tfjs's tape runs a custom gradient outside any scope of its own).
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.tidy(() => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      const g = dy as tf.Tensor;
      const skip = frozen(b);
      if (!explicit) return [tf.matMul(g, sb, false, true), skip ? none() : tf.matMul(sa, g, true, false)];
      return [tf.matMul(g, tr(sb)), skip ? none() : tf.matMul(tr(sa), g)];
    }),
  };
}) as unknown as CustomGradientFunc<tf.Tensor>);

/** a: [M, K] · b: [K, N] → [M, N], or batched a: [Z, M, K] · b: [Z, K, N] → [Z, M, N]. */
export function matmul<R extends tf.Rank.R2 | tf.Rank.R3>(a: tf.Tensor<R>, b: tf.Tensor<R>): tf.Tensor<R> {
  return mm(a, b) as tf.Tensor<R>;
}

const mmT = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: explicit ? tf.matMul(a, tf.transpose(b)) : tf.matMul(a, b, false, true),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.tidy(() => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      const g = dy as tf.Tensor;
      // Y = A·Bᵀ: dA = dY·B, dB = dYᵀ·A.
      if (frozen(b)) return [tf.matMul(g, sb), none()];
      return [tf.matMul(g, sb), explicit ? tf.transpose(tf.matMul(tf.transpose(sa), g)) : tf.matMul(g, sa, true, false)]; // [M, K], [N, K]
    }),
  };
}) as unknown as CustomGradientFunc<tf.Tensor>);

/** a: [M, K] · bᵀ with b: [N, K] → [M, N] (a tied output head: hidden states · embeddingᵀ); b may be 16-bit (frozen). */
export function matmulT(a: tf.Tensor2D, b: Weight): tf.Tensor2D {
  return b instanceof Half ? halfMatmul(a, b, true) : (mmT(a, b) as tf.Tensor2D); // [M, N]
}

/** x: [N, in] · w: [in, out] + b: [out] → [N, out] (the bias through a fused kernel where there is one); w may be 16-bit (frozen). */
export function linear(x: tf.Tensor2D, w: Weight, b?: tf.Tensor1D): tf.Tensor2D {
  const y = w instanceof Half ? halfMatmul(x, w) : matmul(x, w); // [N, out]
  return b ? addBias(y, b) : y;
}

/** a·bᵀ without a gradient of its own (for hand-written gradients): a [M, K], b [N, K] → [M, N]. */
export function productBT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return explicit ? tf.matMul(a, tf.transpose(b)) : tf.matMul(a, b, false, true);
}

/** aᵀ·b without a gradient of its own: a [K, M], b [K, N] → [M, N]. */
export function productAT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return explicit ? tf.matMul(tf.transpose(a), b) : tf.matMul(a, b, true, false);
}

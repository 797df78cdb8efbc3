// Element-level building blocks with fused kernels where the backend has them (ops/fused.ts; WebGPU
// today) and tfjs composites otherwise: a linear layer's bias add, SwiGLU (Shazeer 2020, as
// transformers' LlamaMLP: silu(gate)·up) and the embedding lookup (torch.nn.Embedding), from a frozen
// 16-bit table through ops/half.ts.
import * as tf from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '@tensorflow/tfjs-core/dist/engine';
import { FUSED_GPU, hasFused, runFused } from './fused';
import { Half, halfGather, type Weight } from './half';

const fusedBias = tf.customGrad(((x: tf.Tensor, b: tf.Tensor) => ({
  value: runFused(FUSED_GPU.biasAdd, { x, b }) as tf.Tensor, // [N, C]
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [dy as tf.Tensor, runFused(FUSED_GPU.biasGrad, { dy: dy as tf.Tensor }) as tf.Tensor], // [N, C], [C]
})) as unknown as CustomGradientFunc<tf.Tensor>);

/** x [N, C] + b [C] → [N, C]. */
export function addBias(x: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return (hasFused(FUSED_GPU.biasAdd) ? fusedBias(x, b) : tf.add(x, b)) as tf.Tensor2D;
}

const fusedSwiglu = tf.customGrad(((gate: tf.Tensor, up: tf.Tensor, save: tf.GradSaveFunc) => {
  save([gate, up]);
  return {
    value: runFused(FUSED_GPU.swiglu, { gate, up }) as tf.Tensor,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [g, u] = saved as [tf.Tensor, tf.Tensor];
      return runFused(FUSED_GPU.swigluGrad, { gate: g, up: u, dy: dy as tf.Tensor }) as tf.Tensor[]; // 2 × gate's shape
    },
  };
}) as unknown as CustomGradientFunc<tf.Tensor>);

/** silu(gate)·up, element-wise: gate, up [N, ff] → [N, ff]. */
export function swiglu(gate: tf.Tensor2D, up: tf.Tensor2D): tf.Tensor2D {
  if (hasFused(FUSED_GPU.swiglu)) return fusedSwiglu(gate, up) as tf.Tensor2D;
  return tf.mul(tf.mul(gate, tf.sigmoid(gate)), up);
}

/**
 * Rows of w [V, d] picked by ids int32 [B, T] → [B, T, d]; the gradient reaches w only (none for a
 * frozen 16-bit table). Without the fused kernels the gradient is one segment sum of dy's rows:
 * tfjs's own GatherV2 gradient adds an identity transpose of the [V, d] result, a second
 * embedding-sized tensor at the backward's peak.
 */
export function embed(w: Weight, ids: tf.Tensor2D): tf.Tensor3D {
  if (w instanceof Half) return halfGather(w, ids) as tf.Tensor3D; // [B, T, d]
  const [V, d] = w.shape;
  const fused = hasFused(FUSED_GPU.embedding);
  // The ids are saved, not captured: a caller's tidy may dispose its ids before the backward pass.
  const f = tf.customGrad(((wi: tf.Tensor, save: tf.GradSaveFunc) => {
    save([ids]);
    return {
      value: (fused ? runFused(FUSED_GPU.embedding, { w: wi, ids }) : tf.gather(wi, ids)) as tf.Tensor, // [B, T, d]
      gradFunc: (dy: tf.Tensor | tf.Tensor[], [si]: tf.Tensor[]) => [fused
        ? runFused(FUSED_GPU.embeddingGrad, { ids: si as tf.Tensor, dy: dy as tf.Tensor }, { V }) as tf.Tensor // [V, d]
        : tf.tidy(() => tf.unsortedSegmentSum(tf.reshape(dy as tf.Tensor, [ids.size, d]), tf.reshape(si as tf.Tensor, [ids.size]), V))], // [B*T, d] → [V, d]
    };
  }) as unknown as CustomGradientFunc<tf.Tensor>);
  return f(w) as tf.Tensor3D;
}

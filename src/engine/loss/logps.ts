// Token and sequence log-probabilities of target tokens under a model's logits, as TRL's
// get_batch_logps (labels[:, 1:] against logits[:, :-1], masked, optionally averaged per sequence).
// The label pick is a fused log-softmax + gather with a hand-written gradient: tf.gather with
// batchDims fails on the wasm backend and gatherND has no gradient (shared notes, environment.md).
import * as tf from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '@tensorflow/tfjs-core/dist/engine';
import { FUSED, hasFused, runFused } from '../ops/fused';

/**
 * log softmax(logits)[i, targets[i]] for every row. logits: [N, V], targets: int32 [N] → [N].
 * Gradient: dlogits = dy · (onehot(targets) − softmax(logits)).
 */
export function pickLogSoftmax(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const V = logits.shape[1];
  if (hasFused(FUSED.logSoftmaxPick)) return fusedPick(logits, targets);
  const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const lse = tf.logSumExp(x, 1); // [N]
    const hot = tf.oneHot(targets, V); // [N, V]
    const picked = tf.sum(tf.mul(x, hot), 1); // [N]
    save([x, lse, targets]); // targets too: the backward pass runs after the forward scope is gone
    return {
      value: tf.sub(picked, lse),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, slse, st] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
        const p = tf.exp(tf.sub(sx, tf.expandDims(slse, 1))); // [N, V]
        return [tf.mul(tf.expandDims(dy as tf.Tensor1D, 1), tf.sub(tf.oneHot(st, V), p))]; // [N, V]
      },
    };
  }) as unknown as CustomGradientFunc<tf.Tensor>);
  return f(logits) as tf.Tensor1D;
}

/** pickLogSoftmax through the backend's fused kernels: one pass over the logits each way. */
function fusedPick(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const t = targets.dtype === 'int32' ? targets : tf.cast(targets, 'int32');
  const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const [picked, lse] = runFused(FUSED.logSoftmaxPick, { x, t }) as [tf.Tensor1D, tf.Tensor1D]; // [N], [N]
    save([x, lse, t]);
    return {
      value: picked,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, slse, st] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
        return [runFused(FUSED.logSoftmaxPickGrad, { x: sx, lse: slse, t: st, dy: dy as tf.Tensor }) as tf.Tensor2D]; // [N, V]
      },
    };
  }) as unknown as CustomGradientFunc<tf.Tensor>);
  return f(logits) as tf.Tensor1D;
}

export interface SequenceLogps {
  /** Per-token log-probs of the targets, [R*T]. */
  tok: tf.Tensor1D;
  /** Mean over masked tokens per row (TRL average_log_prob=True), [R]. */
  mean: tf.Tensor1D;
  /** Sum over masked tokens per row, [R]. */
  sum: tf.Tensor1D;
}

/** logits [R, T, V], targets int32 [R*T], mask [R*T] (1 = counted) → per-row log-probs. */
export function sequenceLogps(logits: tf.Tensor3D, targets: tf.Tensor1D, mask: tf.Tensor1D): SequenceLogps {
  const [R, T, V] = logits.shape;
  const tok = pickLogSoftmax(tf.reshape(logits, [R * T, V]), targets); // [R*T]
  const m = tf.reshape(mask, [R, T]); // [R, T]
  const sum = tf.sum(tf.mul(tf.reshape(tok, [R, T]), m), 1) as tf.Tensor1D; // [R]
  const mean = tf.div(sum, tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor1D; // [R]
  return { tok, mean, sum };
}

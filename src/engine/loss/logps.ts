// Token and sequence log-probabilities of target tokens under a model's logits, as TRL's
// get_batch_logps (labels[:, 1:] against logits[:, :-1], masked, optionally averaged per sequence).
// The label pick is a fused log-softmax + gather with a hand-written gradient: tf.gather with
// batchDims fails on the wasm backend and gatherND has no gradient (shared notes, environment.md).
import * as tf from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '@tensorflow/tfjs-core/dist/engine';
import { HEAD_CHUNK_VALUES, headChunkRows } from '../../common/headChunk';
import { FUSED, hasFused, runFused } from '../ops/fused';
import { innerGrads } from '../ops/grads';

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

/** An output head as the loss sees it (a model's OutputHead): h [N, d] → logits [N, V], and the trainable tensors it reads. */
export interface LogitsHead {
  readonly V: number;
  apply(h: tf.Tensor2D): tf.Tensor2D;
  readonly weights: tf.Tensor[];
}

/** The final hidden states of R rows of T positions, [R·T, d], and the head that makes them logits. */
export interface HiddenStates {
  h: tf.Tensor2D;
  head: LogitsHead;
  R: number;
  T: number;
}

/** Logit values the chunked head holds at once (common/headChunk.ts; the memory plan counts them). */
let chunkValues = HEAD_CHUNK_VALUES;
/** Sets the chunk size (tests use small chunks on small vocabularies); returns the previous one. */
export function setHeadChunk(values: number): number {
  const old = chunkValues;
  chunkValues = values;
  return old;
}

/**
 * Per-position target log-probs and logit sums, [2N] (log-probs in 0..N−1, the sums of each position's
 * logits in N..2N−1), without the [N, V] logits: the head runs on chunks of rows, each chunk's logits
 * freed once its values are out; the backward pass runs each chunk again (as gradient checkpointing
 * does a block) and sums the head weights' gradients chunk by chunk. As Liger-Kernel's and Apple's
 * cut cross-entropy avoid the logits' memory, here under a log-softmax pick whose gradient is general.
 * The logit sums are metrics (TRL's logits/*): no gradient flows back through them.
 */
export function chunkedLogps(h: tf.Tensor2D, head: LogitsHead, targets: tf.Tensor1D): tf.Tensor1D {
  const N = h.shape[0];
  const rows = headChunkRows(N, head.V, chunkValues);
  const starts = Array.from({ length: Math.ceil(N / rows) }, (_, i) => i * rows);
  const t = targets.dtype === 'int32' ? targets : tf.cast(targets, 'int32');
  const piece = (x: tf.Tensor, s: number): tf.Tensor => tf.slice(x, s, Math.min(rows, N - s)); // rows s.. of x
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const hs = args[0] as tf.Tensor2D;
    save([hs, t]);
    const parts = starts.map((s) => tf.tidy(() => {
      const z = head.apply(piece(hs, s) as tf.Tensor2D); // [c, V]
      return [pickLogSoftmax(z, piece(t, s) as tf.Tensor1D), tf.sum(z, 1)]; // [c], [c]
    }));
    return {
      value: tf.concat([...parts.map((p) => p[0] as tf.Tensor1D), ...parts.map((p) => p[1] as tf.Tensor1D)]), // [2N]
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sh, st] = saved as [tf.Tensor2D, tf.Tensor1D];
        const dh: tf.Tensor[] = [];
        let dw: tf.Tensor[] = [];
        for (const s of starts) {
          const g = tf.tidy(() => innerGrads((hi: tf.Tensor, ...ws: tf.Tensor[]) => (void ws, pickLogSoftmax(head.apply(hi as tf.Tensor2D), piece(st, s) as tf.Tensor1D)), [piece(sh, s), ...head.weights], piece(dy as tf.Tensor, s)));
          dh.push(g[0] as tf.Tensor);
          const next = dw.length ? g.slice(1).map((w, i) => tf.add(dw[i] as tf.Tensor, w)) : g.slice(1); // Σ over chunks
          if (dw.length) tf.dispose([...dw, ...g.slice(1)]);
          dw = next;
        }
        const dhAll = tf.concat(dh); // [N, d]
        tf.dispose(dh);
        return [dhAll, ...dw];
      },
    };
  }) as unknown as CustomGradientFunc<tf.Tensor>);
  return f(h, ...head.weights) as tf.Tensor1D;
}

export interface SequenceLogps {
  /** Per-token log-probs of the targets, [R*T]. */
  tok: tf.Tensor1D;
  /** Mean over masked tokens per row (TRL average_log_prob=True), [R]. */
  mean: tf.Tensor1D;
  /** Sum over masked tokens per row, [R]. */
  sum: tf.Tensor1D;
  /** Σ over the vocabulary of each position's logits, [R, T] (TRL's logits/* metrics). */
  logitSums: tf.Tensor2D;
}

/**
 * Per-row log-probs of the targets under logits [R, T, V], or under hidden states and their head
 * (applied in chunks: chunkedLogps); targets int32 [R*T], mask [R*T] (1 = counted).
 */
export function sequenceLogps(out: tf.Tensor3D | HiddenStates, targets: tf.Tensor1D, mask: tf.Tensor1D): SequenceLogps {
  let tok: tf.Tensor1D, logitSums: tf.Tensor2D;
  const [R, T] = out instanceof tf.Tensor ? out.shape : [out.R, out.T];
  if (out instanceof tf.Tensor) {
    const V = out.shape[2];
    tok = pickLogSoftmax(tf.reshape(out, [R * T, V]), targets); // [R*T]
    logitSums = tf.sum(out, 2); // [R, T]
  } else {
    const both = chunkedLogps(out.h, out.head, targets); // [2·R·T]
    tok = tf.slice(both, 0, R * T);
    logitSums = tf.reshape(tf.slice(both, R * T, R * T), [R, T]); // [R, T]
  }
  const m = tf.reshape(mask, [R, T]); // [R, T]
  const sum = tf.sum(tf.mul(tf.reshape(tok, [R, T]), m), 1) as tf.Tensor1D; // [R]
  const mean = tf.div(sum, tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor1D; // [R]
  return { tok, mean, sum, logitSums };
}

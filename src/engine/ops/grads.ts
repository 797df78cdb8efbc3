// Gradients taken inside another gradient's backward pass (a recomputation: model/checkpoint.ts, the
// chunked output head in loss/logps.ts). tfjs 4.22's gradients() replaces the engine's active tape
// and leaves it null when it returns, so a nested call keeps the outer tape aside and puts it back.
import * as tf from '@tensorflow/tfjs-core';

/** tf.grads(f)(xs, dy), safe to call from a custom gradient while an outer backward pass runs. */
export function innerGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const state = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
  const outer = state.activeTape;
  try {
    return tf.grads(f)(xs, dy);
  } finally {
    state.activeTape = outer;
  }
}

// Gradients taken inside another gradient's backward pass (a recomputation: model/checkpoint.ts, the
// chunked output head in loss/logps.ts), through ops/backprop.ts, which keeps the outer tape aside and
// puts it back, and frees the recomputation's intermediates as it goes.
import type * as tf from '@tensorflow/tfjs-core';
import { gradients } from './backprop';

/** The gradients of f(...xs) seeded with dy, safe to call from a custom gradient while an outer backward pass runs. */
export function innerGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const { value, grads } = gradients(() => f(...xs), xs, dy);
  value.dispose();
  return grads.map((g, i) => {
    if (!g) throw new Error(`innerGrads: the result does not depend on input ${i}`);
    return g;
  });
}

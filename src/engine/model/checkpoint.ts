// Gradient checkpointing (Chen et al. 2016, "Training Deep Nets with Sublinear Memory Cost"; as
// transformers' gradient_checkpointing_enable): a transformer block runs forward without keeping its
// intermediates (tf.customGrad runs its forward function untaped, inside a tidy), keeping only its
// input; the backward pass runs the block again under tf.grads and backpropagates through that copy.
// Activation memory then holds one block's intermediates at a time plus every block's input.
import * as tf from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '@tensorflow/tfjs-core/dist/engine';
import { innerGrads } from '../ops/grads';

export type Block = (x: tf.Tensor2D, consts: tf.Tensor[]) => tf.Tensor2D;

/**
 * block(x, consts) with x: [N, d] → [N, d], recomputed in the backward pass. `weights` are the
 * trainable tensors the block reads (they receive gradients; the block may read frozen ones too);
 * `consts` are tensors made for this forward pass (RoPE tables), kept for the recomputation.
 */
export function checkpointed(block: Block, x: tf.Tensor2D, weights: tf.Tensor[], consts: tf.Tensor[] = []): tf.Tensor2D {
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const inputs = args as tf.Tensor[];
    save([inputs[0] as tf.Tensor, ...consts]);
    return {
      value: block(inputs[0] as tf.Tensor2D, consts),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, ...cs] = saved as [tf.Tensor2D, ...tf.Tensor[]];
        // Recompute with the tape on; the weights are the same tensors the block reads.
        return innerGrads((xi: tf.Tensor, ...ws: tf.Tensor[]) => (void ws, block(xi as tf.Tensor2D, cs)), [xs, ...weights], dy as tf.Tensor);
      },
    };
  }) as unknown as CustomGradientFunc<tf.Tensor>);
  return f(x, ...weights) as tf.Tensor2D;
}

// A frozen linear layer with a LoRA adapter as one op (Hu et al. 2021; PEFT's lora.Linear.forward:
// base(x) + lora_B(lora_A(dropout(x))) · scaling): y = x·W + b + s·(x̃·Aᵀ)·Bᵀ, with W [in, out] and b
// frozen, A [r, in], B [out, r], x̃ = dropout(x). One op so the autodiff tape keeps only h = x̃·Aᵀ
// ([N, r]) beside its inputs, not the base output, the adapter's output and their sum ([N, out] each).
// Gradients, with dy [N, out] and dh = s·dy·B [N, r]: dB = s·dyᵀ·h, dA = dhᵀ·x̃, dx̃ = dh·A, and
// dx = dy·Wᵀ (+ dh·A when there is no dropout, x̃ = x). No gradient of W or b is computed. W may be a
// frozen 16-bit weight (ops/half.ts): its products widen it as they read.
import * as tf from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '@tensorflow/tfjs-core/dist/engine';
import { Half, halfProduct, type Weight } from '../ops/half';
import { productAT, productBT } from '../ops/matmul';

/** x [N, in] → [N, out]; `xd` is dropout(x) when dropout is on (it gets the adapter's gradient), else x itself. */
export function loraLinear(x: tf.Tensor2D, xd: tf.Tensor2D, w: Weight, b: tf.Tensor1D | undefined, A: tf.Tensor2D, B: tf.Tensor2D, s: number): tf.Tensor2D {
  const same = xd === x;
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [xi, xdi, a, bm] = (same ? [args[0], args[0], args[1], args[2]] : args) as tf.Tensor2D[];
    const h = tf.matMul(xdi as tf.Tensor2D, a as tf.Tensor2D, false, true); // [N, r]
    save(same ? [xi as tf.Tensor, a as tf.Tensor, bm as tf.Tensor, h] : [xdi as tf.Tensor, a as tf.Tensor, bm as tf.Tensor, h]);
    const base = w instanceof Half ? halfProduct(xi as tf.Tensor2D, w, false) : tf.matMul(xi as tf.Tensor2D, w); // [N, out]
    const y = tf.add(base, tf.matMul(tf.mul(h, s), bm as tf.Tensor2D, false, true)); // [N, out]
    return {
      value: b ? tf.add(y, b) : y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor2D;
        const [xs, as, bs, hs] = saved as tf.Tensor2D[];
        const dh = tf.mul(tf.matMul(g, bs as tf.Tensor2D), s) as tf.Tensor2D; // [N, r]
        const dB = tf.mul(productAT(g, hs as tf.Tensor2D), s); // [out, r]
        const dA = productAT(dh, xs as tf.Tensor2D); // [r, in]
        const dxBase = w instanceof Half ? halfProduct(g, w, true) : productBT(g, w); // [N, in]
        const dxd = tf.matMul(dh, as as tf.Tensor2D); // [N, in]
        return same ? [tf.add(dxBase, dxd), dA, dB] : [dxBase, dxd, dA, dB];
      },
    };
  }) as unknown as CustomGradientFunc<tf.Tensor>);
  return (same ? f(x, A, B) : f(x, xd, A, B)) as tf.Tensor2D;
}

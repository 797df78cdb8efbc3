// 16-bit frozen weights (issue 13), as a transformers + PEFT LoRA run keeps a base model loaded with
// torch_dtype=bfloat16: weights that never train stay in the checkpoint's dtype. A `Half` holds a
// weight's raw bfloat16 or binary16 bits, two per element of an int32 tensor, in the layout safetensors
// stored them, and is read through the FUSED_HALF kernels (ops/fused.ts), which widen to float32 as they
// read: products x·W and x·Wᵀ whose gradient reaches x only (dX = dY·Wᵀ; a frozen weight gets none) and
// row gathers (an embedding lookup). Only backends with those kernels (native, WebGPU) keep weights 16-bit.
import * as tf from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '@tensorflow/tfjs-core/dist/engine';
import { bf16ToF32, f16ToF32 } from '../hf/dtypes';
import { FUSED_HALF, hasFused, runFused } from './fused';

export type HalfFormat = 'bf16' | 'f16';

/** A frozen 16-bit weight: bits of S [R, C] (`stored`, row-major); the model uses S, or Sᵀ when `transposed`. */
export class Half {
  constructor(readonly bits: tf.Tensor1D, readonly stored: readonly [number, number], readonly format: HalfFormat, readonly transposed = false) {}

  /** The packed bits of `values` (16-bit words of S [R, C]) as an int32 tensor, two values per element. */
  static pack(values: Uint16Array, stored: readonly [number, number], format: HalfFormat): Half {
    const even = values.length % 2 === 0 ? values : Uint16Array.from({ length: values.length + 1 }, (_, i) => values[i] ?? 0);
    const ints = new Int32Array(even.buffer, even.byteOffset, even.length / 2); // [⌈R·C/2⌉], the same bytes
    return new Half(tf.tensor1d(ints, 'int32'), stored, format);
  }

  /** The logical shape the model uses. */
  get shape(): [number, number] {
    const [r, c] = this.stored;
    return this.transposed ? [c, r] : [r, c];
  }

  get size(): number {
    return this.stored[0] * this.stored[1];
  }

  /** The same bits seen as the transpose (a new reference to them: dispose both). */
  t(): Half {
    return new Half(tf.clone(this.bits), this.stored, this.format, !this.transposed);
  }

  /** A second reference to the same bits (a clone shares the buffer). */
  clone(): Half {
    return new Half(tf.clone(this.bits), this.stored, this.format, this.transposed);
  }

  /** S widened to float32, in the stored layout (what safetensors holds); read asynchronously (WebGPU has no synchronous reads). */
  async storedValues(): Promise<Float32Array> {
    const ints = await this.bits.data<'int32'>();
    const words = new Uint16Array(ints.buffer, ints.byteOffset, this.size);
    const conv = this.format === 'bf16' ? bf16ToF32 : f16ToF32;
    return Float32Array.from(words, (w) => conv(w));
  }

  /** The logical weight as a float32 tensor (merging an adapter), widened on the device by the gather kernel. */
  widen(): tf.Tensor2D {
    return tf.tidy(() => {
      const s = halfGather(new Half(this.bits, this.stored, this.format), tf.range(0, this.stored[0], 1, 'int32')) as tf.Tensor2D; // [R, C]
      return this.transposed ? tf.transpose(s) : s;
    });
  }

  dispose(): void {
    this.bits.dispose();
  }
}

/** A weight as the model uses it: float32, or frozen 16-bit. */
export type Weight = tf.Tensor2D | Half;

const FMT: Record<HalfFormat, number> = { bf16: 0, f16: 1 };

/** Whether the active backend keeps 16-bit weights (has the FUSED_HALF kernels). */
export const halfSupported = (): boolean => hasFused(FUSED_HALF.matmul) && hasFused(FUSED_HALF.gather);

/** x [M, K] · W (logical [K, N]), or · Wᵀ (logical [N, K]) when `transposeW`, without a gradient → [M, N]. */
export function halfProduct(x: tf.Tensor2D, w: Half, transposeW: boolean): tf.Tensor2D {
  const [R, C] = w.stored;
  const trans = w.transposed !== transposeW ? 1 : 0; // op(S) = S or Sᵀ
  return runFused(FUSED_HALF.matmul, { x, w: w.bits }, { R, C, trans, fmt: FMT[w.format] }) as tf.Tensor2D; // [M, N]
}

/** x [M, K] · W (logical [K, N]) → [M, N]; or x · Wᵀ (logical [N, K]) when `transposeW`. dX = dY·Wᵀ (or dY·W); W gets none. */
export function halfMatmul(x: tf.Tensor2D, w: Half, transposeW = false): tf.Tensor2D {
  const f = tf.customGrad(((xi: tf.Tensor) => ({
    value: halfProduct(xi as tf.Tensor2D, w, transposeW), // [M, N]
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [halfProduct(dy as tf.Tensor2D, w, !transposeW)], // [M, K]
  })) as unknown as CustomGradientFunc<tf.Tensor>);
  return f(x) as tf.Tensor2D;
}

/** Rows of the table w (logical [V, d], not transposed) picked by ids int32 (any shape) → [...ids, d]; no gradient. */
export function halfGather(w: Half, ids: tf.Tensor): tf.Tensor {
  if (w.transposed) throw new Error('halfGather: the table must be stored [rows, width]');
  const [R, C] = w.stored;
  return runFused(FUSED_HALF.gather, { w: w.bits, ids }, { R, C, fmt: FMT[w.format] }) as tf.Tensor; // [...ids, C]
}

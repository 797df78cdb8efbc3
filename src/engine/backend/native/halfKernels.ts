// The FUSED_HALF kernels (ops/fused.ts, ops/half.ts) on the native backend: products with and row
// gathers from a 16-bit frozen weight, its bf16/f16 bits packed two per int32 element, widened to
// float32 in the addon as it reads (half.c: a panel at a time into sgemm). Tensors are the native
// backend's typed arrays, read in place.
import type * as tf from '@tensorflow/tfjs-core';
import { FUSED_HALF } from '../../ops/fused';
import type { Addon, F32 } from './addon';
import { numel, overrideKernel, type KernelIo } from './io';

export function registerHalf(addon: Addon, io: KernelIo): void {
  overrideKernel(io, FUSED_HALF.matmul, ({ inputs, attrs }, b) => {
    const { x, w } = inputs as { x: tf.TensorInfo; w: tf.TensorInfo };
    const { R, C, trans, fmt } = attrs as unknown as Record<string, number>;
    const [M, K] = x.shape as [number, number];
    const [Kw, N] = trans ? [C as number, R as number] : [R as number, C as number];
    if (x.dtype !== 'float32' || x.shape.length !== 2 || Kw !== K) throw new Error(`${FUSED_HALF.matmul}: x [${x.shape}] does not fit a 16-bit weight [${R}, ${C}]${trans ? 'ᵀ' : ''}`);
    const y = io.out(b, [M, N], 'float32'); // [M, N]
    addon.halfMatmul(io.view(b, x) as F32, io.view(b, w) as Int32Array, io.view(b, y) as F32, M, K, N, trans as number, fmt as number);
    return y;
  });
  overrideKernel(io, FUSED_HALF.gather, ({ inputs, attrs }, b) => {
    const { w, ids } = inputs as { w: tf.TensorInfo; ids: tf.TensorInfo };
    const { R, C, fmt } = attrs as unknown as Record<string, number>;
    if (ids.dtype !== 'int32') throw new Error(`${FUSED_HALF.gather}: ids must be int32, got ${ids.dtype}`);
    const o = io.out(b, [...ids.shape, C as number], 'float32'); // [...ids, C]
    if (numel(ids.shape) > 0) addon.halfGather(io.view(b, w) as Int32Array, io.view(b, ids) as Int32Array, io.view(b, o) as F32, R as number, C as number, fmt as number);
    return o;
  });
}

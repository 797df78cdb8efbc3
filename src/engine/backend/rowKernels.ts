// Data-movement kernels as copies of contiguous rows, for the wasm backend and the native CPU
// backend (tfjs 4.22 runs these element by element, with index arithmetic per element, on both):
// SplitV (the fused qkv projection's split), GatherV2 on axis 0 (embedding lookups, repeat_kv),
// UnsortedSegmentSum (their gradient; tf.math.unsorted_segment_sum: out[s] = Σ_{i: ids[i] = s} x[i]),
// and on the native backend Slice, PadV2 and Concat (RoPE halves, position-embedding slices and their
// gradients). Semantics follow the TensorFlow.js API docs; every other case goes to tfjs's kernel.
import * as tf from '@tensorflow/tfjs-core';
import { numel, overrideKernel, type Fast, type KernelIo, type Typed } from './native/io';

const plain = (t: tf.TensorInfo): boolean => t.dtype !== 'string' && t.dtype !== 'complex64';

/** x: [outer, A, inner] split along A into pieces of `sizes` → [outer, s, inner] each. */
const splitV = (io: KernelIo): Fast => (args, b) => {
  const x = args.inputs.x as tf.TensorInfo;
  const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number | number[] };
  if (!plain(x)) return undefined;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0] as number;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
  const A = x.shape[ax] as number;
  const outer = numel(x.shape.slice(0, ax));
  const inner = numel(x.shape.slice(ax + 1));
  const outs = sizes.map((s) => io.out(b, x.shape.map((d, i) => (i === ax ? s : d)), x.dtype)); // [outer, s, inner]
  const src = io.view(b, x);
  let start = 0;
  sizes.forEach((s, j) => {
    const dst = io.view(b, outs[j] as tf.TensorInfo);
    const row = s * inner;
    for (let o = 0; o < outer; o++) dst.set(src.subarray((o * A + start) * inner, (o * A + start) * inner + row), o * row);
    start += s;
  });
  return outs;
};

/** x: [D, ...rest] gathered on axis 0 by int32 indices [...] → [...indices, ...rest]. */
const gatherRows = (io: KernelIo): Fast => (args, b) => {
  const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
  if ((axis !== 0 && axis !== -x.shape.length) || batchDims !== 0 || indices.dtype !== 'int32' || !plain(x)) return undefined;
  const D = x.shape[0] as number;
  const inner = numel(x.shape.slice(1));
  const idx = io.view(b, indices) as Int32Array;
  for (const r of idx) if (r < 0 || r >= D) throw new Error(`GatherV2: the index value ${r} is not in [0, ${D - 1}]`);
  const out = io.out(b, [...indices.shape, ...x.shape.slice(1)], x.dtype); // [...indices, ...rest]
  const src = io.view(b, x);
  const dst = io.view(b, out);
  const ids = io.view(b, indices) as Int32Array; // after the allocation (wasm views may detach)
  for (let i = 0; i < ids.length; i++) dst.set(src.subarray((ids[i] as number) * inner, ((ids[i] as number) + 1) * inner), i * inner);
  return out;
};

/** x: [...ids, ...rest], ids int32 → [numSegments, ...rest]. */
const segmentSum = (io: KernelIo): Fast => (args, b) => {
  const x = args.inputs.x as tf.TensorInfo;
  const ids = args.inputs.segmentIds as tf.TensorInfo;
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return undefined;
  const inner = numel(x.shape.slice(ids.shape.length));
  const out = io.out(b, [numSegments, ...x.shape.slice(ids.shape.length)], x.dtype); // [numSegments, ...rest]
  const xv = io.view(b, x), iv = io.view(b, ids) as Int32Array, ov = io.view(b, out);
  ov.fill(0);
  for (let i = 0; i < iv.length; i++) {
    const s = iv[i] as number;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner, dst = s * inner;
    for (let j = 0; j < inner; j++) (ov[dst + j] as number) += xv[src + j] as number;
  }
  return out;
};

/**
 * Copies the box of `dst` (shape ds) starting at `at` from `src` (shape ss) starting at `from`, of
 * shape `box`; runs of the last axis are copied whole.
 */
function copyBox(src: Typed, ss: readonly number[], from: readonly number[], dst: Typed, ds: readonly number[], at: readonly number[], box: readonly number[]): void {
  const r = box.length;
  if (r === 0) { dst[0] = src[0] as number; return; }
  if (numel(box) === 0) return;
  const sStr = ss.map((_, i) => numel(ss.slice(i + 1))), dStr = ds.map((_, i) => numel(ds.slice(i + 1)));
  const run = box[r - 1] as number;
  const idx = new Array<number>(r - 1).fill(0);
  for (;;) {
    let so = (from[r - 1] as number), d = (at[r - 1] as number);
    for (let i = 0; i < r - 1; i++) { so += ((from[i] as number) + (idx[i] as number)) * (sStr[i] as number); d += ((at[i] as number) + (idx[i] as number)) * (dStr[i] as number); }
    dst.set(src.subarray(so, so + run), d);
    let i = r - 2;
    for (; i >= 0; i--) { if (((idx[i] as number) += 1) < (box[i] as number)) break; idx[i] = 0; }
    if (i < 0) return;
  }
}

const slice = (io: KernelIo): Fast => (args, b) => {
  const x = args.inputs.x as tf.TensorInfo;
  const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
  if (!plain(x)) return undefined;
  const [start, sz] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [number[], number[]];
  const out = io.out(b, sz, x.dtype);
  copyBox(io.view(b, x), x.shape, start, io.view(b, out), sz, sz.map(() => 0), sz);
  return out;
};

const pad = (io: KernelIo): Fast => (args, b) => {
  const x = args.inputs.x as tf.TensorInfo;
  const { paddings, constantValue } = args.attrs as { paddings: [number, number][]; constantValue: number };
  if (!plain(x)) return undefined;
  const shape = x.shape.map((d, i) => (paddings[i]?.[0] ?? 0) + d + (paddings[i]?.[1] ?? 0));
  const out = io.out(b, shape, x.dtype);
  const dst = io.view(b, out);
  if (constantValue !== 0) dst.fill(constantValue);
  copyBox(io.view(b, x), x.shape, x.shape.map(() => 0), dst, shape, paddings.map((p) => p[0]), x.shape);
  return out;
};

/** Inputs [outer, a_i, inner] joined along `axis` → [outer, Σ a_i, inner]: rows pasted side by side. */
const concat = (io: KernelIo): Fast => (args, b) => {
  const xs = Object.values(args.inputs) as tf.TensorInfo[];
  const x0 = xs[0];
  if (!x0 || !xs.every((x) => plain(x) && x.dtype === x0.dtype && x.shape.length === x0.shape.length)) return undefined;
  const ax = tf.util.parseAxisParam((args.attrs as { axis: number }).axis, x0.shape)[0] as number;
  const shape = x0.shape.map((d, i) => (i === ax ? xs.reduce((a, x) => a + (x.shape[ax] as number), 0) : d));
  const outer = numel(x0.shape.slice(0, ax)), row = numel(shape.slice(ax));
  const out = io.out(b, shape, x0.dtype);
  const dst = io.view(b, out);
  let off = 0;
  for (const x of xs) {
    const src = io.view(b, x), w = numel(x.shape.slice(ax));
    for (let o = 0; o < outer; o++) dst.set(src.subarray(o * w, (o + 1) * w), o * row + off);
    off += w;
  }
  return out;
};

/** The row kernels every backend of ours needs (wasm, native). */
export function registerRowKernels(io: KernelIo): void {
  overrideKernel(io, 'SplitV', splitV(io));
  overrideKernel(io, 'GatherV2', gatherRows(io));
  overrideKernel(io, 'UnsortedSegmentSum', segmentSum(io));
}

/** Slice, PadV2 and Concat, for the native backend (tfjs-wasm has its own). */
export function registerBoxKernels(io: KernelIo): void {
  overrideKernel(io, 'Concat', concat(io));
  overrideKernel(io, 'Slice', slice(io));
  overrideKernel(io, 'PadV2', pad(io));
}

// Fast paths for two tfjs-wasm (4.22) kernels that a training step calls often and tfjs-wasm runs
// through generic element-by-element code: SplitV (the fused qkv projection's split) and GatherV2 on
// axis 0 (embedding lookups). Each is a copy of contiguous rows of the wasm heap; every other case
// goes to tfjs's own kernel. Semantics follow tf.split and tf.gather (TensorFlow.js API docs).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Args = Parameters<tf.KernelFunc>[0];

/** Replaces the wasm kernel `name` with `fast`, which returns undefined to defer to the original. */
export function override(name: string, fast: (args: Args, w: BackendWasm) => tf.TensorInfo | tf.TensorInfo[] | undefined): void {
  const original = tf.getKernel(name, 'wasm');
  if (!original) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    ...(original.setupFunc ? { setupFunc: original.setupFunc } : {}),
    kernelFunc: (args) => fast(args, args.backend as BackendWasm) ?? original.kernelFunc(args),
  });
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
type Heap = Float32Array | Int32Array | Uint8Array;

/** x: [outer, A, inner] split along A into pieces of `sizes` → [outer, s, inner] each. */
function splitV(args: Args, w: BackendWasm): tf.TensorInfo[] | undefined {
  const x = args.inputs.x as tf.TensorInfo;
  const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number | number[] };
  if (x.dtype === 'string' || x.dtype === 'complex64') return undefined;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0] as number;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
  const A = x.shape[ax] as number;
  const outer = size(x.shape.slice(0, ax));
  const inner = size(x.shape.slice(ax + 1));
  const outs = sizes.map((s) => w.makeOutput(x.shape.map((d, i) => (i === ax ? s : d)), x.dtype)); // [outer, s, inner]
  const src = w.typedArrayFromHeap(x) as Heap;
  let start = 0;
  sizes.forEach((s, j) => {
    const dst = w.typedArrayFromHeap(outs[j] as tf.TensorInfo) as Heap;
    const row = s * inner;
    for (let o = 0; o < outer; o++) dst.set(src.subarray((o * A + start) * inner, (o * A + start) * inner + row), o * row);
    start += s;
  });
  return outs;
}

/** x: [D, ...rest] gathered on axis 0 by int32 indices [...] → [...indices, ...rest]. */
function gatherRows(args: Args, w: BackendWasm): tf.TensorInfo | undefined {
  const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
  if ((axis !== 0 && axis !== -x.shape.length) || batchDims !== 0 || indices.dtype !== 'int32' || x.dtype === 'string' || x.dtype === 'complex64') return undefined;
  const D = x.shape[0] as number;
  const inner = size(x.shape.slice(1));
  const out = w.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype); // [...indices, ...rest]
  const src = w.typedArrayFromHeap(x) as Heap;
  const idx = w.typedArrayFromHeap(indices) as Int32Array;
  const dst = w.typedArrayFromHeap(out) as Heap;
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i] as number;
    if (r < 0 || r >= D) {
      w.disposeData(out.dataId);
      throw new Error(`GatherV2: the index value ${r} is not in [0, ${D - 1}]`);
    }
    dst.set(src.subarray(r * inner, (r + 1) * inner), i * inner);
  }
  return out;
}

export function registerWasmFastPaths(): void {
  override('SplitV', splitV);
  override('GatherV2', gatherRows);
}

// Fused kernels of the native addon (fused.c) registered for the tfjs wasm backend: the vocabulary
// log-softmax with label pick, GELU, LayerNorm, AdamW, bias Add over rows, and Sum over leading or
// trailing axes (tfjs-wasm transposes before reducing leading axes, which made bias gradients 10% of
// a step). Each writes
// its outputs into the wasm heap; outputs are allocated before any view is taken, because an
// allocation may grow the heap and detach earlier views.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { FUSED } from '../../ops/fused';
import { override } from '../wasmFastPaths';
import type { Addon, F32 } from './addon';

const view = (backend: BackendWasm, t: tf.TensorInfo): F32 => backend.typedArrayFromHeap(t) as F32;

type Inputs = Record<string, tf.TensorInfo>;
/** Registers a wasm kernel whose body sees the backend, inputs and numeric attrs. */
function wasmKernel(name: string, body: (w: BackendWasm, i: Inputs, a: Record<string, number>) => tf.TensorInfo | tf.TensorInfo[]): void {
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => body(backend as BackendWasm, inputs as Inputs, attrs as unknown as Record<string, number>),
  });
}

export function registerFused(addon: Addon): void {
  const ints = (w: BackendWasm, t: tf.TensorInfo | undefined): Int32Array => w.typedArrayFromHeap(t as tf.TensorInfo) as Int32Array;
  const f = (w: BackendWasm, t: tf.TensorInfo | undefined): F32 => view(w, t as tf.TensorInfo);
  wasmKernel(FUSED.logSoftmaxPick, (w, { x, t }) => {
    const [N, V] = x?.shape as [number, number];
    const out = w.makeOutput([N], 'float32');
    const lse = w.makeOutput([N], 'float32');
    addon.logSoftmaxPick(f(w, x), ints(w, t), view(w, out), view(w, lse), N, V);
    return [out, lse];
  });
  wasmKernel(FUSED.logSoftmaxPickGrad, (w, { x, lse, t, dy }) => {
    const [N, V] = x?.shape as [number, number];
    const dx = w.makeOutput([N, V], 'float32');
    addon.logSoftmaxPickGrad(f(w, x), f(w, lse), ints(w, t), f(w, dy), view(w, dx), N, V);
    return dx;
  });
  wasmKernel(FUSED.gelu, (w, { x }) => {
    const y = w.makeOutput(x?.shape ?? [], 'float32');
    addon.gelu(f(w, x), view(w, y));
    return y;
  });
  wasmKernel(FUSED.geluGrad, (w, { x, dy }) => {
    const dx = w.makeOutput(x?.shape ?? [], 'float32');
    addon.geluGrad(f(w, x), f(w, dy), view(w, dx));
    return dx;
  });
  wasmKernel(FUSED.adamw, (w, { p, g, m, v, coef }, a) => {
    const shape = p?.shape ?? [];
    const outs = [w.makeOutput(shape, 'float32'), w.makeOutput(shape, 'float32'), w.makeOutput(shape, 'float32')] as const;
    const c = f(w, coef)[0] as number;
    addon.adamw(f(w, p), f(w, g), f(w, m), f(w, v), view(w, outs[0]), view(w, outs[1]), view(w, outs[2]), c, a.b1 as number, 1 - (a.b1 as number), a.b2 as number, 1 - (a.b2 as number), a.lr as number, a.eps as number, a.decay as number, a.bc1 as number, a.bc2 as number);
    return [...outs];
  });
  wasmKernel(FUSED.layerNorm, (w, { x, w: g, b }, a) => {
    const [N, C] = x?.shape as [number, number];
    const outs = [w.makeOutput([N, C], 'float32'), w.makeOutput([N], 'float32'), w.makeOutput([N], 'float32')] as const;
    addon.layerNorm(f(w, x), f(w, g), f(w, b), view(w, outs[0]), view(w, outs[1]), view(w, outs[2]), N, C, a.eps as number);
    return [...outs];
  });
  wasmKernel(FUSED.layerNormGrad, (w, { x, w: g, mean, rstd, dy }) => {
    const [N, C] = x?.shape as [number, number];
    const outs = [w.makeOutput([N, C], 'float32'), w.makeOutput([C], 'float32'), w.makeOutput([C], 'float32')] as const;
    addon.layerNormGrad(f(w, x), f(w, g), f(w, mean), f(w, rstd), f(w, dy), view(w, outs[0]), view(w, outs[1]), view(w, outs[2]), N, C);
    return [...outs];
  });
  registerSum(addon);
  // Add of a bias broadcast over rows (every linear layer); tfjs-wasm's broadcasting add is generic.
  override('Add', (args, w) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
    const [m, v] = b.shape.length === 1 && a.shape.length > 1 ? [a, b] : a.shape.length === 1 && b.shape.length > 1 ? [b, a] : [];
    if (!m || !v || m.shape[m.shape.length - 1] !== v.shape[0]) return undefined;
    const C = v.shape[0] as number;
    const out = w.makeOutput(m.shape, 'float32'); // [..., C]
    addon.addRows(view(w, m), view(w, v), view(w, out), m.shape.reduce((x, y) => x * y, 1) / C, C);
    return out;
  });
}

/** Sum over a leading or a trailing run of axes in one pass; any other reduction goes to tfjs's kernel. */
function registerSum(addon: Addon): void {
  override('Sum', (args, w) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
    const k = axes.length;
    const leading = axes.every((a, i) => a === i);
    const trailing = axes.every((a, i) => a === rank - k + i);
    if (x.dtype !== 'float32' || k === 0 || k === rank || !(leading || trailing)) return undefined;
    const split = leading ? k : rank - k;
    const R = x.shape.slice(0, split).reduce((a, b) => a * b, 1);
    const C = x.shape.slice(split).reduce((a, b) => a * b, 1);
    const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const out = w.makeOutput(shape, 'float32');
    addon.sum(view(w, x), view(w, out), R, C, leading ? 1 : 0);
    return out;
  });
}

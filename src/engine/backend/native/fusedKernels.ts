// Fused kernels of the native addon (fused.c) registered for a backend whose memory `io` reaches
// (io.ts: the wasm heap, or the native CPU backend's typed arrays): the vocabulary log-softmax with
// label pick, GELU, LayerNorm, AdamW, bias Add over rows, Sum over leading or trailing axes
// (tfjs transposes before reducing leading axes, which made bias gradients 10% of a step), and the
// causal attention of FUSED_GPU (attention.c: no [B·H, T, T] map is kept for the backward). Outputs
// are allocated before any view is taken (on wasm an allocation may grow the heap and detach views).
// Where io.inPlace, AdamW writes p, m and v in place and returns them: no second copy of the weights.
import * as tf from '@tensorflow/tfjs-core';
import { FUSED, FUSED_GPU } from '../../ops/fused';
import type { Addon, F32 } from './addon';
import { noteInPlaceWrite, numel, overrideKernel, type KernelIo } from './io';

type Inputs = Record<string, tf.TensorInfo>;

export function registerFused(addon: Addon, io: KernelIo): void {
  const reg = (name: string, body: (b: tf.KernelBackend, i: Inputs, a: Record<string, number>) => tf.TensorInfo | tf.TensorInfo[]): void =>
    overrideKernel(io, name, ({ inputs, backend, attrs }) => body(backend as tf.KernelBackend, inputs as Inputs, attrs as unknown as Record<string, number>));
  const ints = (b: tf.KernelBackend, t: tf.TensorInfo | undefined): Int32Array => io.view(b, t as tf.TensorInfo) as Int32Array;
  const f = (b: tf.KernelBackend, t: tf.TensorInfo | undefined): F32 => io.view(b, t as tf.TensorInfo) as F32;
  const out = (b: tf.KernelBackend, shape: number[]): tf.TensorInfo => io.out(b, shape, 'float32');
  reg(FUSED.logSoftmaxPick, (b, { x, t }) => {
    const [N, V] = x?.shape as [number, number];
    const o = out(b, [N]), lse = out(b, [N]);
    addon.logSoftmaxPick(f(b, x), ints(b, t), f(b, o), f(b, lse), N, V);
    return [o, lse];
  });
  reg(FUSED.logSoftmaxPickGrad, (b, { x, lse, t, dy }) => {
    const [N, V] = x?.shape as [number, number];
    const dx = out(b, [N, V]);
    addon.logSoftmaxPickGrad(f(b, x), f(b, lse), ints(b, t), f(b, dy), f(b, dx), N, V);
    return dx;
  });
  reg(FUSED.gelu, (b, { x }) => {
    const y = out(b, x?.shape ?? []);
    addon.gelu(f(b, x), f(b, y));
    return y;
  });
  reg(FUSED.geluGrad, (b, { x, dy }) => {
    const dx = out(b, x?.shape ?? []);
    addon.geluGrad(f(b, x), f(b, dy), f(b, dx));
    return dx;
  });
  reg(FUSED.adamw, (b, { p, g, m, v, coef }, a) => {
    const shape = p?.shape ?? [];
    const ins = [p, m, v] as tf.TensorInfo[];
    const outs = io.inPlace ? ins : [out(b, shape), out(b, shape), out(b, shape)];
    const c = f(b, coef)[0] as number;
    addon.adamw(f(b, p), f(b, g), f(b, m), f(b, v), f(b, outs[0]), f(b, outs[1]), f(b, outs[2]), c, a.b1 as number, 1 - (a.b1 as number), a.b2 as number, 1 - (a.b2 as number), a.lr as number, a.eps as number, a.decay as number, a.bc1 as number, a.bc2 as number);
    if (!io.inPlace) return outs;
    // In place: the outputs are the inputs' buffers, one more reference each (as Reshape returns its input).
    for (const t of ins) b.incRef(t.dataId);
    noteInPlaceWrite();
    return ins.map((t) => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }));
  });
  reg(FUSED.layerNorm, (b, { x, w: g, b: bias }, a) => {
    const [N, C] = x?.shape as [number, number];
    const outs = [out(b, [N, C]), out(b, [N]), out(b, [N])] as const;
    addon.layerNorm(f(b, x), f(b, g), f(b, bias), f(b, outs[0]), f(b, outs[1]), f(b, outs[2]), N, C, a.eps as number);
    return [...outs];
  });
  reg(FUSED.layerNormGrad, (b, { x, w: g, mean, rstd, dy }) => {
    const [N, C] = x?.shape as [number, number];
    const outs = [out(b, [N, C]), out(b, [C]), out(b, [C])] as const;
    addon.layerNormGrad(f(b, x), f(b, g), f(b, mean), f(b, rstd), f(b, dy), f(b, outs[0]), f(b, outs[1]), f(b, outs[2]), N, C);
    return [...outs];
  });
  registerSum(addon, io);
  registerAttention(addon, io);
  // Add of a bias broadcast over rows (every linear layer); tfjs-wasm's broadcasting add is generic.
  overrideKernel(io, 'Add', (args, b) => {
    const { a, b: y } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || y.dtype !== 'float32') return undefined;
    const [m, v] = y.shape.length === 1 && a.shape.length > 1 ? [a, y] : a.shape.length === 1 && y.shape.length > 1 ? [y, a] : [];
    if (!m || !v || m.shape[m.shape.length - 1] !== v.shape[0]) return undefined;
    const C = v.shape[0] as number;
    const o = out(b, m.shape); // [..., C]
    addon.addRows(f(b, m), f(b, v), f(b, o), numel(m.shape) / C, C);
    return o;
  });
}

/** Sum over a leading or a trailing run of axes in one pass; any other reduction goes to tfjs's kernel. */
function registerSum(addon: Addon, io: KernelIo): void {
  overrideKernel(io, 'Sum', (args, b) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, c) => a - c);
    const k = axes.length;
    const leading = axes.every((a, i) => a === i);
    const trailing = axes.every((a, i) => a === rank - k + i);
    if (x.dtype !== 'float32' || k === 0 || k === rank || !(leading || trailing)) return undefined;
    const split = leading ? k : rank - k;
    const R = numel(x.shape.slice(0, split));
    const C = numel(x.shape.slice(split));
    const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const o = io.out(b, shape, 'float32');
    addon.sum(io.view(b, x) as F32, io.view(b, o) as F32, R, C, leading ? 1 : 0);
    return o;
  });
}

/** [B, T, H, KV, hd] of a packed qkv [B, T, (H + 2·KV)·hd] and attrs H, KV. */
function attentionDims(qkv: tf.TensorInfo, a: Record<string, number>): [number, number, number, number, number] {
  const [B, T, W] = qkv.shape as [number, number, number];
  const H = a.H as number, KV = a.KV ?? H;
  const hd = W / (H + 2 * KV);
  if (qkv.shape.length !== 3 || !Number.isInteger(hd) || hd < 1 || H % KV !== 0) throw new Error(`OrpoCausalAttention: qkv ${JSON.stringify(qkv.shape)} does not hold ${H} query and 2 × ${KV} kv heads`);
  return [B, T, H, KV, hd];
}

/** The fused causal attention (FUSED_GPU.attention and its gradient) through attention.c. */
function registerAttention(addon: Addon, io: KernelIo): void {
  overrideKernel(io, FUSED_GPU.attention, ({ inputs, attrs }, b) => {
    const { qkv, lens } = inputs as Inputs as { qkv: tf.TensorInfo; lens: tf.TensorInfo };
    const [B, T, H, KV, hd] = attentionDims(qkv, attrs as unknown as Record<string, number>);
    const y = io.out(b, [B * T, H * hd], 'float32'), lse = io.out(b, [B * H * T], 'float32');
    addon.attention(io.view(b, qkv) as F32, io.view(b, lens) as Int32Array, io.view(b, y) as F32, io.view(b, lse) as F32, B, T, H, KV, hd);
    return [y, lse];
  });
  overrideKernel(io, FUSED_GPU.attentionGrad, ({ inputs, attrs }, b) => {
    const { qkv, y, lse, dy, lens } = inputs as Inputs as Record<'qkv' | 'y' | 'lse' | 'dy' | 'lens', tf.TensorInfo>;
    const [B, T, H, KV, hd] = attentionDims(qkv, attrs as unknown as Record<string, number>);
    const dqkv = io.out(b, qkv.shape, 'float32'); // [B, T, (H+2KV)*hd]
    const v = (t: tf.TensorInfo): F32 => io.view(b, t) as F32;
    addon.attentionGrad(v(qkv), v(y), v(lse), v(dy), io.view(b, lens) as Int32Array, v(dqkv), B, T, H, KV, hd);
    return dqkv;
  });
}

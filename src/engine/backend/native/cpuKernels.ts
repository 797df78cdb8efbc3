// Kernels of the native CPU backend (cpuBackend.ts) beyond the products and the fused kernels:
// Add/Sub/Mul/Div over the broadcasts a transformer step uses, Transpose and Softmax on the last
// axis (ops.c, fused.c), each against the memory of the tensors in place. tfjs's cpu kernels run these
// with per-element index arithmetic (a mask add over [Z, T, T] allocated an index array per element);
// any other case (other dtypes, other broadcasts) goes to tfjs's cpu kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { Addon, F32 } from './addon';
import { numel, overrideKernel, type KernelIo } from './io';

const OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;

/**
 * The binary mode of ops.c for an output [R, C]: 0 same shape, 1 b repeated over rows (b's shape a
 * suffix of a's), 2 b repeated over columns (b's shape a's with trailing ones), 3 and 4 the same with
 * a and b swapped. Undefined for any other broadcast.
 */
export function broadcastMode(as: readonly number[], bs: readonly number[]): { mode: number; R: number; C: number } | undefined {
  const na = numel(as), nb = numel(bs);
  const strip = (s: readonly number[]): number[] => { const t = [...s]; while (t.length && t[0] === 1) t.shift(); return t; };
  const big = na >= nb ? as : bs, small = na >= nb ? bs : as;
  const n = numel(big), m = numel(small);
  if (na === nb) return strip(as).join() === strip(bs).join() ? { mode: 0, R: 1, C: n } : undefined;
  if (m === 0 || small.length > big.length) return undefined;
  const sm = strip(small);
  const suffix = big.slice(big.length - sm.length);
  if (suffix.join() === sm.join()) return { mode: na > nb ? 1 : 3, R: n / m, C: m };
  // Trailing ones: small = big's leading dims (padded to big's rank from the left with ones).
  const padded = [...new Array<number>(big.length - small.length).fill(1), ...small];
  let k = padded.length;
  while (k > 0 && padded[k - 1] === 1) k--;
  const lead = padded.slice(0, k), bigLead = big.slice(0, k);
  if (strip(lead).join() === strip(bigLead).join() && numel(lead) === m) return { mode: na > nb ? 2 : 4, R: m, C: n / m };
  return undefined;
}

export function registerCpuKernels(addon: Addon, io: KernelIo): void {
  for (const [name, op] of Object.entries(OPS)) {
    overrideKernel(io, name, (args, b) => {
      const { a, b: y } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      if (a.dtype !== 'float32' || y.dtype !== 'float32') return undefined;
      const m = broadcastMode(a.shape, y.shape);
      if (!m) return undefined;
      const out = io.out(b, tf.backend_util.assertAndGetBroadcastShape(a.shape, y.shape), 'float32');
      addon.binary(op, io.view(b, a) as F32, io.view(b, y) as F32, io.view(b, out) as F32, m.R, m.C, m.mode);
      return out;
    });
  }
  overrideKernel(io, 'Transpose', (args, b) => {
    const x = args.inputs.x as tf.TensorInfo;
    const perm = (args.attrs as { perm: number[] }).perm;
    if (!['float32', 'int32'].includes(x.dtype) || x.shape.length > 6 || x.shape.length < 1) return undefined;
    const out = io.out(b, perm.map((p) => x.shape[p] as number), x.dtype); // x.shape permuted
    addon.transpose(io.view(b, x) as F32, io.view(b, out) as F32, Int32Array.from(x.shape), Int32Array.from(perm));
    return out;
  });
  overrideKernel(io, 'Softmax', (args, b) => {
    const x = args.inputs.logits as tf.TensorInfo;
    const dim = (args.attrs as { dim: number }).dim;
    const r = x.shape.length;
    if (x.dtype !== 'float32' || r < 1 || (dim !== -1 && dim !== r - 1)) return undefined;
    const C = x.shape[r - 1] as number;
    const out = io.out(b, x.shape, 'float32');
    if (C > 0) addon.softmax(io.view(b, x) as F32, io.view(b, out) as F32, numel(x.shape) / C, C);
    return out;
  });
}

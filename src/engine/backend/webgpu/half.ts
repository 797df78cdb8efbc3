// The FUSED_HALF kernels (ops/fused.ts, ops/half.ts) in WGSL: products with and row gathers from a
// 16-bit frozen weight whose bfloat16 or binary16 bits are packed two per 32-bit word (element 2i in
// the low half, as safetensors' little-endian bytes lie), widened to float32 as the shader reads them.
// Neither needs the `shader-f16` feature: binary16 goes through WGSL's core unpack2x16float, bfloat16
// is the high half of a float32 (its bits shifted up 16). The product is a 16 × 16 tiled matmul, each
// tile of op(S) widened once into workgroup memory; an untuned first version, as backend/native's
// half.c widens a panel at a time for sgemm. Reference: WGSL spec (unpack2x16float, bitcast).
import type * as tf from '@tensorflow/tfjs-core';
import { dispatch, groupsFor, output, type WebgpuBackend } from './raw';
import { bindings } from './wgsl';

/** The 16-bit value at element e of S, widened: u.fmt 0 bfloat16, 1 binary16. */
const WIDEN = /* wgsl */ `
fn widen(e: u32) -> f32 {
  let word = w[e >> 1u];
  let hi = (e & 1u) == 1u;
  if (u.fmt == 0u) {
    return bitcast<f32>(select(word << 16u, word & 0xffff0000u, hi));
  }
  let p = unpack2x16float(word);
  return select(p.x, p.y, hi);
}`;

const MATMUL = /* wgsl */ `
struct U { M: u32, K: u32, N: u32, C: u32, trans: u32, fmt: u32 }
${bindings(['x', 'w:u32'], ['y'])}
${WIDEN}
var<workgroup> tx: array<array<f32, 16>, 16>;
var<workgroup> tw: array<array<f32, 16>, 16>;
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.y * 16u + lid.y;
  let col = wid.x * 16u + lid.x;
  var acc = 0.0;
  for (var t = 0u; t < u.K; t += 16u) {
    let kx = t + lid.x;
    var a = 0.0;
    if (row < u.M && kx < u.K) { a = x[row * u.K + kx]; }
    tx[lid.y][lid.x] = a;
    let kw = t + lid.y;
    var b = 0.0;
    // op(S)[kw, col]: S [R, C] read as is (trans 0: S is [K, N]) or transposed (trans 1: S is [N, K]).
    if (kw < u.K && col < u.N) { b = widen(select(kw * u.C + col, col * u.C + kw, u.trans == 1u)); }
    tw[lid.y][lid.x] = b;
    workgroupBarrier();
    for (var i = 0u; i < 16u; i++) { acc += tx[lid.y][i] * tw[i][lid.x]; }
    workgroupBarrier();
  }
  if (row < u.M && col < u.N) { y[row * u.N + col] = acc; }
}`;

const GATHER = /* wgsl */ `
struct U { n: u32, C: u32, R: u32, fmt: u32 }
${bindings(['w:u32', 'ids:i32'], ['y'])}
${WIDEN}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  for (var i = gid.x; i < u.n; i += nw.x * 256u) {
    let t = u32(ids[i / u.C]);
    var v = 0.0;
    if (t < u.R) { v = widen(t * u.C + i % u.C); }
    y[i] = v;
  }
}`;

/** x [M, K], w (S [R, C] packed); attrs R, C, trans, fmt → x·op(S) [M, N]. */
export function halfMatmul(be: WebgpuBackend, { x, w }: Record<string, tf.TensorInfo>, a: Record<string, number>): tf.TensorInfo {
  const { R, C, trans, fmt } = a as { R: number; C: number; trans: number; fmt: number };
  const [M, K] = (x as tf.TensorInfo).shape as [number, number];
  const [Kw, N] = trans ? [C, R] : [R, C];
  if (Kw !== K) throw new Error(`OrpoHalfMatMul: x [${(x as tf.TensorInfo).shape}] does not fit a 16-bit weight [${R}, ${C}]${trans ? 'ᵀ' : ''}`);
  const y = output(be, [M, N]); // [M, N]
  dispatch(be, 'OrpoHalfMatMul', MATMUL, [x, w, y] as tf.TensorInfo[], [{ u32: M }, { u32: K }, { u32: N }, { u32: C }, { u32: trans }, { u32: fmt }], [Math.ceil(N / 16), Math.ceil(M / 16)]);
  return y;
}

/** w (S [R, C] packed), ids int32 (any shape); attrs R, C, fmt → rows of S [...ids, C]. */
export function halfGather(be: WebgpuBackend, { w, ids }: Record<string, tf.TensorInfo>, a: Record<string, number>): tf.TensorInfo {
  const { R, C, fmt } = a as { R: number; C: number; fmt: number };
  const y = output(be, [...(ids as tf.TensorInfo).shape, C]); // [...ids, C]
  const n = (ids as tf.TensorInfo).shape.reduce((p, q) => p * q, 1) * C;
  if (n > 0) dispatch(be, 'OrpoHalfGather', GATHER, [w, ids, y] as tf.TensorInfo[], [{ u32: n }, { u32: C }, { u32: R }, { u32: fmt }], [groupsFor(n, 256)]);
  return y;
}

// Causal self-attention for the WebGPU backend, fused flash-style (Dao et al. 2022): QKᵀ, the causal
// mask, softmax and ·V in one dispatch with an online softmax, reading q, k, v straight from the
// packed projection qkv [B, T, 3d] and writing y in merged-head layout [B·T, d]. Only y and the
// row log-sum-exp [B·H·T] are kept for the backward pass: no [B, H, T, T] tensor exists. The backward
// is one dispatch too: the first B·H·T invocations each compute one query row's dq, the others one
// key row's dk and dv, recomputing the probabilities from lse (D_i = dy_i·y_i inline):
// p = exp(scale·q_i·k_j − lse_i), ds = p·(dy_i·v_j − D_i), dq_i = scale·Σ_j ds·k_j,
// dk_j = scale·Σ_i ds·q_i, dv_j = Σ_i p·dy_i. One invocation per row; head size at most 128.
import type * as tf from '@tensorflow/tfjs-core';
import { dispatch, output, type WebgpuBackend } from './raw';

export const MAX_HEAD = 128;

const HEAD = /* wgsl */ `
struct U { B: u32, T: u32, H: u32, hd: u32, scale: f32 }`;

const FORWARD = /* wgsl */ `${HEAD}
@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> lse: array<f32>;
@group(0) @binding(3) var<uniform> u: U;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= u.B * u.H * u.T) { return; }
  let i = idx % u.T;
  let h = (idx / u.T) % u.H;
  let b = idx / (u.T * u.H);
  let d = u.H * u.hd;
  let qo = (b * u.T + i) * 3u * d + h * u.hd;
  var acc: array<f32, ${MAX_HEAD}>;
  for (var c = 0u; c < u.hd; c++) { acc[c] = 0.0; }
  var m = -3.4e38;
  var l = 0.0;
  for (var j = 0u; j <= i; j++) {
    let ko = (b * u.T + j) * 3u * d + d + h * u.hd;
    var s = 0.0;
    for (var c = 0u; c < u.hd; c++) { s += qkv[qo + c] * qkv[ko + c]; }
    s *= u.scale;
    let mn = max(m, s);
    let corr = exp(m - mn);
    let p = exp(s - mn);
    l = l * corr + p;
    for (var c = 0u; c < u.hd; c++) { acc[c] = acc[c] * corr + p * qkv[ko + d + c]; }
    m = mn;
  }
  let yo = (b * u.T + i) * d + h * u.hd;
  for (var c = 0u; c < u.hd; c++) { y[yo + c] = acc[c] / l; }
  lse[idx] = m + log(l);
}`;

const BACKWARD = /* wgsl */ `${HEAD}
@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> lse: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dqkv: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
fn qk(a: u32, b: u32) -> f32 { var s = 0.0; for (var c = 0u; c < u.hd; c++) { s += qkv[a + c] * qkv[b + c]; } return s; }
fn dyv(a: u32, b: u32) -> f32 { var s = 0.0; for (var c = 0u; c < u.hd; c++) { s += dy[a + c] * qkv[b + c]; } return s; }
fn dyy(a: u32) -> f32 { var s = 0.0; for (var c = 0u; c < u.hd; c++) { s += dy[a + c] * y[a + c]; } return s; }
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let rows = u.B * u.H * u.T;
  if (gid.x >= 2u * rows) { return; }
  let keyRole = gid.x >= rows;
  let idx = select(gid.x, gid.x - rows, keyRole);
  let r = idx % u.T;
  let h = (idx / u.T) % u.H;
  let b = idx / (u.T * u.H);
  let z = idx - r; // first row of this (b, h) in lse
  let d = u.H * u.hd;
  let base = b * u.T;
  var a1: array<f32, ${MAX_HEAD}>;
  var a2: array<f32, ${MAX_HEAD}>;
  for (var c = 0u; c < u.hd; c++) { a1[c] = 0.0; a2[c] = 0.0; }
  if (!keyRole) {
    let i = r;
    let qo = (base + i) * 3u * d + h * u.hd;
    let yo = (base + i) * d + h * u.hd;
    let Di = dyy(yo);
    for (var j = 0u; j <= i; j++) {
      let ko = (base + j) * 3u * d + d + h * u.hd;
      let p = exp(u.scale * qk(qo, ko) - lse[z + i]);
      let ds = p * (dyv(yo, ko + d) - Di);
      for (var c = 0u; c < u.hd; c++) { a1[c] += ds * qkv[ko + c]; }
    }
    for (var c = 0u; c < u.hd; c++) { dqkv[qo + c] = u.scale * a1[c]; }
  } else {
    let j = r;
    let ko = (base + j) * 3u * d + d + h * u.hd;
    for (var i = j; i < u.T; i++) {
      let qo = (base + i) * 3u * d + h * u.hd;
      let yo = (base + i) * d + h * u.hd;
      let p = exp(u.scale * qk(qo, ko) - lse[z + i]);
      let ds = p * (dyv(yo, ko + d) - dyy(yo));
      for (var c = 0u; c < u.hd; c++) { a1[c] += ds * qkv[qo + c]; a2[c] += p * dy[yo + c]; }
    }
    for (var c = 0u; c < u.hd; c++) { dqkv[ko + c] = u.scale * a1[c]; dqkv[ko + d + c] = a2[c]; }
  }
}`;

const dims = (qkv: tf.TensorInfo, H: number): [number, number, number, number] => {
  const [B, T, d3] = qkv.shape as [number, number, number];
  if (2 * B * H * T > 64 * 65535) throw new Error(`OrpoCausalAttention: ${B * H * T} rows exceed one dispatch`);
  return [B, T, H, d3 / 3 / H];
};

/** qkv [B, T, 3d]; attr H → [y [B·T, d], lse [B·H·T]]. */
export function attention(be: WebgpuBackend, { qkv }: Record<string, tf.TensorInfo>, a: Record<string, number>): tf.TensorInfo[] {
  const [B, T, H, hd] = dims(qkv as tf.TensorInfo, a.H as number);
  const outs = [output(be, [B * T, H * hd]), output(be, [B * H * T])];
  const u = [{ u32: B }, { u32: T }, { u32: H }, { u32: hd }, 1 / Math.sqrt(hd)];
  dispatch(be, 'OrpoCausalAttention', FORWARD, [qkv as tf.TensorInfo, ...outs], u, [Math.ceil((B * H * T) / 64)]);
  return outs;
}

/** qkv [B, T, 3d], y [B·T, d], lse [B·H·T], dy [B·T, d]; attr H → dqkv [B, T, 3d]. */
export function attentionGrad(be: WebgpuBackend, { qkv, y, lse, dy }: Record<string, tf.TensorInfo>, a: Record<string, number>): tf.TensorInfo {
  const [B, T, H, hd] = dims(qkv as tf.TensorInfo, a.H as number);
  const dqkv = output(be, (qkv as tf.TensorInfo).shape);
  const u = [{ u32: B }, { u32: T }, { u32: H }, { u32: hd }, 1 / Math.sqrt(hd)];
  dispatch(be, 'OrpoCausalAttentionGrad', BACKWARD, [qkv, y, lse, dy, dqkv] as tf.TensorInfo[], u, [Math.ceil((2 * B * H * T) / 64)]);
  return dqkv;
}

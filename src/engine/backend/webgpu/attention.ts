// Causal self-attention for the WebGPU backend, fused flash-style (Dao et al. 2022): QKᵀ, the causal
// mask, softmax and ·V in one dispatch with an online softmax, reading q, k, v straight from the
// packed projection qkv [B, T, W] and writing y in merged-head layout [B·T, H·hd]. A row of qkv holds
// H query heads, then KV key heads, then KV value heads (W = (H + 2·KV)·hd): query head h reads kv
// head h / (H / KV), grouped-query attention as transformers' repeat_kv (GPT-2: KV = H). Only y and
// the row log-sum-exp [B·H·T] are kept for the backward pass: no [B, H, T, T] tensor exists. The
// backward is one dispatch too: the first B·H·T invocations each compute one query row's dq, the
// next B·KV·T one key row's dk and dv summed over the query heads of its group, recomputing the
// probabilities from lse (D_i = dy_i·y_i inline):
// p = exp(scale·q_i·k_j − lse_i), ds = p·(dy_i·v_j − D_i), dq_i = scale·Σ_j ds·k_j,
// dk_j = scale·Σ_i ds·q_i, dv_j = Σ_i p·dy_i. One invocation per row; head size at most 128.
// lens [B] holds each row's real length: keys at or past it are masked (transformers' attention_mask
// on right padding), so a padding query attends its row's real keys only and a padding key gets
// no gradient.
import type * as tf from '@tensorflow/tfjs-core';
import { dispatch, output, type WebgpuBackend } from './raw';
import { bindings } from './wgsl';
import { FUSED_ATTENTION_MAX_HEAD } from '../../../common/fusedAttention';

export const MAX_HEAD = FUSED_ATTENTION_MAX_HEAD;

const HEAD = /* wgsl */ `
struct U { B: u32, T: u32, H: u32, hd: u32, scale: f32, KV: u32 }
// offsets in qkv of row t of batch b: query head h, key and value of kv head g
fn qOff(b: u32, t: u32, h: u32) -> u32 { return (b * u.T + t) * (u.H + 2u * u.KV) * u.hd + h * u.hd; }
fn kOff(b: u32, t: u32, g: u32) -> u32 { return qOff(b, t, u.H + g); }
fn vOff(b: u32, t: u32, g: u32) -> u32 { return qOff(b, t, u.H + u.KV + g); }`;

const FORWARD = /* wgsl */ `${HEAD}
${bindings(['qkv', 'lens:i32'], ['y', 'lse'])}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= u.B * u.H * u.T) { return; }
  let i = idx % u.T;
  let h = (idx / u.T) % u.H;
  let b = idx / (u.T * u.H);
  let d = u.H * u.hd;
  let g = h / (u.H / u.KV);
  let qo = qOff(b, i, h);
  var acc: array<f32, ${MAX_HEAD}>;
  for (var c = 0u; c < u.hd; c++) { acc[c] = 0.0; }
  var m = -3.4e38;
  var l = 0.0;
  let last = min(i, max(u32(lens[b]), 1u) - 1u); // the last key this query attends
  for (var j = 0u; j <= last; j++) {
    let ko = kOff(b, j, g);
    let vo = vOff(b, j, g);
    var s = 0.0;
    for (var c = 0u; c < u.hd; c++) { s += qkv[qo + c] * qkv[ko + c]; }
    s *= u.scale;
    let mn = max(m, s);
    let corr = exp(m - mn);
    let p = exp(s - mn);
    l = l * corr + p;
    for (var c = 0u; c < u.hd; c++) { acc[c] = acc[c] * corr + p * qkv[vo + c]; }
    m = mn;
  }
  let yo = (b * u.T + i) * d + h * u.hd;
  for (var c = 0u; c < u.hd; c++) { y[yo + c] = acc[c] / l; }
  lse[idx] = m + log(l);
}`;

const BACKWARD = /* wgsl */ `${HEAD}
${bindings(['qkv', 'y', 'lse', 'dy', 'lens:i32'], ['dqkv'])}
fn qk(a: u32, b: u32) -> f32 { var s = 0.0; for (var c = 0u; c < u.hd; c++) { s += qkv[a + c] * qkv[b + c]; } return s; }
fn dyv(a: u32, b: u32) -> f32 { var s = 0.0; for (var c = 0u; c < u.hd; c++) { s += dy[a + c] * qkv[b + c]; } return s; }
fn dyy(a: u32) -> f32 { var s = 0.0; for (var c = 0u; c < u.hd; c++) { s += dy[a + c] * y[a + c]; } return s; }
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let rows = u.B * u.H * u.T;
  if (gid.x >= rows + u.B * u.KV * u.T) { return; }
  let keyRole = gid.x >= rows;
  let idx = select(gid.x, gid.x - rows, keyRole);
  let heads = select(u.H, u.KV, keyRole);
  let r = idx % u.T;
  let h = (idx / u.T) % heads; // a query head, or a kv head in the key role
  let b = idx / (u.T * heads);
  let rep = u.H / u.KV;
  let d = u.H * u.hd;
  var a1: array<f32, ${MAX_HEAD}>;
  var a2: array<f32, ${MAX_HEAD}>;
  for (var c = 0u; c < u.hd; c++) { a1[c] = 0.0; a2[c] = 0.0; }
  if (!keyRole) {
    let i = r;
    let g = h / rep;
    let qo = qOff(b, i, h);
    let yo = (b * u.T + i) * d + h * u.hd;
    let li = lse[(b * u.H + h) * u.T + i];
    let Di = dyy(yo);
    let last = min(i, max(u32(lens[b]), 1u) - 1u);
    for (var j = 0u; j <= last; j++) {
      let ko = kOff(b, j, g);
      let p = exp(u.scale * qk(qo, ko) - li);
      let ds = p * (dyv(yo, vOff(b, j, g)) - Di);
      for (var c = 0u; c < u.hd; c++) { a1[c] += ds * qkv[ko + c]; }
    }
    for (var c = 0u; c < u.hd; c++) { dqkv[qo + c] = u.scale * a1[c]; }
  } else {
    let j = r;
    let ko = kOff(b, j, h);
    let vo = vOff(b, j, h);
    let real = j < u32(lens[b]); // a padding key is attended by no query
    for (var hq = h * rep; hq < select((h + 1u) * rep, h * rep, !real); hq++) {
      for (var i = j; i < u.T; i++) {
        let qo = qOff(b, i, hq);
        let yo = (b * u.T + i) * d + hq * u.hd;
        let p = exp(u.scale * qk(qo, ko) - lse[(b * u.H + hq) * u.T + i]);
        let ds = p * (dyv(yo, vo) - dyy(yo));
        for (var c = 0u; c < u.hd; c++) { a1[c] += ds * qkv[qo + c]; a2[c] += p * dy[yo + c]; }
      }
    }
    for (var c = 0u; c < u.hd; c++) { dqkv[ko + c] = u.scale * a1[c]; dqkv[vo + c] = a2[c]; }
  }
}`;

/** [B, T, H, KV, hd] of a packed qkv [B, T, (H + 2·KV)·hd]. */
const dims = (qkv: tf.TensorInfo, a: Record<string, number>): [number, number, number, number, number] => {
  const [B, T, W] = qkv.shape as [number, number, number];
  const H = a.H as number, KV = a.KV ?? H;
  const hd = W / (H + 2 * KV);
  if (!Number.isInteger(hd) || H % KV !== 0 || hd > MAX_HEAD) throw new Error(`OrpoCausalAttention: width ${W} does not hold ${H} query and 2 × ${KV} kv heads of at most ${MAX_HEAD}`);
  if (B * (H + KV) * T > 64 * 65535) throw new Error(`OrpoCausalAttention: ${B * H * T} rows exceed one dispatch`);
  return [B, T, H, KV, hd];
};

const uniforms = (B: number, T: number, H: number, KV: number, hd: number) => [{ u32: B }, { u32: T }, { u32: H }, { u32: hd }, 1 / Math.sqrt(hd), { u32: KV }];

/** qkv [B, T, (H + 2·KV)·hd], lens int32 [B]; attrs H, KV → [y [B·T, H·hd], lse [B·H·T]]. */
export function attention(be: WebgpuBackend, { qkv, lens }: Record<string, tf.TensorInfo>, a: Record<string, number>): tf.TensorInfo[] {
  const [B, T, H, KV, hd] = dims(qkv as tf.TensorInfo, a);
  const outs = [output(be, [B * T, H * hd]), output(be, [B * H * T])];
  dispatch(be, 'OrpoCausalAttention', FORWARD, [qkv as tf.TensorInfo, lens as tf.TensorInfo, ...outs], uniforms(B, T, H, KV, hd), [Math.ceil((B * H * T) / 64)]);
  return outs;
}

/** qkv, y [B·T, H·hd], lse [B·H·T], dy [B·T, H·hd], lens [B]; attrs H, KV → dqkv, the shape of qkv. */
export function attentionGrad(be: WebgpuBackend, { qkv, y, lse, dy, lens }: Record<string, tf.TensorInfo>, a: Record<string, number>): tf.TensorInfo {
  const [B, T, H, KV, hd] = dims(qkv as tf.TensorInfo, a);
  const dqkv = output(be, (qkv as tf.TensorInfo).shape);
  dispatch(be, 'OrpoCausalAttentionGrad', BACKWARD, [qkv, y, lse, dy, lens, dqkv] as tf.TensorInfo[], uniforms(B, T, H, KV, hd), [Math.ceil((B * (H + KV) * T) / 64)]);
  return dqkv;
}

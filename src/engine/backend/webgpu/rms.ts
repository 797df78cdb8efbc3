// RMSNorm over rows (Zhang & Sennrich 2019; transformers' LlamaRMSNorm) in one dispatch forward and
// one backward, as ops/nn.ts's composite: rstd = 1/sqrt(mean(x²) + eps), y = x·rstd·w. Backward,
// with xh = x·rstd and g = dy·w: dx = rstd·(g − xh·mean(g·xh)) by row workgroups, and in the same
// dispatch dw = Σ_rows dy·xh by column workgroups (one invocation per column).
import type * as tf from '@tensorflow/tfjs-core';
import { dispatch, groupsFor, output, type WebgpuBackend } from './raw';
import { TREE_SUM } from './wgsl';

const FORWARD = /* wgsl */ `
struct U { eps: f32, N: u32, C: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
${TREE_SUM}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  for (var r = wid.x; r < u.N; r += nw.x) {
    let o = r * u.C;
    var q = 0.0;
    for (var c = lid.x; c < u.C; c += 256u) { q += x[o + c] * x[o + c]; }
    let rs = 1.0 / sqrt(treeSum(lid.x, q) / f32(u.C) + u.eps);
    for (var c = lid.x; c < u.C; c += 256u) { y[o + c] = x[o + c] * rs * w[c]; }
    if (lid.x == 0u) { rstd[r] = rs; }
  }
}`;

const BACKWARD = /* wgsl */ `
struct U { N: u32, C: u32, rowGroups: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> rstd: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
@group(0) @binding(5) var<storage, read_write> dw: array<f32>;
@group(0) @binding(6) var<uniform> u: U;
${TREE_SUM}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (wid.x >= u.rowGroups) {
    let c = (wid.x - u.rowGroups) * 256u + lid.x;
    if (c < u.C) {
      var s = 0.0;
      for (var r = 0u; r < u.N; r++) { s += dy[r * u.C + c] * x[r * u.C + c] * rstd[r]; }
      dw[c] = s;
    }
    return;
  }
  for (var r = wid.x; r < u.N; r += u.rowGroups) {
    let o = r * u.C;
    let rs = rstd[r];
    var sgx = 0.0;
    for (var c = lid.x; c < u.C; c += 256u) { sgx += dy[o + c] * w[c] * x[o + c] * rs; }
    let mgx = treeSum(lid.x, sgx) / f32(u.C);
    for (var c = lid.x; c < u.C; c += 256u) { dx[o + c] = rs * (dy[o + c] * w[c] - x[o + c] * rs * mgx); }
  }
}`;

/** x [N, C], w [C]; attr eps → [y [N, C], rstd [N]]. */
export function rmsNorm(be: WebgpuBackend, { x, w }: Record<string, tf.TensorInfo>, a: Record<string, number>): tf.TensorInfo[] {
  const [N, C] = (x as tf.TensorInfo).shape as [number, number];
  const outs = [output(be, [N, C]), output(be, [N])];
  dispatch(be, 'OrpoRmsNorm', FORWARD, [x, w, ...outs] as tf.TensorInfo[], [a.eps as number, { u32: N }, { u32: C }], [groupsFor(N, 1)]);
  return outs;
}

/** x, w, rstd, dy → [dx [N, C], dw [C]]. */
export function rmsNormGrad(be: WebgpuBackend, { x, w, rstd, dy }: Record<string, tf.TensorInfo>): tf.TensorInfo[] {
  const [N, C] = (x as tf.TensorInfo).shape as [number, number];
  const rowGroups = groupsFor(N, 1, 65535 - groupsFor(C, 256));
  const outs = [output(be, [N, C]), output(be, [C])];
  dispatch(be, 'OrpoRmsNormGrad', BACKWARD, [x, w, rstd, dy, ...outs] as tf.TensorInfo[], [{ u32: N }, { u32: C }, { u32: rowGroups }], [rowGroups + groupsFor(C, 256)]);
  return outs;
}

// LayerNorm over rows (Ba et al. 2016; torch.nn.LayerNorm, biased variance) in one dispatch forward
// and one backward, as the native kernel (backend/native/fused.c): no tf.moments, so none of the
// ones() uploads of tfjs's Mean gradient. Forward: one workgroup per row keeps mean and
// rstd = 1/sqrt(var + eps). Backward, with xh = (x − mean)·rstd and g = dy·w:
// dx = rstd·(g − mean(g) − xh·mean(g·xh)) by row workgroups, and in the same dispatch
// dw = Σ_rows dy·xh, db = Σ_rows dy by column workgroups (one invocation per column).
import type * as tf from '@tensorflow/tfjs-core';
import { dispatch, groupsFor, output, type WebgpuBackend } from './raw';
import { TREE_SUM } from './wgsl';

const FORWARD = /* wgsl */ `
struct U { eps: f32, N: u32, C: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(6) var<uniform> u: U;
${TREE_SUM}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  for (var r = wid.x; r < u.N; r += nw.x) {
    let o = r * u.C;
    var s = 0.0;
    for (var c = lid.x; c < u.C; c += 256u) { s += x[o + c]; }
    let m = treeSum(lid.x, s) / f32(u.C);
    var q = 0.0;
    for (var c = lid.x; c < u.C; c += 256u) { let d = x[o + c] - m; q += d * d; }
    let rs = 1.0 / sqrt(treeSum(lid.x, q) / f32(u.C) + u.eps);
    for (var c = lid.x; c < u.C; c += 256u) { y[o + c] = (x[o + c] - m) * rs * w[c] + b[c]; }
    if (lid.x == 0u) { mean[r] = m; rstd[r] = rs; }
  }
}`;

const BACKWARD = /* wgsl */ `
struct U { N: u32, C: u32, rowGroups: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read_write> dw: array<f32>;
@group(0) @binding(7) var<storage, read_write> db: array<f32>;
@group(0) @binding(8) var<uniform> u: U;
${TREE_SUM}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (wid.x >= u.rowGroups) {
    let c = (wid.x - u.rowGroups) * 256u + lid.x;
    if (c < u.C) {
      var sw = 0.0;
      var sb = 0.0;
      for (var r = 0u; r < u.N; r++) {
        let d = dy[r * u.C + c];
        sw += d * (x[r * u.C + c] - mean[r]) * rstd[r];
        sb += d;
      }
      dw[c] = sw;
      db[c] = sb;
    }
    return;
  }
  for (var r = wid.x; r < u.N; r += u.rowGroups) {
    let o = r * u.C;
    let m = mean[r];
    let rs = rstd[r];
    var sg = 0.0;
    var sgx = 0.0;
    for (var c = lid.x; c < u.C; c += 256u) { let g = dy[o + c] * w[c]; sg += g; sgx += g * (x[o + c] - m) * rs; }
    let mg = treeSum(lid.x, sg) / f32(u.C);
    let mgx = treeSum(lid.x, sgx) / f32(u.C);
    for (var c = lid.x; c < u.C; c += 256u) { dx[o + c] = rs * (dy[o + c] * w[c] - mg - (x[o + c] - m) * rs * mgx); }
  }
}`;

/** x [N, C], w [C], b [C]; attr eps → [y [N, C], mean [N], rstd [N]]. */
export function layerNorm(be: WebgpuBackend, { x, w, b }: Record<string, tf.TensorInfo>, a: Record<string, number>): tf.TensorInfo[] {
  const [N, C] = (x as tf.TensorInfo).shape as [number, number];
  const outs = [output(be, [N, C]), output(be, [N]), output(be, [N])];
  dispatch(be, 'OrpoLayerNorm', FORWARD, [x, w, b, ...outs] as tf.TensorInfo[], [a.eps as number, { u32: N }, { u32: C }], [groupsFor(N, 1)]);
  return outs;
}

/** x, w, mean, rstd, dy → [dx [N, C], dw [C], db [C]]: eight storage buffers, WebGPU's default limit. */
export function layerNormGrad(be: WebgpuBackend, { x, w, mean, rstd, dy }: Record<string, tf.TensorInfo>): tf.TensorInfo[] {
  const [N, C] = (x as tf.TensorInfo).shape as [number, number];
  const rowGroups = groupsFor(N, 1, 65535 - groupsFor(C, 256));
  const dx = output(be, [N, C]);
  const dw = output(be, [C]);
  const db = output(be, [C]);
  dispatch(be, 'OrpoLayerNormGrad', BACKWARD, [x, w, mean, rstd, dy, dx, dw, db] as tf.TensorInfo[], [{ u32: N }, { u32: C }, { u32: rowGroups }], [rowGroups + groupsFor(C, 256)]);
  return [dx, dw, db];
}

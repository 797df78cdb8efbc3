// Log-softmax over the vocabulary with the label pick, forward and backward, one dispatch each, as
// the native kernel (backend/native/fused.c) and the composite in loss/logps.ts. Forward: one
// workgroup per row finds max, then lse = max + log Σ exp(x − max), and picked = x[t] − lse.
// Backward: dx[i, j] = dy[i]·([j = t[i]] − exp(x[i, j] − lse[i])), one invocation per element.
import type * as tf from '@tensorflow/tfjs-core';
import { dispatch, groupsFor, output, type WebgpuBackend } from './raw';
import { bindings, TREE_SUM } from './wgsl';

const FORWARD = /* wgsl */ `
struct U { N: u32, V: u32 }
${bindings(['x', 't:i32'], ['picked', 'lse'])}
${TREE_SUM}
var<workgroup> mx: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  for (var r = wid.x; r < u.N; r += nw.x) {
    let o = r * u.V;
    var m = -3.4e38;
    for (var j = lid.x; j < u.V; j += 256u) { m = max(m, x[o + j]); }
    mx[lid.x] = m;
    workgroupBarrier();
    for (var w = 128u; w > 0u; w >>= 1u) {
      if (lid.x < w) { mx[lid.x] = max(mx[lid.x], mx[lid.x + w]); }
      workgroupBarrier();
    }
    let rmax = mx[0];
    workgroupBarrier();
    var s = 0.0;
    for (var j = lid.x; j < u.V; j += 256u) { s += exp(x[o + j] - rmax); }
    let l = rmax + log(treeSum(lid.x, s));
    if (lid.x == 0u) { lse[r] = l; picked[r] = x[o + u32(t[r])] - l; }
  }
}`;

const BACKWARD = /* wgsl */ `
struct U { N: u32, V: u32 }
${bindings(['x', 'lse', 't:i32', 'dy'], ['dx'])}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let total = u.N * u.V;
  for (var i = gid.x; i < total; i += nw.x * 256u) {
    let r = i / u.V;
    let j = i - r * u.V;
    var hot = 0.0;
    if (i32(j) == t[r]) { hot = 1.0; }
    dx[i] = dy[r] * (hot - exp(x[i] - lse[r]));
  }
}`;

/** x [N, V], t int32 [N] → [picked [N], lse [N]]. */
export function logSoftmaxPick(be: WebgpuBackend, { x, t }: Record<string, tf.TensorInfo>): tf.TensorInfo[] {
  const [N, V] = (x as tf.TensorInfo).shape as [number, number];
  const outs = [output(be, [N]), output(be, [N])];
  dispatch(be, 'OrpoLogSoftmaxPick', FORWARD, [x, t, ...outs] as tf.TensorInfo[], [{ u32: N }, { u32: V }], [groupsFor(N, 1)]);
  return outs;
}

/** x [N, V], lse [N], t [N], dy [N] → dx [N, V]. */
export function logSoftmaxPickGrad(be: WebgpuBackend, { x, lse, t, dy }: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const [N, V] = (x as tf.TensorInfo).shape as [number, number];
  const dx = output(be, [N, V]);
  dispatch(be, 'OrpoLogSoftmaxPickGrad', BACKWARD, [x, lse, t, dy, dx] as tf.TensorInfo[], [{ u32: N }, { u32: V }], [groupsFor(N * V, 256)]);
  return dx;
}

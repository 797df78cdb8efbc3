// A linear layer's bias (y = x + b over rows) and its gradient, the column sums db = Σ_rows dy, in
// one dispatch each. tfjs's Add gradient sums over axis 0 by a transpose then a row reduction (two
// dispatches); here each workgroup owns 64 columns, its 4 lanes of 64 invocations stride the rows,
// and the lanes are added in workgroup memory: deterministic, no atomics.
import type * as tf from '@tensorflow/tfjs-core';
import { dispatch, groupsFor, output, type WebgpuBackend } from './raw';
import { bindings } from './wgsl';

const FORWARD = /* wgsl */ `
struct U { n: u32, C: u32 }
${bindings(['x', 'b'], ['y'])}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  for (var i = gid.x; i < u.n; i += nw.x * 256u) { y[i] = x[i] + b[i % u.C]; }
}`;

const BACKWARD = /* wgsl */ `
struct U { N: u32, C: u32 }
${bindings(['dy'], ['db'])}
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let c = wid.x * 64u + lid.x % 64u;
  let lane = lid.x / 64u;
  var s = 0.0;
  if (c < u.C) { for (var r = lane; r < u.N; r += 4u) { s += dy[r * u.C + c]; } }
  part[lid.x] = s;
  workgroupBarrier();
  if (lane == 0u && c < u.C) { db[c] = part[lid.x] + part[lid.x + 64u] + part[lid.x + 128u] + part[lid.x + 192u]; }
}`;

/** x [N, C], b [C] → x + b [N, C]. */
export function biasAdd(be: WebgpuBackend, { x, b }: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const y = output(be, (x as tf.TensorInfo).shape);
  const n = y.shape.reduce((p, q) => p * q, 1);
  dispatch(be, 'OrpoBiasAdd', FORWARD, [x, b, y] as tf.TensorInfo[], [{ u32: n }, { u32: (b as tf.TensorInfo).shape[0] as number }], [groupsFor(n, 256)]);
  return y;
}

/** dy [N, C] → db [C]. */
export function biasGrad(be: WebgpuBackend, { dy }: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const shape = (dy as tf.TensorInfo).shape;
  const C = shape[shape.length - 1] as number;
  const N = shape.reduce((p, q) => p * q, 1) / C;
  const db = output(be, [C]);
  dispatch(be, 'OrpoBiasGrad', BACKWARD, [dy as tf.TensorInfo, db], [{ u32: N }, { u32: C }], [Math.ceil(C / 64)]);
  return db;
}

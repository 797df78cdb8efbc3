// The embedding lookup (rows of w [V, d] picked by token ids, as torch.nn.Embedding) and its
// gradient, a scatter-add of dy's rows into dw [V, d]. WGSL has no float atomics, and a run must be
// deterministic, so the gradient is two dispatches: dw is zeroed, then one invocation per column
// walks the positions in order, dw[ids[n], c] += dy[n, c]; no two invocations write the same cell.
import type * as tf from '@tensorflow/tfjs-core';
import { dispatch, groupsFor, output, type WebgpuBackend } from './raw';
import { bindings } from './wgsl';

const FORWARD = /* wgsl */ `
struct U { n: u32, d: u32, V: u32 }
${bindings(['w', 'ids:i32'], ['y'])}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  for (var i = gid.x; i < u.n; i += nw.x * 256u) {
    let t = u32(ids[i / u.d]);
    y[i] = select(0.0, w[t * u.d + i % u.d], t < u.V);
  }
}`;

const ZERO = /* wgsl */ `
struct U { n: u32 }
${bindings([], ['dw'])}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  for (var i = gid.x; i < u.n; i += nw.x * 256u) { dw[i] = 0.0; }
}`;

const SCATTER = /* wgsl */ `
struct U { N: u32, d: u32, V: u32 }
${bindings(['ids:i32', 'dy'], ['dw'])}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= u.d) { return; }
  for (var n = 0u; n < u.N; n++) {
    let t = u32(ids[n]);
    if (t < u.V) { dw[t * u.d + c] += dy[n * u.d + c]; }
  }
}`;

const count = (t: tf.TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);

/** w [V, d], ids int32 [...] → [...ids, d]. */
export function embedding(be: WebgpuBackend, { w, ids }: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const [V, d] = (w as tf.TensorInfo).shape as [number, number];
  const y = output(be, [...(ids as tf.TensorInfo).shape, d]);
  const n = count(y);
  dispatch(be, 'OrpoEmbedding', FORWARD, [w, ids, y] as tf.TensorInfo[], [{ u32: n }, { u32: d }, { u32: V }], [groupsFor(n, 256)]);
  return y;
}

/** ids int32 [...], dy [...ids, d]; attr V → dw [V, d]. */
export function embeddingGrad(be: WebgpuBackend, { ids, dy }: Record<string, tf.TensorInfo>, a: Record<string, number>): tf.TensorInfo {
  const V = a.V as number;
  const shape = (dy as tf.TensorInfo).shape;
  const d = shape[shape.length - 1] as number;
  const dw = output(be, [V, d]);
  dispatch(be, 'OrpoEmbeddingZero', ZERO, [dw], [{ u32: V * d }], [groupsFor(V * d, 256)]);
  dispatch(be, 'OrpoEmbeddingGrad', SCATTER, [ids, dy, dw] as tf.TensorInfo[], [{ u32: count(ids as tf.TensorInfo) }, { u32: d }, { u32: V }], [Math.ceil(d / 64)]);
  return dw;
}

// GELU, tanh approximation (Hendrycks & Gimpel 2016; transformers' NewGELUActivation), and its
// gradient dx = dy·(0.5(1 + th) + 0.5·x·(1 − th²)·c·(1 + 3a·x²)), th = tanh(c(x + a·x³)), as
// ops/nn.ts and the native kernel. Element-wise, one dispatch each.
import type * as tf from '@tensorflow/tfjs-core';
import { dispatch, groupsFor, output, type WebgpuBackend } from './raw';
import { bindings } from './wgsl';

const HEAD = /* wgsl */ `
const C = 0.7978845608028654;
const A = 0.044715;
// tanh that stays finite for large |z| (exp overflow in (e^2z − 1)/(e^2z + 1) on some drivers)
fn th(z: f32) -> f32 { return tanh(clamp(z, -15.0, 15.0)); }
struct U { n: u32 }`;

const FORWARD = /* wgsl */ `${HEAD}
${bindings(['x'], ['y'])}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  for (var i = gid.x; i < u.n; i += nw.x * 256u) { let v = x[i]; y[i] = 0.5 * v * (1.0 + th(C * (v + A * v * v * v))); }
}`;

const BACKWARD = /* wgsl */ `${HEAD}
${bindings(['x', 'dy'], ['dx'])}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  for (var i = gid.x; i < u.n; i += nw.x * 256u) {
    let v = x[i];
    let v2 = v * v;
    let t = th(C * (v + A * v2 * v));
    dx[i] = dy[i] * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * C * (1.0 + 3.0 * A * v2));
  }
}`;

const size = (t: tf.TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);

/** x → GELU(x), same shape. */
export function gelu(be: WebgpuBackend, { x }: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const y = output(be, (x as tf.TensorInfo).shape);
  dispatch(be, 'OrpoGelu', FORWARD, [x as tf.TensorInfo, y], [{ u32: size(y) }], [groupsFor(size(y), 256)]);
  return y;
}

/** x, dy → dy·GELU'(x), same shape. */
export function geluGrad(be: WebgpuBackend, { x, dy }: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const dx = output(be, (x as tf.TensorInfo).shape);
  dispatch(be, 'OrpoGeluGrad', BACKWARD, [x, dy, dx] as tf.TensorInfo[], [{ u32: size(dx) }], [groupsFor(size(dx), 256)]);
  return dx;
}

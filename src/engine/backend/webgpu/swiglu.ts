// SwiGLU (Shazeer 2020; transformers' LlamaMLP: act = silu(gate(x))·up(x)), element-wise, one dispatch
// forward and one backward. With s = sigmoid(g): y = g·s·u, dg = dy·u·s·(1 + g·(1 − s)), du = dy·g·s.
import type * as tf from '@tensorflow/tfjs-core';
import { dispatch, groupsFor, output, type WebgpuBackend } from './raw';
import { bindings } from './wgsl';

const HEAD = /* wgsl */ `
// sigmoid that stays finite: exp(80) is below f32's largest value
fn sig(g: f32) -> f32 { return 1.0 / (1.0 + exp(-clamp(g, -80.0, 80.0))); }
struct U { n: u32 }`;

const FORWARD = /* wgsl */ `${HEAD}
${bindings(['gate', 'up'], ['y'])}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  for (var i = gid.x; i < u.n; i += nw.x * 256u) { let g = gate[i]; y[i] = g * sig(g) * up[i]; }
}`;

const BACKWARD = /* wgsl */ `${HEAD}
${bindings(['gate', 'up', 'dy'], ['dg', 'du'])}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  for (var i = gid.x; i < u.n; i += nw.x * 256u) {
    let g = gate[i];
    let s = sig(g);
    dg[i] = dy[i] * up[i] * s * (1.0 + g * (1.0 - s));
    du[i] = dy[i] * g * s;
  }
}`;

const size = (t: tf.TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);

/** gate, up → silu(gate)·up, same shape. */
export function swiglu(be: WebgpuBackend, { gate, up }: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const y = output(be, (gate as tf.TensorInfo).shape);
  dispatch(be, 'OrpoSwiGlu', FORWARD, [gate, up, y] as tf.TensorInfo[], [{ u32: size(y) }], [groupsFor(size(y), 256)]);
  return y;
}

/** gate, up, dy → [dgate, dup]. */
export function swigluGrad(be: WebgpuBackend, { gate, up, dy }: Record<string, tf.TensorInfo>): tf.TensorInfo[] {
  const shape = (gate as tf.TensorInfo).shape;
  const outs = [output(be, shape), output(be, shape)];
  dispatch(be, 'OrpoSwiGluGrad', BACKWARD, [gate, up, dy, ...outs] as tf.TensorInfo[], [{ u32: size(outs[0] as tf.TensorInfo) }], [groupsFor(size(outs[0] as tf.TensorInfo), 256)]);
  return outs;
}

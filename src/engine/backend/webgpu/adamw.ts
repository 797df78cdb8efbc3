// Multi-tensor AdamW with global-norm clipping for the WebGPU backend, in two dispatches per step
// whatever the number of parameters (torch.optim.AdamW with torch.nn.utils.clip_grad_norm_, as the
// composite in train/optimizer.ts). Parameters, gradients and moments are gathered into flat buffers
// by buffer copies (no dispatch): the gradients every step; parameters and moments only when their
// tensor changed since this kernel last wrote it (first step, checkpoint resume). Dispatch 1 sums g²
// over up to 256 workgroups into partial sums; dispatch 2 reduces the partials in every workgroup,
// derives the clip coefficient and updates p, m and v. The updated values are copied back into the
// parameter and moment tensors in place. Learning rate, bias corrections and decay boundary are uniforms.
import type * as tf from '@tensorflow/tfjs-core';
import { copy, dispatch, groupsFor, output, written, type WebgpuBackend } from './raw';
import { bindings, TREE_SUM } from './wgsl';

const PARTS = 256; // workgroups of the norm pass (and length of the partial-sums tensor)

const NORM = /* wgsl */ `
struct U { n: u32 }
${bindings(['g'], ['parts'])}
${TREE_SUM}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  var s = 0.0;
  for (var i = wid.x * 256u + lid.x; i < u.n; i += nw.x * 256u) { let x = g[i]; s += x * x; }
  let total = treeSum(lid.x, s);
  if (lid.x == 0u) { parts[wid.x] = total; }
}`;

const UPDATE = /* wgsl */ `
struct U { lr: f32, b1: f32, b2: f32, eps: f32, bc1: f32, bc2: f32, decay: f32, maxNorm: f32, n: u32, decayEnd: u32, nparts: u32 }
${bindings(['g', 'parts'], ['p', 'm', 'v', 'norm'])}
${TREE_SUM}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  var s = 0.0;
  for (var j = lid.x; j < u.nparts; j += 256u) { s += parts[j]; }
  let total = sqrt(treeSum(lid.x, s));
  var coef = 1.0;
  if (u.maxNorm > 0.0) { coef = min(u.maxNorm / (total + 1e-6), 1.0); }
  if (wid.x == 0u && lid.x == 0u) { norm[0] = total; }
  for (var i = wid.x * 256u + lid.x; i < u.n; i += nw.x * 256u) {
    let gi = g[i] * coef;
    let mi = u.b1 * m[i] + (1.0 - u.b1) * gi;
    let vi = u.b2 * v[i] + (1.0 - u.b2) * gi * gi;
    var decay = 1.0;
    if (i < u.decayEnd) { decay = u.decay; }
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * decay - (mi / u.bc1) / (sqrt(vi / u.bc2) + u.eps) * u.lr;
  }
}`;

/** Per flat-parameter tensor: the tensors (by dataId) whose values the flat buffers hold now. */
const synced = new WeakMap<object, { p: object[]; m: object[]; v: object[] }>();

/**
 * Inputs: fp, fg, fm, fv (flat [n] each), parts ([256]), and p0..p(k−1), g0.., m0.., v0.. (the first
 * `decayed` parameters get weight decay); attrs k, decayed, lr, b1, b2, eps, bc1, bc2, wd, maxNorm.
 * Updates p, m and v in place; returns the pre-clipping global gradient norm, a scalar.
 */
export function adamwMulti(b: WebgpuBackend, inp: Record<string, tf.TensorInfo>, a: Record<string, number>): tf.TensorInfo {
  const k = a.k as number;
  const list = (c: string) => Array.from({ length: k }, (_, i) => inp[`${c}${i}`] as tf.TensorInfo);
  const [ps, gs, ms, vs] = [list('p'), list('g'), list('m'), list('v')];
  const [fp, fg, fm, fv, parts] = [inp.fp, inp.fg, inp.fm, inp.fv, inp.parts] as tf.TensorInfo[] as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
  const sizes = ps.map((t) => t.shape.reduce((x, y) => x * y, 1));
  const offs = sizes.map((_, i) => sizes.slice(0, i).reduce((x, y) => x + y, 0));
  const n = sizes.reduce((x, y) => x + y, 0);
  if (fp.shape[0] !== n) throw new Error(`OrpoAdamWMulti: flat buffers hold ${fp.shape[0]} values, the parameters ${n}`);
  const prev = synced.get(fp.dataId);
  const gather = (ts: tf.TensorInfo[], flat: tf.TensorInfo, last?: object[]) =>
    ts.flatMap((t, i) => (last?.[i] === t.dataId ? [] : [{ src: t, srcOff: 0, dst: flat, dstOff: 4 * (offs[i] as number), bytes: 4 * (sizes[i] as number) }]));
  copy(b, [...gather(gs, fg), ...gather(ps, fp, prev?.p), ...gather(ms, fm, prev?.m), ...gather(vs, fv, prev?.v)]);
  dispatch(b, 'OrpoAdamWNorm', NORM, [fg, parts], [{ u32: n }], [PARTS]);
  const norm = output(b, []);
  const decayEnd = (offs[a.decayed as number] ?? n);
  const u = [a.lr, a.b1, a.b2, a.eps, a.bc1, a.bc2, 1 - (a.lr as number) * (a.wd as number), a.maxNorm].map(Number);
  dispatch(b, 'OrpoAdamWUpdate', UPDATE, [fg, parts, fp, fm, fv, norm], [...u, { u32: n }, { u32: decayEnd }, { u32: PARTS }], [groupsFor(n, 256)]);
  const scatter = (ts: tf.TensorInfo[], flat: tf.TensorInfo) =>
    ts.map((t, i) => ({ src: flat, srcOff: 4 * (offs[i] as number), dst: t, dstOff: 0, bytes: 4 * (sizes[i] as number) }));
  copy(b, [...scatter(ps, fp), ...scatter(ms, fm), ...scatter(vs, fv)]);
  written(b, [...ps, ...ms, ...vs, fp, fm, fv, parts]);
  synced.set(fp.dataId, { p: ps.map((t) => t.dataId), m: ms.map((t) => t.dataId), v: vs.map((t) => t.dataId) });
  return norm;
}

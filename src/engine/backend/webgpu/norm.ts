// LayerNorm (Ba et al. 2016; torch.nn.LayerNorm, biased variance) and RMSNorm (Zhang & Sennrich 2019;
// transformers' LlamaRMSNorm) over rows, one dispatch forward and one backward each, from one WGSL
// generator (as the native kernel, backend/native/fused.c): no tf.moments, so none of the ones()
// uploads of tfjs's Mean gradient. Forward: one workgroup per row keeps rstd = 1/sqrt(var + eps)
// (RMSNorm: the mean square, no centring) and, for LayerNorm, the mean. Backward, with
// xh = (x − mean)·rstd and g = dy·w: dx = rstd·(g − mean(g) − xh·mean(g·xh)) by row workgroups
// (RMSNorm: no mean(g) term), and in the same dispatch dw = Σ_rows dy·xh (and LayerNorm's
// db = Σ_rows dy) by column workgroups, one invocation per column.
import type * as tf from '@tensorflow/tfjs-core';
import { dispatch, groupsFor, output, type WebgpuBackend } from './raw';
import { bindings, TREE_SUM } from './wgsl';

type Kind = 'layer' | 'rms';

function forward(k: Kind): string {
  const ln = k === 'layer';
  return /* wgsl */ `
struct U { eps: f32, N: u32, C: u32 }
${bindings(ln ? ['x', 'w', 'b'] : ['x', 'w'], ln ? ['y', 'mean', 'rstd'] : ['y', 'rstd'])}
${TREE_SUM}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  for (var r = wid.x; r < u.N; r += nw.x) {
    let o = r * u.C;
    var m = 0.0;
    ${ln ? 'var s = 0.0;\n    for (var c = lid.x; c < u.C; c += 256u) { s += x[o + c]; }\n    m = treeSum(lid.x, s) / f32(u.C);' : ''}
    var q = 0.0;
    for (var c = lid.x; c < u.C; c += 256u) { let d = x[o + c] - m; q += d * d; }
    let rs = 1.0 / sqrt(treeSum(lid.x, q) / f32(u.C) + u.eps);
    for (var c = lid.x; c < u.C; c += 256u) { y[o + c] = (x[o + c] - m) * rs * w[c]${ln ? ' + b[c]' : ''}; }
    if (lid.x == 0u) { rstd[r] = rs;${ln ? ' mean[r] = m;' : ''} }
  }
}`;
}

function backward(k: Kind): string {
  const ln = k === 'layer';
  const mean = (r: string) => (ln ? `mean[${r}]` : '0.0');
  return /* wgsl */ `
struct U { N: u32, C: u32, rowGroups: u32 }
${bindings(ln ? ['x', 'w', 'mean', 'rstd', 'dy'] : ['x', 'w', 'rstd', 'dy'], ln ? ['dx', 'dw', 'db'] : ['dx', 'dw'])}
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
        sw += d * (x[r * u.C + c] - ${mean('r')}) * rstd[r];
        sb += d;
      }
      dw[c] = sw;
      ${ln ? 'db[c] = sb;' : ''}
    }
    return;
  }
  for (var r = wid.x; r < u.N; r += u.rowGroups) {
    let o = r * u.C;
    let m = ${mean('r')};
    let rs = rstd[r];
    var sg = 0.0;
    var sgx = 0.0;
    for (var c = lid.x; c < u.C; c += 256u) { let g = dy[o + c] * w[c]; sg += g; sgx += g * (x[o + c] - m) * rs; }
    let mg = ${ln ? 'treeSum(lid.x, sg) / f32(u.C)' : '0.0'};
    let mgx = treeSum(lid.x, sgx) / f32(u.C);
    for (var c = lid.x; c < u.C; c += 256u) { dx[o + c] = rs * (dy[o + c] * w[c] - mg - (x[o + c] - m) * rs * mgx); }
  }
}`;
}

const SHADERS = { layer: [forward('layer'), backward('layer')], rms: [forward('rms'), backward('rms')] } as const;

function norm(be: WebgpuBackend, k: Kind, ins: tf.TensorInfo[], eps: number): tf.TensorInfo[] {
  const [N, C] = (ins[0] as tf.TensorInfo).shape as [number, number];
  const outs = [output(be, [N, C]), ...(k === 'layer' ? [output(be, [N])] : []), output(be, [N])];
  dispatch(be, k === 'layer' ? 'OrpoLayerNorm' : 'OrpoRmsNorm', SHADERS[k][0], [...ins, ...outs], [eps, { u32: N }, { u32: C }], [groupsFor(N, 1)]);
  return outs;
}

function normGrad(be: WebgpuBackend, k: Kind, ins: tf.TensorInfo[]): tf.TensorInfo[] {
  const [N, C] = (ins[0] as tf.TensorInfo).shape as [number, number];
  const rowGroups = groupsFor(N, 1, 65535 - groupsFor(C, 256));
  const outs = [output(be, [N, C]), output(be, [C]), ...(k === 'layer' ? [output(be, [C])] : [])];
  dispatch(be, k === 'layer' ? 'OrpoLayerNormGrad' : 'OrpoRmsNormGrad', SHADERS[k][1], [...ins, ...outs], [{ u32: N }, { u32: C }, { u32: rowGroups }], [rowGroups + groupsFor(C, 256)]);
  return outs;
}

/** x [N, C], w [C], b [C]; attr eps → [y [N, C], mean [N], rstd [N]]. */
export const layerNorm = (be: WebgpuBackend, { x, w, b }: Record<string, tf.TensorInfo>, a: Record<string, number>): tf.TensorInfo[] =>
  norm(be, 'layer', [x, w, b] as tf.TensorInfo[], a.eps as number);

/** x, w, mean, rstd, dy → [dx [N, C], dw [C], db [C]]: eight storage buffers, WebGPU's default limit. */
export const layerNormGrad = (be: WebgpuBackend, { x, w, mean, rstd, dy }: Record<string, tf.TensorInfo>): tf.TensorInfo[] =>
  normGrad(be, 'layer', [x, w, mean, rstd, dy] as tf.TensorInfo[]);

/** x [N, C], w [C]; attr eps → [y [N, C], rstd [N]]. */
export const rmsNorm = (be: WebgpuBackend, { x, w }: Record<string, tf.TensorInfo>, a: Record<string, number>): tf.TensorInfo[] =>
  norm(be, 'rms', [x, w] as tf.TensorInfo[], a.eps as number);

/** x, w, rstd, dy → [dx [N, C], dw [C]]. */
export const rmsNormGrad = (be: WebgpuBackend, { x, w, rstd, dy }: Record<string, tf.TensorInfo>): tf.TensorInfo[] =>
  normGrad(be, 'rms', [x, w, rstd, dy] as tf.TensorInfo[]);

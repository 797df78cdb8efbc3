// Neural-network building blocks shared by the models: layer norm, RMS norm, GELU (tanh form, GPT-2's
// "gelu_new"), and causal softmax attention. Shapes are noted on every line that changes one.
import * as tf from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '@tensorflow/tfjs-core/dist/engine';
import { FUSED, FUSED_GPU, hasFused, runFused } from './fused';
import { matmul } from './matmul';
import { FUSED_ATTENTION_MAX_HEAD } from '../../common/fusedAttention';

/** LayerNorm over the last axis (Ba et al. 2016), as torch.nn.LayerNorm. x: [N, d]. */
export function layerNorm(x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D, eps = 1e-5): tf.Tensor2D {
  if (hasFused(FUSED.layerNorm)) return fusedLayerNorm(x, w, b, eps);
  const { mean, variance } = tf.moments(x, -1, true); // [N, 1], [N, 1]
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), w), b);
}

/** LayerNorm through the backend's fused kernels: one pass forward, one backward (x, dx, dw, db). */
function fusedLayerNorm(x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D, eps: number): tf.Tensor2D {
  const f = tf.customGrad(((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, mean, rstd] = runFused(FUSED.layerNorm, { x: xi, w: wi, b: bi }, { eps }) as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D]; // [N, d], [N], [N]
    save([xi, wi, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sw, sm, sr] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return runFused(FUSED.layerNormGrad, { x: sx, w: sw, mean: sm, rstd: sr, dy: dy as tf.Tensor }) as tf.Tensor[]; // [N, d], [d], [d]
      },
    };
  }) as unknown as CustomGradientFunc<tf.Tensor>);
  return f(x, w, b) as tf.Tensor2D;
}

/** RMSNorm (Zhang & Sennrich 2019), as transformers' LlamaRMSNorm. x: [N, d]. */
export function rmsNorm(x: tf.Tensor2D, w: tf.Tensor1D, eps: number): tf.Tensor2D {
  if (hasFused(FUSED_GPU.rmsNorm)) return fusedRmsNorm(x, w, eps);
  const ms = tf.mean(tf.square(x), -1, true); // [N, 1]
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), w);
}

/** RMSNorm through the backend's fused kernels: one pass forward, one backward (dx, dw). */
function fusedRmsNorm(x: tf.Tensor2D, w: tf.Tensor1D, eps: number): tf.Tensor2D {
  const f = tf.customGrad(((xi: tf.Tensor, wi: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, rstd] = runFused(FUSED_GPU.rmsNorm, { x: xi, w: wi }, { eps }) as [tf.Tensor2D, tf.Tensor1D]; // [N, d], [N]
    save([xi, wi, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sw, sr] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return runFused(FUSED_GPU.rmsNormGrad, { x: sx, w: sw, rstd: sr, dy: dy as tf.Tensor }) as tf.Tensor[]; // [N, d], [d]
      },
    };
  }) as unknown as CustomGradientFunc<tf.Tensor>);
  return f(x, w) as tf.Tensor2D;
}

const GELU_C = Math.sqrt(2 / Math.PI);
/** GELU, tanh approximation (Hendrycks & Gimpel 2016), as transformers' NewGELUActivation. */
function geluForward(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), GELU_C); // x³ as x²·x: tf.pow is slow
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/**
 * GELU with a hand-written gradient that keeps only x and recomputes the rest, instead of the eight
 * intermediates autodiff would hold until the backward pass:
 * d/dx = 0.5·(1 + t) + 0.5·x·(1 − t²)·c·(1 + 3·0.044715·x²), t = tanh(c·(x + 0.044715·x³)).
 */
export const geluTanh = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: hasFused(FUSED.gelu) ? (runFused(FUSED.gelu, { x }) as tf.Tensor) : geluForward(x),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const sx = saved[0] as tf.Tensor;
      if (hasFused(FUSED.geluGrad)) return [runFused(FUSED.geluGrad, { x: sx, dy: dy as tf.Tensor }) as tf.Tensor];
      const x2 = tf.square(sx);
      const t = tf.tanh(tf.mul(tf.add(sx, tf.mul(tf.mul(x2, sx), 0.044715)), GELU_C));
      const left = tf.mul(tf.add(t, 1), 0.5);
      const right = tf.mul(tf.mul(tf.mul(sx, 0.5), tf.sub(1, tf.square(t))), tf.mul(tf.add(tf.mul(x2, 3 * 0.044715), 1), GELU_C));
      return [tf.mul(dy as tf.Tensor, tf.add(left, right))];
    },
  };
}) as unknown as CustomGradientFunc<tf.Tensor>) as (x: tf.Tensor) => tf.Tensor;

const maskCache = new Map<number, tf.Tensor2D>();
/** An additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above. Cached per T. */
export function causalMask(T: number): tf.Tensor2D {
  let m = maskCache.get(T);
  if (!m || m.isDisposed) {
    m = tf.keep(tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9) as tf.Tensor2D));
    maskCache.set(T, m);
  }
  return m;
}

/**
 * The attention mask of a right-padded batch, as transformers applies `attention_mask`: a query attends
 * to the keys at or before it that are real tokens of its row (j ≤ i and j < length), so a padding
 * position sees its row's real tokens only; real positions are unaffected (causal). `lengths`: the real
 * length of each of the R rows of ids [R, T]. For the fused kernel (hasFusedAttention(hd)) the lengths
 * themselves, int32 [R]; else an additive mask [R, 1, T, T] (0 or -1e9: causal and key padding), one per
 * row, broadcast over the row's H heads by `attention`. Null when no row is padded (plain causal attention).
 */
export function paddingMask(T: number, hd: number, lengths?: ArrayLike<number>): tf.Tensor | null {
  if (!lengths || Array.prototype.every.call(lengths, (n: number) => n >= T)) return null;
  const R = lengths.length;
  if (hasFusedAttention(hd)) return tf.tensor1d(Int32Array.from(lengths), 'int32'); // [R]
  const m = new Float32Array(R * T * T);
  for (let r = 0; r < R; r++) {
    const n = lengths[r] as number;
    for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) if (j > i || j >= n) m[(r * T + i) * T + j] = -1e9;
  }
  return tf.tensor4d(m, [R, 1, T, T]); // [R, 1, T, T]
}

/**
 * Causal scaled dot-product attention. q: [Z, T, hd], kT: [Z, hd, S] (keys already transposed),
 * v: [Z, S, hd] → [Z, T, hd]. `mask` is added to the scores: [T, S] for every row, or [R, 1, T, S]
 * (paddingMask) for the Z = R·H heads of R rows; S = T when training.
 */
export function attention(q: tf.Tensor3D, kT: tf.Tensor3D, v: tf.Tensor3D, mask: tf.Tensor2D | tf.Tensor4D | null): tf.Tensor3D {
  const [Z, T, hd] = q.shape;
  let s = tf.mul(matmul(q, kT), 1 / Math.sqrt(hd)) as tf.Tensor3D; // [Z, T, S]
  if (mask?.rank === 4) {
    const [R, , , S] = mask.shape as [number, number, number, number];
    s = tf.reshape(tf.add(tf.reshape(s, [R, Z / R, T, S]), mask), [Z, T, S]); // [R, H, T, S] → [Z, T, S]
  } else if (mask) s = tf.add(s, mask);
  const p = tf.softmax(s); // [Z, T, S]
  return matmul(p, v); // [Z, T, hd]
}

/**
 * Causal self-attention from packed projections: qkv [B, T, 3d] (q, k, v side by side, heads
 * contiguous in each) → [B·T, d], heads merged. Through the backend's fused kernel where it has one
 * (WebGPU, and the native addon on the wasm and native backends: no [B, H, T, T] tensor is kept),
 * else split, attention and merge as composites.
 */
export function causalSelfAttention(qkv: tf.Tensor3D, H: number, pad: tf.Tensor | null = null): tf.Tensor2D {
  const [B, T, d3] = qkv.shape;
  if (hasFusedAttention(d3 / 3 / H)) return fusedAttention(qkv, H, H, pad as tf.Tensor1D | null);
  const [q, k, v] = tf.split(qkv, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D]; // 3 × [B, T, d]
  return mergeHeads(attention(splitHeads(q, H), splitHeadsT(k, H), splitHeads(v, H), (pad as tf.Tensor4D | null) ?? causalMask(T)), B, H); // [B*T, d]
}

/** Whether the backend has the fused causal attention for heads of size hd. */
export const hasFusedAttention = (hd: number): boolean => hasFused(FUSED_GPU.attention) && hd <= FUSED_ATTENTION_MAX_HEAD;

/**
 * Causal attention through the backend's fused kernel (check hasFusedAttention first): qkv
 * [B, T, (H + 2·KV)·hd] holds H query heads, then KV key heads, then KV value heads (grouped-query
 * attention when KV < H) → [B·T, H·hd], heads merged.
 */
export function fusedAttention(qkv: tf.Tensor3D, H: number, KV: number, lens: tf.Tensor1D | null = null): tf.Tensor2D {
  const [B, T] = qkv.shape;
  const n = lens ?? tf.fill([B], T, 'int32'); // [B]: every row real
  const f = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, lse] = runFused(FUSED_GPU.attention, { qkv: x, lens: n }, { H, KV }) as [tf.Tensor2D, tf.Tensor1D]; // [B*T, H*hd], [B*H*T]
    save([x, y, lse, n]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sy, sl, sn] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return [runFused(FUSED_GPU.attentionGrad, { qkv: sx, y: sy, lse: sl, dy: dy as tf.Tensor, lens: sn }, { H, KV }) as tf.Tensor3D]; // [B, T, (H+2KV)*hd]
      },
    };
  }) as unknown as CustomGradientFunc<tf.Tensor>);
  return f(qkv) as tf.Tensor2D;
}

/** Splits heads: x [B, T, H*hd] → [B*H, T, hd]. */
export function splitHeads(x: tf.Tensor3D, H: number): tf.Tensor3D {
  const [B, T, D] = x.shape;
  const hd = D / H;
  return tf.reshape(tf.transpose(tf.reshape(x, [B, T, H, hd]), [0, 2, 1, 3]), [B * H, T, hd]); // [B*H, T, hd]
}

/** Splits heads with keys transposed: x [B, T, H*hd] → [B*H, hd, T]. */
export function splitHeadsT(x: tf.Tensor3D, H: number): tf.Tensor3D {
  const [B, T, D] = x.shape;
  const hd = D / H;
  return tf.reshape(tf.transpose(tf.reshape(x, [B, T, H, hd]), [0, 2, 3, 1]), [B * H, hd, T]); // [B*H, hd, T]
}

/** Merges heads: y [B*H, T, hd] → [B*T, H*hd]. */
export function mergeHeads(y: tf.Tensor3D, B: number, H: number): tf.Tensor2D {
  const [, T, hd] = y.shape;
  return tf.reshape(tf.transpose(tf.reshape(y, [B, H, T, hd]), [0, 2, 1, 3]), [B * T, H * hd]); // [B*T, d]
}

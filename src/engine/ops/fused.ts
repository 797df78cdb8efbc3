// Fused kernels a backend may provide (the wasm backend does when the native addon is loaded:
// backend/native/kernels.ts). Ops call them through tfjs's kernel registry when the active backend
// has them and fall back to composites of tfjs ops otherwise, so model and loss code stay the same
// on every backend.
import * as tf from '@tensorflow/tfjs-core';

export const FUSED = {
  /** inputs x [N, V], t int32 [N] → [x[i, t[i]] − logsumexp(x[i]) : [N], logsumexp : [N]]. */
  logSoftmaxPick: 'OrpoLogSoftmaxPick',
  /** inputs x [N, V], lse [N], t [N], dy [N] → dx [N, V]. */
  logSoftmaxPickGrad: 'OrpoLogSoftmaxPickGrad',
  /** input x → GELU (tanh approximation) of x, same shape. */
  gelu: 'OrpoGelu',
  /** inputs x, dy → dy · GELU'(x), same shape. */
  geluGrad: 'OrpoGeluGrad',
  /**
   * inputs p, g, m, v, coef (clip coefficient, [1]) → [p', m', v'] after one AdamW update; attrs
   * b1, b2, lr, eps, decay (1 − lr·wd, or 1), bc1, bc2 (bias corrections).
   */
  adamw: 'OrpoAdamW',
  /** inputs x [N, C], w [C], b [C]; attr eps → [y [N, C], mean [N], rstd [N]]. */
  layerNorm: 'OrpoLayerNorm',
  /** inputs x, w, mean, rstd, dy → [dx [N, C], dw [C], db [C]]. */
  layerNormGrad: 'OrpoLayerNormGrad',
} as const;

/**
 * Fused kernels the WebGPU backend provides (backend/webgpu, issue 11); of these the native addon
 * provides the causal attention and its gradient too (backend/native/attention.c, on the wasm and
 * native backends). Where a backend lacks one, the ops and the optimizer use composites (or the
 * per-tensor kernels above).
 */
export const FUSED_GPU = {
  /**
   * Multi-tensor AdamW + global-norm clipping, updating in place. Inputs fp, fg, fm, fv (flat [n]
   * scratch), parts [256], p0.., g0.., m0.., v0.. (the first `decayed` parameters decay); attrs k,
   * decayed, lr, b1, b2, eps, bc1, bc2, wd, maxNorm → the pre-clipping gradient norm, a scalar.
   */
  adamwMulti: 'OrpoAdamWMulti',
  /**
   * inputs qkv [B, T, (H + 2·KV)·hd] (packed projections: H query heads, then KV key heads, then KV value
   * heads; GPT-2 has KV = H), lens int32 [B] (each row's real length: query i attends key j when j ≤ i
   * and j < lens[b], transformers' attention_mask on right padding); attrs H, KV → [y [B·T, H·hd]
   * (causal attention, heads merged), lse [B·H·T]].
   */
  attention: 'OrpoCausalAttention',
  /** inputs qkv, y, lse, dy [B·T, H·hd], lens; attrs H, KV → dqkv, the shape of qkv. */
  attentionGrad: 'OrpoCausalAttentionGrad',
  /** inputs gate, up (same shape) → silu(gate)·up (SwiGLU, as transformers' LlamaMLP). */
  swiglu: 'OrpoSwiGlu',
  /** inputs gate, up, dy → [dgate, dup]. */
  swigluGrad: 'OrpoSwiGluGrad',
  /** inputs x [N, C], b [C] → x + b (a linear layer's bias). */
  biasAdd: 'OrpoBiasAdd',
  /** input dy [N, C] → db [C], the column sums. */
  biasGrad: 'OrpoBiasGrad',
  /** inputs w [V, d], ids int32 (any shape) → rows of w [...ids, d] (an embedding lookup). */
  embedding: 'OrpoEmbedding',
  /** inputs ids int32, dy [...ids, d]; attr V → dw [V, d], rows of dy summed per id (deterministic). */
  embeddingGrad: 'OrpoEmbeddingGrad',
  /** inputs x [N, C], w [C]; attr eps → [y [N, C], rstd [N]] (RMSNorm). */
  rmsNorm: 'OrpoRmsNorm',
  /** inputs x, w, rstd, dy → [dx [N, C], dw [C]]. */
  rmsNormGrad: 'OrpoRmsNormGrad',
} as const;

/**
 * Kernels of 16-bit frozen weights (ops/half.ts), which the native backend (backend/native/halfKernels.ts)
 * and WebGPU (backend/webgpu/half.ts) provide: the weight S [R, C] is an int32 tensor [⌈R·C/2⌉] holding two
 * bfloat16 or binary16 values per element, widened to float32 as the kernel reads it. Elsewhere (wasm,
 * tensorflow, cpu) weights become float32 when the model loads, as before.
 */
export const FUSED_HALF = {
  /** inputs x [M, K], w (S packed); attrs R, C, trans (op(S) = Sᵀ when 1), fmt (0 bf16, 1 f16) → x·op(S) [M, N]. */
  matmul: 'OrpoHalfMatMul',
  /** inputs w (S packed), ids int32 (any shape); attrs R, C, fmt → rows of S [...ids, C]. */
  gather: 'OrpoHalfGather',
} as const;

/** Whether the active backend has the fused kernel `name`. */
export const hasFused = (name: string): boolean => tf.getKernel(name, tf.getBackend()) !== undefined;

/** Runs a fused kernel on the active backend. */
export function runFused(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number> = {}): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
}

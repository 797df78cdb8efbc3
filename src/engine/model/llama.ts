// A Llama-family decoder in TensorFlow.js, following Hugging Face transformers' modeling_llama.py and
// modeling_qwen2.py (Touvron et al. 2023): token embedding, pre-RMSNorm blocks with rotary grouped-query
// attention and a SwiGLU MLP (down(silu(gate(x)) · up(x))), a final RMSNorm and a tied or untied output
// head. Qwen2 adds biases to the q/k/v projections. Parameters carry transformers' names; Linear weights
// are kept transposed ([in, out]) so every product is a plain matMul (fast on wasm), and `exportParam`
// gives them back in transformers' [out, in] layout for saving. Frozen weights may stay 16-bit
// (`halves`, ops/half.ts) in their stored [out, in] layout, used transposed. No dropout: runs are deterministic.
import * as tf from '@tensorflow/tfjs-core';
import { embed, swiglu } from '../ops/blocks';
import { Half, type Weight } from '../ops/half';
import { linear, matmulT } from '../ops/matmul';
import { attention, causalMask, fusedAttention, hasFusedAttention, mergeHeads, paddingMask, rmsNorm, splitHeads } from '../ops/nn';
import { isLinearWeight, llamaDims, llamaShapes, type LlamaDims } from './llamaConfig';
import { inPlaceVersion } from '../backend/native/io';
import { checkpointed } from './checkpoint';
import { applyRope, applyRopeRows, ropeInvFreq, ropeTables, widen } from './rope';
import { extendLayer, type CacheStep } from './kvcache';
import type { CausalLM, OutputHead, HfConfig, KvCache, LinearAdapter, SourceDtype } from './types';
import { paramSeed } from './seed';

/** transformers' LlamaForCausalLM init: N(0, initializer_range) weights, zero biases, unit norms. */
export function initLlama(D: LlamaDims, seed: number, std = 0.02): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  llamaShapes(D).forEach(([name, shape], i) => {
    if (name.endsWith('.bias')) out.set(name, tf.zeros(shape));
    else if (name.endsWith('norm.weight')) out.set(name, tf.ones(shape));
    else out.set(name, tf.randomNormal(shape, 0, std, 'float32', paramSeed(seed, i)));
  });
  return out;
}

/** Repeats each kv head nRep times (transformers' repeat_kv): x [B*KV, A, C] → [B*KV*nRep, A, C]. */
function repeatKv(x: tf.Tensor3D, nRep: number): tf.Tensor3D {
  if (nRep === 1) return x;
  const [Z, A, C] = x.shape;
  // A row gather (a copy of rows; its gradient a segment sum) rather than tf.tile, which tfjs's cpu
  // kernels run element by element.
  const idx = tf.tensor1d(Int32Array.from({ length: Z * nRep }, (_, j) => Math.floor(j / nRep)), 'int32'); // [B*H]
  return tf.reshape(tf.gather(tf.reshape(x, [Z, A * C]), idx), [Z * nRep, A, C]) as tf.Tensor3D; // [B*H, A, C]: head h reads kv head h / nRep
}

/** RoPE tables [T, hd]; `wide`: tiled over the query heads and the kv heads ([T, H, hd] cos, sin, [T, KV, hd] cos, sin) for the fused path. */
interface Rope { cos: tf.Tensor2D; sin: tf.Tensor2D; wide?: tf.Tensor3D[] }

class Llama implements CausalLM {
  readonly params = new Map<string, tf.Variable>();
  readonly halves = new Map<string, Half>();
  sourceDtype?: SourceDtype;
  readonly context: number;
  gradientCheckpointing = false;
  adapter?: LinearAdapter;
  private readonly D: LlamaDims;
  private readonly invFreq: Float64Array;
  private head?: { dataId: object; version: number; t: tf.Tensor2D };
  /** RoPE tables of whole sequences by length (training, eval): built and uploaded once, not each step. */
  private readonly ropeCache = new Map<number, Rope>();

  /** `weights` in transformers' names and layouts; a Half (a frozen 16-bit weight) is kept as it is, seen as [in, out] when linear. */
  constructor(readonly config: HfConfig, weights: Map<string, tf.Tensor | Half>) {
    this.D = llamaDims(config);
    this.context = this.D.P;
    this.invFreq = ropeInvFreq(this.D.rope);
    const arch = config.architectures[0] ?? config.model_type;
    for (const [name, shape] of llamaShapes(this.D)) {
      const w = weights.get(name);
      if (!w) {
        const hint = name === 'lm_head.weight' ? ' (config.json says tie_word_embeddings is not true, so an untied lm_head is expected)' : '';
        throw new Error(`${arch} weights: missing tensor "${name}"${hint}`);
      }
      const stored = w instanceof Half ? w.stored : w.shape;
      if (stored.join() !== shape.join()) throw new Error(`${arch} weights: "${name}" has shape [${stored}], expected [${shape}]`);
      if (w instanceof Half) {
        this.halves.set(name, isLinearWeight(name) ? w.t() : w.clone()); // Linear: stored [out, in], used as [in, out]
        continue;
      }
      const value = isLinearWeight(name) ? tf.transpose(w) : w; // Linear: [out, in] → [in, out]
      this.params.set(name, tf.variable(value, true)); // unnamed: tfjs variable names are global
      if (value !== w) value.dispose();
    }
  }

  private p<R extends tf.Rank>(name: string): tf.Tensor<R> {
    const v = this.params.get(name);
    if (!v) throw new Error(`Llama: no parameter "${name}"`);
    return v as unknown as tf.Tensor<R>;
  }

  /** A weight that may be frozen 16-bit. */
  private w(name: string): Weight {
    return this.halves.get(name) ?? this.p<tf.Rank.R2>(name);
  }

  private bias(name: string): tf.Tensor1D | undefined {
    return this.params.get(name) as unknown as tf.Tensor1D | undefined;
  }

  /** Linear `module` (weight kept [in, out], optional bias) on x [N, in] → [N, out], plus the adapter's term. */
  private lin(x: tf.Tensor2D, module: string): tf.Tensor2D {
    const [w, b] = [this.w(module + '.weight'), this.bias(module + '.bias')];
    return this.adapter?.adapts(module) ? this.adapter.linear(module, x, w, b) : linear(x, w, b); // [N, out]
  }

  exportParam(name: string): tf.Tensor {
    const v = this.p(name);
    return isLinearWeight(name) ? tf.transpose(v) : tf.clone(v); // Linear: back to [out, in]
  }

  noDecay(name: string): boolean {
    return name.endsWith('.bias') || name.endsWith('norm.weight');
  }

  forward(ids: tf.Tensor2D, lengths?: ArrayLike<number>): tf.Tensor3D {
    return this.logits(this.run(ids, 0, undefined, lengths), ids, false);
  }

  hidden(ids: tf.Tensor2D, lengths?: ArrayLike<number>): { h: tf.Tensor2D; head: OutputHead } {
    return { h: this.run(ids, 0, undefined, lengths), head: this.outputHead(false) };
  }

  step(ids: tf.Tensor2D, cache: KvCache | undefined): { logits: tf.Tensor3D; cache: KvCache } {
    const past = cache?.length ?? 0;
    const layers: { k: tf.Tensor3D; v: tf.Tensor3D }[] = [];
    const logits = this.logits(this.run(ids, past, { prev: cache, next: layers }), ids, true);
    return { logits, cache: { length: past + ids.shape[1], layers } };
  }

  private logits(x: tf.Tensor2D, ids: tf.Tensor2D, cached: boolean): tf.Tensor3D {
    const [B, T] = ids.shape;
    return tf.reshape(this.outputHead(cached).apply(x), [B, T, this.D.V]) as tf.Tensor3D; // [B, T, V]
  }

  /**
   * The output head. Tied, it is x·Eᵀ (ops/matmul.ts) in training, and always for a 16-bit table: no
   * transposed [d, V] copy saved for the backward pass, its gradient [V, d] straight (none when it is
   * frozen). Cached decoding multiplies by a transposed copy made once (tiedHead).
   */
  private outputHead(cached: boolean): OutputHead {
    const V = this.D.V;
    const name = this.D.tied ? 'model.embed_tokens.weight' : 'lm_head.weight';
    const v = this.params.get(name); // absent when 16-bit
    const weights = v?.trainable ? [v] : [];
    const wte = this.w('model.embed_tokens.weight');
    if (this.D.tied && (!cached || wte instanceof Half)) return { V, apply: (h) => matmulT(h, wte), weights }; // [N, V]
    const head = !this.D.tied ? this.w('lm_head.weight') : this.tiedHead(); // [d, V]
    return { V, apply: (h) => linear(h, head), weights: cached ? [] : weights }; // [N, V]
  }

  /** The decoder's layers and final norm on ids [B, T] at positions past..past+T-1 (reading and extending `kv` when given) → [B*T, d]. */
  private run(ids: tf.Tensor2D, past: number, kv: CacheStep | undefined, lengths?: ArrayLike<number>): tf.Tensor2D {
    const { d, L, hd, eps } = this.D;
    const [B, T] = ids.shape;
    if (past + T > this.context) throw new Error(`sequence of ${past + T} tokens exceeds the model's context of ${this.context}`);
    const rope: Rope = past === 0 ? this.wholeRope(T) : ropeTables(this.invFreq, past, T); // [T, hd] each
    const mask = kv ? (T > 1 ? (tf.concat([tf.zeros([T, past]), causalMask(T)], 1) as tf.Tensor2D) : null) : causalMask(T); // [T, past+T]
    const pad = kv ? null : paddingMask(T, hd, lengths); // right padding: lens [B] or a mask [B, 1, T, T]
    const wide = rope.wide ?? [];
    const consts = [rope.cos, rope.sin, ...wide, ...(pad ? [pad] : [])];
    let x = tf.reshape(embed(this.w('model.embed_tokens.weight'), ids), [B * T, d]) as tf.Tensor2D; // [B*T, d]
    for (let i = 0; i < L; i++) {
      const blk = (xi: tf.Tensor2D, [cos, sin, ...rest]: tf.Tensor[]): tf.Tensor2D => {
        const w = rest.splice(0, wide.length) as tf.Tensor3D[];
        return this.block(i, xi, B, T, { cos: cos as tf.Tensor2D, sin: sin as tf.Tensor2D, ...(w.length ? { wide: w } : {}) }, mask, kv, rest[0] ?? null);
      };
      x = this.gradientCheckpointing && !kv ? checkpointed(blk, x, this.blockWeights(`model.layers.${i}.`), consts) : blk(x, consts); // [B*T, d]
    }
    return rmsNorm(x, this.p('model.norm.weight'), eps); // [B*T, d]
  }

  /** Decoder layer i: x [B*T, d] → [B*T, d]. */
  private block(i: number, x: tf.Tensor2D, B: number, T: number, rope: Rope, mask: tf.Tensor2D | null, kv: CacheStep | undefined, pad: tf.Tensor | null): tf.Tensor2D {
    const { hd, eps } = this.D;
    const p = `model.layers.${i}.`;
    const a = rmsNorm(x, this.p(p + 'input_layernorm.weight'), eps); // [B*T, d]
    const q = this.lin(a, p + 'self_attn.q_proj'); // [B*T, H*hd]
    const k = this.lin(a, p + 'self_attn.k_proj'); // [B*T, KV*hd]
    const v = this.lin(a, p + 'self_attn.v_proj'); // [B*T, KV*hd]
    const y = !kv && hasFusedAttention(hd) ? this.fusedAttention(q, k, v, B, T, rope, pad as tf.Tensor1D | null) : this.attention(q, k, v, B, T, rope, (pad as tf.Tensor4D | null) ?? mask, kv, i); // [B*T, H*hd]
    const x1 = tf.add(x, this.lin(y, p + 'self_attn.o_proj')) as tf.Tensor2D;
    const m = rmsNorm(x1, this.p(p + 'post_attention_layernorm.weight'), eps); // [B*T, d]
    const gate = this.lin(m, p + 'mlp.gate_proj'); // [B*T, ff]
    const up = this.lin(m, p + 'mlp.up_proj'); // [B*T, ff]
    return tf.add(x1, this.lin(swiglu(gate, up), p + 'mlp.down_proj')) as tf.Tensor2D; // [B*T, d]
  }

  /** Rotary grouped-query attention as tfjs ops (and over the KV cache when generating) → [B*T, H*hd]. */
  private attention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, B: number, T: number, rope: { cos: tf.Tensor2D; sin: tf.Tensor2D }, mask: tf.Tensor2D | tf.Tensor4D | null, kv: CacheStep | undefined, i: number): tf.Tensor2D {
    const { H, KV, hd } = this.D;
    const nRep = H / KV;
    const { cos, sin } = rope;
    const qh = applyRope(splitHeads(tf.reshape(q, [B, T, H * hd]), H), cos, sin); // [B*H, T, hd]
    const kh = applyRope(splitHeads(tf.reshape(k, [B, T, KV * hd]), KV), cos, sin); // [B*KV, T, hd]
    let kT = tf.transpose(kh, [0, 2, 1]); // [B*KV, hd, T]
    let vh = splitHeads(tf.reshape(v, [B, T, KV * hd]), KV); // [B*KV, T, hd]
    if (kv) ({ kT, v: vh } = extendLayer(kv, i, kT, vh)); // [Z, hd, past+T], [Z, past+T, hd]
    return mergeHeads(attention(qh, repeatKv(kT, nRep), repeatKv(vh, nRep), mask), B, H); // [B*T, H*hd]
  }

  /** The same through the fused causal attention kernel: RoPE'd q, k and v packed per row → [B*T, H*hd]. */
  private fusedAttention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, B: number, T: number, rope: Rope, lens: tf.Tensor1D | null): tf.Tensor2D {
    const { H, KV, hd } = this.D;
    const [qc, qs, kc, ks] = rope.wide ?? this.widened(rope); // [T, H, hd] × 2, [T, KV, hd] × 2
    const qr = applyRopeRows(tf.reshape(q, [B, T, H, hd]), qc as tf.Tensor3D, qs as tf.Tensor3D); // [B, T, H, hd]
    const kr = applyRopeRows(tf.reshape(k, [B, T, KV, hd]), kc as tf.Tensor3D, ks as tf.Tensor3D); // [B, T, KV, hd]
    const qkv = tf.concat([tf.reshape(qr, [B, T, H * hd]), tf.reshape(kr, [B, T, KV * hd]), tf.reshape(v, [B, T, KV * hd])], 2) as tf.Tensor3D; // [B, T, (H+2KV)*hd]
    return fusedAttention(qkv, H, KV, lens); // [B*T, H*hd]
  }

  /** The tables widened over the query heads and over the kv heads, for the fused path's applyRopeRows. */
  private widened(r: { cos: tf.Tensor2D; sin: tf.Tensor2D }): tf.Tensor3D[] {
    const { H, KV } = this.D;
    return [widen(r.cos, H), widen(r.sin, H), widen(r.cos, KV), widen(r.sin, KV)]; // [T, H, hd] × 2, [T, KV, hd] × 2
  }

  /** RoPE tables for positions 0..T-1 (and widened where the fused attention runs), kept for the 8 lengths used last (length buckets keep them few). */
  private wholeRope(T: number): Rope {
    let r = this.ropeCache.get(T);
    if (!r || [r.cos, r.sin, ...(r.wide ?? [])].some((t) => t.isDisposed)) {
      const t = ropeTables(this.invFreq, 0, T);
      r = { ...t, ...(hasFusedAttention(this.D.hd) ? { wide: this.widened(t) } : {}) };
      for (const k of [r.cos, r.sin, ...(r.wide ?? [])]) tf.keep(k);
    }
    this.ropeCache.delete(T);
    this.ropeCache.set(T, r); // most recent last
    for (const [k, old] of this.ropeCache) {
      if (this.ropeCache.size <= 8) break;
      tf.dispose([old.cos, old.sin, ...(old.wide ?? [])]);
      this.ropeCache.delete(k);
    }
    return r;
  }

  /** The trainable tensors of the layer whose parameter names start with `prefix`. */
  private blockWeights(prefix: string): tf.Tensor[] {
    return [...this.params, ...(this.adapter?.params ?? [])].filter(([n, v]) => n.startsWith(prefix) && v.trainable).map(([, v]) => v);
  }

  /**
   * The tied output head [d, V] for the cached (generation) path, transposed once and reused until the
   * embedding changes (an optimizer's assign gives the variable new data, or updates it in place). Transposing a 49152×576
   * embedding takes ~0.75 s on wasm, longer than a whole cached decoding step. No gradient flows here.
   */
  private tiedHead(): tf.Tensor2D {
    const e = this.p<tf.Rank.R2>('model.embed_tokens.weight');
    const version = inPlaceVersion(); // the native backend updates in place: same dataId, new data
    if (!this.head || this.head.dataId !== e.dataId || this.head.version !== version || this.head.t.isDisposed) {
      this.head?.t.dispose();
      this.head = { dataId: e.dataId, version, t: tf.keep(tf.transpose(e)) }; // [d, V]
    }
    return this.head.t;
  }

  dispose(): void {
    this.head?.t.dispose();
    for (const r of this.ropeCache.values()) tf.dispose([r.cos, r.sin, ...(r.wide ?? [])]);
    this.ropeCache.clear();
    for (const v of this.params.values()) v.dispose();
    for (const h of this.halves.values()) h.dispose();
    this.adapter?.dispose();
  }
}

/**
 * A Llama-family model (LlamaForCausalLM, Qwen2ForCausalLM) from a config.json and weights keyed by
 * transformers' names in transformers' layout; without weights, a seeded random init.
 */
export function createLlama(config: HfConfig, weights?: Map<string, tf.Tensor | Half>, seed = 0): CausalLM {
  const w = weights ?? initLlama(llamaDims(config), seed, typeof config.initializer_range === 'number' ? config.initializer_range : 0.02);
  const m = new Llama(config, w);
  if (!weights) for (const t of w.values()) t.dispose();
  return m;
}

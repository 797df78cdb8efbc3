// A GPT-2 decoder in TensorFlow.js (Radford et al. 2019; layout and names as Hugging Face
// transformers' GPT2LMHeadModel, the clarity of Karpathy's nanoGPT): token and position embeddings,
// pre-LayerNorm blocks with causal self-attention and a GELU (tanh) MLP, a final LayerNorm and an
// output head tied to the token embedding. Conv1D weights are stored [in, out] as in transformers,
// so checkpoints load in transformers unchanged. Frozen weights may stay 16-bit (`halves`, ops/half.ts).
// No dropout: runs are deterministic.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../common/config';
import { embed } from '../ops/blocks';
import { Half, type Weight } from '../ops/half';
import { linear, matmulT } from '../ops/matmul';
import { attention, causalMask, causalSelfAttention, geluTanh, layerNorm, mergeHeads, paddingMask, splitHeads, splitHeadsT } from '../ops/nn';
import { checkpointed } from './checkpoint';
import { extendLayer, type CacheStep } from './kvcache';
import type { CausalLM, HfConfig, KvCache, LinearAdapter, OutputHead, SourceDtype } from './types';
import { paramSeed } from './seed';

export interface Gpt2Dims {
  V: number; // vocab
  P: number; // positions (context)
  d: number; // width
  L: number; // layers
  H: number; // heads
  eps: number;
}

export function gpt2Dims(c: HfConfig): Gpt2Dims {
  const n = (k: string, dflt?: number): number => {
    const v = c[k] ?? dflt;
    if (typeof v !== 'number') throw new Error(`GPT-2 config.json: "${k}" must be a number`);
    return v;
  };
  return { V: c.vocab_size, P: n('n_positions', 1024), d: n('n_embd'), L: n('n_layer'), H: n('n_head'), eps: n('layer_norm_epsilon', 1e-5) };
}

/**
 * The special token ids a scratch model declares: the tokenizer's. `bos: null` for a tokenizer that adds
 * no BOS (the byte tokenizer), so config.json says what tokenizer_config.json says (`bos_token: null`)
 * instead of leaving GPT2Config's default 50256, outside a 257-token vocabulary.
 */
export interface SpecialIds { bos?: number | null; pad?: number }

/** A tokenizer's BOS (none: null) and pad ids, for scratchGpt2Config. */
export const specialIdsOf = (tok: { readonly bosId?: number; readonly padId: number }): SpecialIds => ({ bos: tok.bosId ?? null, pad: tok.padId });

/** The config.json of a from-scratch GPT-2 with ORPO Lab's model settings (BOS = EOS unless `ids` says). */
export function scratchGpt2Config(m: ModelConfig, vocab: number, eos: number, ids: SpecialIds = {}): HfConfig {
  return {
    architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: vocab,
    n_positions: m.context, n_embd: m.d_model, n_layer: m.layers, n_head: m.heads, n_inner: null,
    activation_function: 'gelu_new', layer_norm_epsilon: 1e-5, initializer_range: 0.02,
    attn_pdrop: 0, embd_pdrop: 0, resid_pdrop: 0, tie_word_embeddings: true,
    bos_token_id: ids.bos === undefined ? eos : ids.bos, eos_token_id: eos, ...(ids.pad !== undefined ? { pad_token_id: ids.pad } : {}),
    scale_attn_weights: true,
  };
}

/** Parameter names and shapes, in transformers' GPT2LMHeadModel layout. */
export function gpt2Shapes(D: Gpt2Dims): [string, number[]][] {
  const { V, P, d, L } = D;
  const s: [string, number[]][] = [['transformer.wte.weight', [V, d]], ['transformer.wpe.weight', [P, d]]];
  for (let i = 0; i < L; i++) {
    const h = `transformer.h.${i}.`;
    s.push([h + 'ln_1.weight', [d]], [h + 'ln_1.bias', [d]]);
    s.push([h + 'attn.c_attn.weight', [d, 3 * d]], [h + 'attn.c_attn.bias', [3 * d]]);
    s.push([h + 'attn.c_proj.weight', [d, d]], [h + 'attn.c_proj.bias', [d]]);
    s.push([h + 'ln_2.weight', [d]], [h + 'ln_2.bias', [d]]);
    s.push([h + 'mlp.c_fc.weight', [d, 4 * d]], [h + 'mlp.c_fc.bias', [4 * d]]);
    s.push([h + 'mlp.c_proj.weight', [4 * d, d]], [h + 'mlp.c_proj.bias', [d]]);
  }
  s.push(['transformer.ln_f.weight', [d]], ['transformer.ln_f.bias', [d]]);
  return s;
}

/** GPT-2 initialisation (transformers' _init_weights): N(0, 0.02), residual projections N(0, 0.02/√(2L)). */
export function initGpt2(D: Gpt2Dims, seed: number): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  gpt2Shapes(D).forEach(([name, shape], i) => {
    if (name.endsWith('.bias')) out.set(name, tf.zeros(shape));
    else if (name.includes('ln_')) out.set(name, tf.ones(shape));
    else {
      const std = name.endsWith('c_proj.weight') ? 0.02 / Math.sqrt(2 * D.L) : 0.02;
      out.set(name, tf.randomNormal(shape, 0, std, 'float32', paramSeed(seed, i)));
    }
  });
  return out;
}

/** Attention of new positions over the KV cache and themselves: qkv [B, T, 3d] → [B*T, d]. */
function cachedAttention(qkv: tf.Tensor3D, kv: CacheStep, i: number, H: number, mask: tf.Tensor2D | null): tf.Tensor2D {
  const [q, k, v] = tf.split(qkv, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D]; // 3 × [B, T, d]
  const { kT, v: vh } = extendLayer(kv, i, splitHeadsT(k, H), splitHeads(v, H)); // [Z, hd, past+T], [Z, past+T, hd]
  return mergeHeads(attention(splitHeads(q, H), kT, vh, mask), qkv.shape[0], H); // [B*T, d]
}

class Gpt2 implements CausalLM {
  readonly params = new Map<string, tf.Variable>();
  readonly halves = new Map<string, Half>();
  sourceDtype?: SourceDtype;
  readonly context: number;
  gradientCheckpointing = false;
  adapter?: LinearAdapter;
  private readonly D: Gpt2Dims;

  /** `weights` in transformers' names and layouts; a Half (a frozen 16-bit weight) is kept as it is. */
  constructor(readonly config: HfConfig, weights: Map<string, tf.Tensor | Half>) {
    this.D = gpt2Dims(config);
    this.context = this.D.P;
    for (const [name, shape] of gpt2Shapes(this.D)) {
      const w = weights.get(name);
      if (!w) throw new Error(`GPT-2 weights: missing tensor "${name}"`);
      const stored = w instanceof Half ? w.stored : w.shape;
      if (stored.join() !== shape.join()) throw new Error(`GPT-2 weights: "${name}" has shape [${stored}], expected [${shape}]`);
      if (w instanceof Half) {
        this.halves.set(name, w.clone()); // Conv1D [in, out] and the embedding [V, d] are used as stored
        continue;
      }
      this.params.set(name, tf.variable(w, true)); // tfjs variable names are global: keep them anonymous
    }
  }

  private p<R extends tf.Rank>(name: string): tf.Tensor<R> {
    return this.params.get(name) as unknown as tf.Tensor<R>;
  }

  /** A weight that may be frozen 16-bit. */
  private w(name: string): Weight {
    return this.halves.get(name) ?? this.p<tf.Rank.R2>(name);
  }

  /** Conv1D `module` (weight [in, out], bias [out]) on x [N, in] → [N, out], plus the adapter's term. */
  private lin(x: tf.Tensor2D, module: string): tf.Tensor2D {
    const [w, b] = [this.w(module + '.weight'), this.p<tf.Rank.R1>(module + '.bias')];
    return this.adapter?.adapts(module) ? this.adapter.linear(module, x, w, b) : linear(x, w, b); // [N, out]
  }

  noDecay(name: string): boolean {
    return name.endsWith('.bias') || name.includes('ln_');
  }

  forward(ids: tf.Tensor2D, lengths?: ArrayLike<number>): tf.Tensor3D {
    return this.logits(this.run(ids, 0, undefined, lengths), ids);
  }

  hidden(ids: tf.Tensor2D, lengths?: ArrayLike<number>): { h: tf.Tensor2D; head: OutputHead } {
    return { h: this.run(ids, 0, undefined, lengths), head: this.head() };
  }

  step(ids: tf.Tensor2D, cache: KvCache | undefined): { logits: tf.Tensor3D; cache: KvCache } {
    const past = cache?.length ?? 0;
    const layers: { k: tf.Tensor3D; v: tf.Tensor3D }[] = [];
    const logits = this.logits(this.run(ids, past, { prev: cache, next: layers }), ids);
    return { logits, cache: { length: past + ids.shape[1], layers } };
  }

  /** The tied head, x·wteᵀ. */
  private head(): OutputHead {
    const wte = this.w('transformer.wte.weight');
    const v = this.params.get('transformer.wte.weight'); // absent when 16-bit
    return { V: this.D.V, apply: (h) => matmulT(h, wte), weights: v?.trainable ? [v] : [] }; // [N, V]
  }

  private logits(x: tf.Tensor2D, ids: tf.Tensor2D): tf.Tensor3D {
    const [B, T] = ids.shape;
    return tf.reshape(this.head().apply(x), [B, T, this.D.V]) as tf.Tensor3D; // [B, T, V]
  }

  /** The blocks and the final norm on ids [B, T] at positions past..past+T-1 → hidden states [B*T, d]. */
  private run(ids: tf.Tensor2D, past: number, kv: CacheStep | undefined, lengths?: ArrayLike<number>): tf.Tensor2D {
    const { d, L, H, eps } = this.D;
    const [B, T] = ids.shape;
    if (past + T > this.context) throw new Error(`sequence of ${past + T} tokens exceeds the model's context of ${this.context}`);
    const pos = tf.slice(this.p<tf.Rank.R2>('transformer.wpe.weight'), [past, 0], [T, d]); // [T, d]
    let x = tf.reshape(tf.add(embed(this.w('transformer.wte.weight'), ids), pos), [B * T, d]) as tf.Tensor2D; // [B*T, d]
    const mask = kv && T > 1 ? tf.concat([tf.zeros([T, past]), causalMask(T)], 1) as tf.Tensor2D : null; // [T, past+T]
    const pad = kv ? null : paddingMask(T, d / H, lengths); // right padding: lens [B] or a mask [B, 1, T, T]
    for (let i = 0; i < L; i++) {
      const blk = (xi: tf.Tensor2D, consts: tf.Tensor[]): tf.Tensor2D => this.block(i, xi, B, T, mask, kv, consts[0] ?? null);
      x = this.gradientCheckpointing && !kv ? checkpointed(blk, x, this.blockWeights(`transformer.h.${i}.`), pad ? [pad] : []) : blk(x, pad ? [pad] : []); // [B*T, d]
    }
    return layerNorm(x, this.p('transformer.ln_f.weight'), this.p('transformer.ln_f.bias'), eps); // [B*T, d]
  }

  /** Transformer block i: x [B*T, d] → [B*T, d]. */
  private block(i: number, x: tf.Tensor2D, B: number, T: number, mask: tf.Tensor2D | null, kv: CacheStep | undefined, pad: tf.Tensor | null): tf.Tensor2D {
    const { d, H, eps } = this.D;
    const h = `transformer.h.${i}.`;
    const a = layerNorm(x, this.p(h + 'ln_1.weight'), this.p(h + 'ln_1.bias'), eps); // [B*T, d]
    const qkv = tf.reshape(this.lin(a, h + 'attn.c_attn'), [B, T, 3 * d]) as tf.Tensor3D; // [B, T, 3d]
    const y = kv ? cachedAttention(qkv, kv, i, H, mask) : causalSelfAttention(qkv, H, pad); // [B*T, d]
    const x1 = tf.add(x, this.lin(y, h + 'attn.c_proj')) as tf.Tensor2D;
    const m = layerNorm(x1, this.p(h + 'ln_2.weight'), this.p(h + 'ln_2.bias'), eps); // [B*T, d]
    const f = geluTanh(this.lin(m, h + 'mlp.c_fc')) as tf.Tensor2D; // [B*T, 4d]
    return tf.add(x1, this.lin(f, h + 'mlp.c_proj')) as tf.Tensor2D;
  }

  /** The trainable tensors of the block whose parameter names start with `prefix`. */
  private blockWeights(prefix: string): tf.Tensor[] {
    return [...this.params, ...(this.adapter?.params ?? [])].filter(([n, v]) => n.startsWith(prefix) && v.trainable).map(([, v]) => v);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    for (const h of this.halves.values()) h.dispose();
    this.adapter?.dispose();
  }
}

/** A GPT-2 from a Hugging Face config and weights (keys as transformers names them). */
export function createGpt2(config: HfConfig, weights?: Map<string, tf.Tensor | Half>): CausalLM {
  const w = weights ?? initGpt2(gpt2Dims(config), 0);
  const m = new Gpt2(config, w);
  if (!weights) for (const t of w.values()) t.dispose();
  return m;
}

/** A seeded from-scratch GPT-2 for ORPO Lab's `model:` settings. */
export function createScratchGpt2(m: ModelConfig, vocab: number, eos: number, seed: number, ids: SpecialIds = {}): CausalLM {
  const config = scratchGpt2Config(m, vocab, eos, ids);
  const w = initGpt2(gpt2Dims(config), seed);
  const model = new Gpt2(config, w);
  for (const t of w.values()) t.dispose();
  return model;
}

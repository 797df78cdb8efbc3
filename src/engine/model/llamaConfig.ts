// Reads the dimensions of a Llama-family model (LlamaForCausalLM, Qwen2ForCausalLM; SmolLM/SmolLM2 and
// TinyLlama are Llama) from a Hugging Face config.json, as transformers' LlamaConfig / Qwen2Config
// define the keys and their defaults. transformers 5 writes `rope_parameters: {rope_theta, rope_type}`;
// earlier versions write `rope_theta` and `rope_scaling`: both are accepted.
import type { HfConfig } from './types';
import type { RopeScaling, RopeSpec } from './rope';

export interface LlamaDims {
  V: number; // vocab
  d: number; // hidden_size
  ff: number; // intermediate_size
  L: number; // layers
  H: number; // attention heads
  KV: number; // key/value heads (grouped-query attention when < H)
  hd: number; // head_dim
  P: number; // max_position_embeddings
  eps: number; // rms_norm_eps
  rope: RopeSpec;
  tied: boolean; // lm_head shares model.embed_tokens.weight
  qkvBias: boolean; // q/k/v projections have biases (Qwen2, or attention_bias)
  oBias: boolean; // o_proj has a bias (attention_bias)
  mlpBias: boolean; // gate/up/down have biases (mlp_bias)
}

function num(c: HfConfig, key: string, dflt?: number): number {
  const v = c[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`config.json: "${key}" must be a number (${c.model_type} model), got ${JSON.stringify(c[key])}`);
  return v;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function ropeScaling(c: HfConfig, params: Record<string, unknown>): RopeScaling {
  const type = params.rope_type ?? params.type ?? 'default';
  const n = (k: string, dflt?: number): number => {
    const v = params[k] ?? dflt;
    if (typeof v !== 'number') throw new Error(`config.json: rope parameter "${k}" must be a number for rope_type "${String(type)}"`);
    return v;
  };
  switch (type) {
    case 'default':
      return { type: 'default' };
    case 'linear':
      return { type: 'linear', factor: n('factor') };
    case 'llama3':
      return { type: 'llama3', factor: n('factor'), lowFreqFactor: n('low_freq_factor'), highFreqFactor: n('high_freq_factor'), originalContext: n('original_max_position_embeddings') };
    default:
      throw new Error(`config.json: rope_type "${String(type)}" is not supported (${c.model_type}); supported: default, linear, llama3`);
  }
}

/** The model dimensions of a Llama-family config.json; throws naming the key when one is missing or wrong. */
export function llamaDims(c: HfConfig): LlamaDims {
  const isQwen2 = c.model_type === 'qwen2';
  const d = num(c, 'hidden_size');
  const H = num(c, 'num_attention_heads');
  const KV = num(c, 'num_key_value_heads', H);
  const hd = num(c, 'head_dim', d / H);
  if (!Number.isInteger(hd) || hd % 2 !== 0) throw new Error(`config.json: head_dim ${hd} must be an even integer`);
  if (H % KV !== 0) throw new Error(`config.json: num_attention_heads ${H} is not a multiple of num_key_value_heads ${KV}`);
  const act = c.hidden_act ?? 'silu';
  if (act !== 'silu') throw new Error(`config.json: hidden_act "${String(act)}" is not supported (only silu)`);
  if (c.use_sliding_window === true) throw new Error('config.json: use_sliding_window true is not supported (full attention only)');
  // Rope: transformers 5's rope_parameters, else rope_theta + rope_scaling of earlier versions.
  const rp = obj(c.rope_parameters);
  const scaling = obj(c.rope_scaling);
  const theta = rp?.rope_theta ?? c.rope_theta ?? 10000;
  if (typeof theta !== 'number') throw new Error(`config.json: rope_theta must be a number, got ${JSON.stringify(theta)}`);
  const attentionBias = c.attention_bias === true;
  return {
    V: c.vocab_size, d, ff: num(c, 'intermediate_size'), L: num(c, 'num_hidden_layers'), H, KV, hd,
    P: num(c, 'max_position_embeddings', 2048), eps: num(c, 'rms_norm_eps', 1e-6),
    rope: { theta, headDim: hd, scaling: ropeScaling(c, rp ?? scaling ?? {}) },
    tied: c.tie_word_embeddings === true,
    qkvBias: isQwen2 || attentionBias, oBias: attentionBias, mlpBias: c.mlp_bias === true,
  };
}

/** Parameter names and their transformers (safetensors) shapes: Linear weights are [out, in]. */
export function llamaShapes(D: LlamaDims): [string, number[]][] {
  const { V, d, ff, L, H, KV, hd } = D;
  const s: [string, number[]][] = [['model.embed_tokens.weight', [V, d]]];
  for (let i = 0; i < L; i++) {
    const p = `model.layers.${i}.`;
    s.push([p + 'input_layernorm.weight', [d]]);
    s.push([p + 'self_attn.q_proj.weight', [H * hd, d]], [p + 'self_attn.k_proj.weight', [KV * hd, d]], [p + 'self_attn.v_proj.weight', [KV * hd, d]]);
    if (D.qkvBias) s.push([p + 'self_attn.q_proj.bias', [H * hd]], [p + 'self_attn.k_proj.bias', [KV * hd]], [p + 'self_attn.v_proj.bias', [KV * hd]]);
    s.push([p + 'self_attn.o_proj.weight', [d, H * hd]]);
    if (D.oBias) s.push([p + 'self_attn.o_proj.bias', [d]]);
    s.push([p + 'post_attention_layernorm.weight', [d]]);
    s.push([p + 'mlp.gate_proj.weight', [ff, d]], [p + 'mlp.up_proj.weight', [ff, d]], [p + 'mlp.down_proj.weight', [d, ff]]);
    if (D.mlpBias) s.push([p + 'mlp.gate_proj.bias', [ff]], [p + 'mlp.up_proj.bias', [ff]], [p + 'mlp.down_proj.bias', [d]]);
  }
  s.push(['model.norm.weight', [d]]);
  if (!D.tied) s.push(['lm_head.weight', [V, d]]);
  return s;
}

/** Whether a parameter is a Linear weight that the model keeps transposed ([in, out]) for plain matMuls. */
export function isLinearWeight(name: string): boolean {
  return name === 'lm_head.weight' || /_proj\.weight$/.test(name);
}

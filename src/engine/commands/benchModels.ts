// The models `orpo-lab bench --model DIR --init NAME` measures: GPT-2-small (openai-community/gpt2's
// config.json) and SmolLM2-360M (HuggingFaceTB/SmolLM2-360M's config.json) with random weights,
// written once as transformers directories (config.json + model.safetensors) by the same saver as our
// checkpoints (hf/save.ts) and read back by the same loader as users' checkpoints (hf/load.ts).
// The config fields follow the Hub files; parameter counts: 124,439,808 and 361,821,120. Each is
// written in the dtype its Hub checkpoint has (gpt2: float32; SmolLM2-360M: bfloat16), so a LoRA run
// on SmolLM2 keeps its frozen weights 16-bit as it would on the user's download (model.frozen_dtype).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { saveModelDir, TORCH_DTYPE } from '../hf/save';
import { createGpt2 } from '../model/gpt';
import { createLlama } from '../model/llama';
import type { CausalLM, HfConfig, SourceDtype } from '../model/types';

/** openai-community/gpt2: 12 blocks of width 768, 12 heads, 1024 positions, tied head. */
const GPT2_SMALL: HfConfig = {
  architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: 50257,
  n_positions: 1024, n_ctx: 1024, n_embd: 768, n_layer: 12, n_head: 12, n_inner: null,
  activation_function: 'gelu_new', layer_norm_epsilon: 1e-5, initializer_range: 0.02,
  attn_pdrop: 0.1, embd_pdrop: 0.1, resid_pdrop: 0.1, bos_token_id: 50256, eos_token_id: 50256,
};

/** HuggingFaceTB/SmolLM2-360M: a Llama of width 960, 32 blocks, GQA 15:5 (head_dim 64), SwiGLU 2560, tied. */
const SMOLLM2_360M: HfConfig = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 49152,
  hidden_size: 960, intermediate_size: 2560, num_hidden_layers: 32, num_attention_heads: 15, num_key_value_heads: 5,
  head_dim: 64, hidden_act: 'silu', max_position_embeddings: 8192, rms_norm_eps: 1e-5, rope_theta: 100000,
  rope_scaling: null, attention_bias: false, attention_dropout: 0, mlp_bias: false, pretraining_tp: 1,
  tie_word_embeddings: true, initializer_range: 0.02, bos_token_id: 0, eos_token_id: 0,
};

export const BENCH_MODELS = { 'gpt2-small': GPT2_SMALL, 'smollm2-360m': SMOLLM2_360M } as const;
export type BenchModelName = keyof typeof BENCH_MODELS;

/** The dtype of each Hub checkpoint's model.safetensors. */
const HUB_DTYPE: Readonly<Record<BenchModelName, SourceDtype>> = { 'gpt2-small': 'F32', 'smollm2-360m': 'BF16' };

/** The fields that fix the architecture: a cached directory must agree on these to be reused. */
const SHAPE_KEYS = ['model_type', 'vocab_size', 'n_positions', 'n_embd', 'n_layer', 'n_head', 'hidden_size', 'intermediate_size',
  'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'head_dim', 'tie_word_embeddings', 'rope_theta'];

/**
 * Writes NAME with random weights (seed 1) to `dir` unless `dir` already holds that model's config.json;
 * a directory holding another model is an error, never overwritten. Returns whether it wrote.
 */
export async function ensureBenchModel(name: BenchModelName, dir: string, log: (l: string) => void): Promise<boolean> {
  const want = BENCH_MODELS[name];
  const path = join(dir, 'config.json');
  if (existsSync(path)) {
    const have = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const differ = SHAPE_KEYS.filter((k) => JSON.stringify(have[k]) !== JSON.stringify(want[k]));
    if (differ.length > 0) throw new Error(`${path}: not a ${name} model (${differ.map((k) => `${k} ${JSON.stringify(have[k])}, expected ${JSON.stringify(want[k])}`).join('; ')}); choose another --model directory`);
    const dtype = have.torch_dtype ?? have.dtype ?? 'float32';
    const hub = TORCH_DTYPE[HUB_DTYPE[name]];
    if (dtype !== hub) throw new Error(`${path}: ${name} in ${String(dtype)}, but its Hub checkpoint is ${hub}; remove the directory to write it again`);
    if (!existsSync(join(dir, 'model.safetensors'))) throw new Error(`${dir}: config.json without model.safetensors; remove the directory to write ${name} again`);
    return false;
  }
  log(`writing a random-weight ${name} to ${dir}`);
  const model: CausalLM = want.model_type === 'gpt2' ? createGpt2(want) : createLlama(want, undefined, 1);
  model.sourceDtype = HUB_DTYPE[name];
  try {
    await saveModelDir(model, undefined, dir);
  } finally {
    model.dispose();
  }
  return true;
}

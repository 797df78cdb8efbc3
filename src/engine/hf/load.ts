// Loading a Hugging Face model directory (transformers' save_pretrained layout: config.json,
// model.safetensors or shards + model.safetensors.index.json, tokenizer.json + tokenizer_config.json)
// into an ORPO Lab model: GPT2LMHeadModel → model/gpt.ts, LlamaForCausalLM / Qwen2ForCausalLM →
// model/llama.ts. Weights in fp32, fp16 or bf16 become float32 tensors, except that with `keep16` a
// 16-bit checkpoint's matrices that will stay frozen (linear weights, embeddings, output head: all but
// norms, biases and GPT-2's position table, under 0.5% of a model) stay in their dtype (ops/half.ts),
// when the backend has the kernels to read them (the native backend).
import type * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createGpt2 } from '../model/gpt';
import { createLlama } from '../model/llama';
import { isLinearWeight } from '../model/llamaConfig';
import type { CausalLM, HfConfig } from '../model/types';
import { halfSupported, type Half } from '../ops/half';
import { HfTokenizer } from '../tokenizer/hf';
import type { Tokenizer } from '../tokenizer/types';
import { familyOf, readHfConfig, type Family } from './config';
import { readWeights } from './weights';

/**
 * GPT-2 checkpoints saved from GPT2Model (the original "gpt2" upload) name tensors without the
 * "transformer." prefix ("h.0.attn.c_attn.weight"): add it so GPT2LMHeadModel names apply.
 */
function gpt2Name(name: string): string {
  return /^(wte|wpe|h\.\d+|ln_f)\./.test(name) ? `transformer.${name}` : name;
}

/** The weights that may stay 16-bit when frozen: every matrix the model multiplies by or gathers from. */
function halfWeight(family: Family, name: string): boolean {
  switch (family) {
    case 'gpt2':
      return /^transformer\.(wte|h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj))\.weight$/.test(name);
    case 'llama':
      return isLinearWeight(name) || name === 'model.embed_tokens.weight';
  }
}

function build(family: Family, config: HfConfig, weights: Map<string, tf.Tensor | Half>): CausalLM {
  switch (family) {
    case 'gpt2':
      return createGpt2(config, weights);
    case 'llama':
      return createLlama(config, weights);
  }
}

/** The model's family and its architecture, for messages. */
export async function describeModelDir(dir: string): Promise<{ family: Family; architecture: string }> {
  const config = await readHfConfig(dir);
  return { family: familyOf(config, join(dir, 'config.json')), architecture: config.architectures[0] ?? config.model_type };
}

export interface LoadOptions {
  /**
   * The model's weights will not train (a LoRA base, a DPO reference): keep a 16-bit checkpoint's
   * matrices 16-bit (model.halves) where the backend can read them. Off: every weight float32.
   */
  keep16?: boolean;
}

/** Loads a model directory: the model (float32 parameters, or frozen 16-bit ones with `keep16`) and its tokenizer when tokenizer.json is there. */
export async function loadModelDir(dir: string, options: LoadOptions = {}): Promise<{ model: CausalLM; tokenizer?: Tokenizer }> {
  const config = await readHfConfig(dir);
  const family = familyOf(config, join(dir, 'config.json'));
  // Check the tokenizer before the (possibly large) weights, so a broken tokenizer fails fast.
  const tokenizer = existsSync(join(dir, 'tokenizer.json')) ? await HfTokenizer.load(dir) : undefined;
  const keep16 = options.keep16 === true && halfSupported();
  const { weights, dtype } = await readWeights(dir, family === 'gpt2' ? gpt2Name : undefined, (name) => keep16 && halfWeight(family, name));
  try {
    const model = build(family, config, weights);
    model.sourceDtype = dtype;
    return tokenizer ? { model, tokenizer } : { model };
  } catch (e) {
    throw new Error(`${dir}: ${(e as Error).message}`);
  } finally {
    for (const t of weights.values()) t.dispose();
  }
}

// Loading a Hugging Face model directory (transformers' save_pretrained layout: config.json,
// model.safetensors or shards + model.safetensors.index.json, tokenizer.json + tokenizer_config.json)
// into an ORPO Lab model: GPT2LMHeadModel → model/gpt.ts, LlamaForCausalLM / Qwen2ForCausalLM →
// model/llama.ts. Weights in fp32, fp16 or bf16 become float32 tensors.
import type * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createGpt2 } from '../model/gpt';
import { createLlama } from '../model/llama';
import type { CausalLM, HfConfig } from '../model/types';
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

function build(family: Family, config: HfConfig, weights: Map<string, tf.Tensor>): CausalLM {
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

/** Loads a model directory: the model (float32 parameters) and its tokenizer when tokenizer.json is there. */
export async function loadModelDir(dir: string): Promise<{ model: CausalLM; tokenizer?: Tokenizer }> {
  const config = await readHfConfig(dir);
  const family = familyOf(config, join(dir, 'config.json'));
  // Check the tokenizer before the (possibly large) weights, so a broken tokenizer fails fast.
  const tokenizer = existsSync(join(dir, 'tokenizer.json')) ? await HfTokenizer.load(dir) : undefined;
  const weights = await readWeights(dir, family === 'gpt2' ? gpt2Name : undefined);
  try {
    const model = build(family, config, weights);
    return tokenizer ? { model, tokenizer } : { model };
  } catch (e) {
    throw new Error(`${dir}: ${(e as Error).message}`);
  } finally {
    for (const t of weights.values()) t.dispose();
  }
}

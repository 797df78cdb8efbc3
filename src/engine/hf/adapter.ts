// LoRA adapters on disk in PEFT's format (github.com/huggingface/peft: utils/save_and_load.py,
// utils/constants.py, tuners/lora/config.py, peft_model.py save_pretrained; read there, not copied):
// adapter_model.safetensors holds `base_model.model.<module>.lora_A.weight` [r, in] and `.lora_B.weight`
// [out, r] (the PeftModel state dict with the adapter name "default" removed), and adapter_config.json
// the LoraConfig fields (peft_type "LORA", task_type "CAUSAL_LM", r, lora_alpha, lora_dropout,
// target_modules, fan_in_fan_out, bias "none", base_model_name_or_path, ...), saved with
// inference_mode true, so `PeftModel.from_pretrained(base, dir)` loads it.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ALL_LINEAR, attachLora, Lora, type LoraSettings } from '../model/lora';
import type { CausalLM } from '../model/types';
import type { Tokenizer } from '../tokenizer/types';
import { loadModelDir } from './load';
import { readSafetensors, writeSafetensors } from './safetensors';
import { configToSave } from './save';

export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';
export const ADAPTER_CONFIG = 'adapter_config.json';
/** PeftModel.base_model (LoraModel) .model (the transformers model): the prefix of every saved key. */
export const PEFT_PREFIX = 'base_model.model.';

export const isAdapterDir = (dir: string): boolean => existsSync(join(dir, ADAPTER_CONFIG));

/** The adapter's module names, as saved in target_modules: the configured list, else the adapted layers' leaf names. */
function savedTargets(lora: Lora): string[] {
  const t = lora.settings.targets;
  if (Array.isArray(t)) return [...new Set(t)].sort();
  return [...new Set(lora.modules.map((m) => m.split('.').at(-1) as string))].sort();
}

/** adapter_config.json's fields, LoraConfig's names and defaults (PEFT ≥ 0.13). */
export function adapterConfigJson(lora: Lora, base: string | null): Record<string, unknown> {
  return {
    peft_type: 'LORA', task_type: 'CAUSAL_LM', base_model_name_or_path: base, revision: null, inference_mode: true,
    r: lora.settings.r, lora_alpha: lora.settings.alpha, lora_dropout: lora.settings.dropout,
    target_modules: savedTargets(lora), exclude_modules: null, fan_in_fan_out: lora.fanInFanOut, bias: 'none',
    use_rslora: false, use_dora: false, lora_bias: false, init_lora_weights: true, modules_to_save: null,
    layers_to_transform: null, layers_pattern: null, rank_pattern: {}, alpha_pattern: {}, megatron_config: null,
    megatron_core: 'megatron.core', trainable_token_indices: null, loftq_config: {}, layer_replication: null,
    target_parameters: null, auto_mapping: null,
  };
}

/** Writes adapter_model.safetensors and adapter_config.json of `model.adapter` into the existing `dir`. */
export async function writeAdapterFiles(model: CausalLM, dir: string, base: string | null): Promise<void> {
  const lora = model.adapter;
  if (!(lora instanceof Lora)) throw new Error('no LoRA adapter to save');
  const tensors = [...lora.params].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, v]) => ({ name: PEFT_PREFIX + name, shape: v.shape, data: () => v.data<'float32'>() }));
  await writeSafetensors(join(dir, ADAPTER_WEIGHTS), tensors, { format: 'pt' });
  await writeFile(join(dir, ADAPTER_CONFIG), JSON.stringify(adapterConfigJson(lora, base), null, 2) + '\n');
}

/** adapter_config.json, checked for what ORPO Lab's LoRA implements; errors name the file and the field. */
export function readAdapterConfig(dir: string): { settings: LoraSettings; base: string | null } {
  const path = join(dir, ADAPTER_CONFIG);
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${path}: cannot read a PEFT adapter config (${(e as Error).message})`);
  }
  const fail = (what: string): never => { throw new Error(`${path}: ${what}`); };
  if (c === null || typeof c !== 'object' || Array.isArray(c)) fail('expected a JSON object');
  if (c.peft_type !== 'LORA') fail(`"peft_type" is ${JSON.stringify(c.peft_type)}; only LoRA adapters ("LORA") are supported`);
  const r = c.r ?? 8, alpha = c.lora_alpha ?? 8, dropout = c.lora_dropout ?? 0;
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1) fail(`"r" must be an integer ≥ 1, got ${JSON.stringify(r)}`);
  if (typeof alpha !== 'number' || !(alpha > 0)) fail(`"lora_alpha" must be a number > 0, got ${JSON.stringify(alpha)}`);
  if (typeof dropout !== 'number' || dropout < 0 || dropout >= 1) fail(`"lora_dropout" must be in [0, 1), got ${JSON.stringify(dropout)}`);
  for (const k of ['use_dora', 'use_rslora', 'lora_bias']) if (c[k] === true) fail(`"${k}" is true; ORPO Lab's LoRA implements plain LoRA only`);
  if (c.bias !== undefined && c.bias !== 'none') fail(`"bias" is ${JSON.stringify(c.bias)}; only "none" is supported`);
  for (const k of ['modules_to_save', 'layers_to_transform', 'trainable_token_indices']) if (c[k] !== undefined && c[k] !== null && !(Array.isArray(c[k]) && (c[k] as unknown[]).length === 0)) fail(`"${k}" is set; ORPO Lab's LoRA does not implement it`);
  for (const k of ['rank_pattern', 'alpha_pattern']) if (c[k] && typeof c[k] === 'object' && Object.keys(c[k] as object).length) fail(`"${k}" is set; ORPO Lab's LoRA uses one r and alpha for every layer`);
  const t = c.target_modules;
  const targets = t === ALL_LINEAR ? ALL_LINEAR : Array.isArray(t) && t.every((x) => typeof x === 'string') ? (t as string[]) : undefined;
  const base = typeof c.base_model_name_or_path === 'string' ? c.base_model_name_or_path : null;
  return { settings: { r: r as number, alpha: alpha as number, dropout: dropout as number, ...(targets ? { targets } : {}) }, base };
}

/** The adapter saved in `dir` (not yet attached): settings from adapter_config.json, A and B from the weights. */
export async function readAdapter(dir: string, model: CausalLM): Promise<Lora> {
  const { settings } = readAdapterConfig(dir);
  const file = join(dir, ADAPTER_WEIGHTS);
  if (!existsSync(file)) throw new Error(`${file}: missing (a PEFT adapter directory holds adapter_model.safetensors beside adapter_config.json)`);
  const found = new Map<string, { A?: tf.Tensor; B?: tf.Tensor }>();
  const key = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/;
  try {
    for await (const [name, t] of readSafetensors(file)) {
      const m = key.exec(name);
      if (!m) throw new Error(`${file}: unexpected tensor "${name}" (expected base_model.model.<module>.lora_A.weight or .lora_B.weight)`);
      if (t.shape.length !== 2 || t.shape[m[2] === 'A' ? 0 : 1] !== settings.r) throw new Error(`${file}: "${name}" has shape [${t.shape}], expected rank ${settings.r} (adapter_config.json "r")`);
      const entry = found.get(m[1] as string) ?? {};
      entry[m[2] as 'A' | 'B'] = tf.tensor(t.data, t.shape, 'float32');
      found.set(m[1] as string, entry);
    }
    const weights = new Map<string, { A: tf.Tensor; B: tf.Tensor }>();
    for (const [module, e] of found) {
      if (!e.A || !e.B) throw new Error(`${file}: "${module}" has lora_${e.A ? 'A' : 'B'} but not lora_${e.A ? 'B' : 'A'}`);
      weights.set(module, { A: e.A, B: e.B });
    }
    if (weights.size === 0) throw new Error(`${file}: holds no LoRA tensors`);
    return new Lora(settings, model.config.model_type === 'gpt2', weights);
  } finally {
    for (const e of found.values()) tf.dispose([e.A, e.B].filter((x): x is tf.Tensor => x !== undefined));
  }
}

/**
 * A LoRA checkpoint as a directory: the adapter files, the base model's config.json (the resume checks
 * compare it) and the tokenizer files. `dir` is created; the caller makes the write atomic.
 */
export async function saveAdapterDir(model: CausalLM, tokenizer: Tokenizer | undefined, dir: string, base: string | null): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(configToSave(model, tokenizer), null, 2) + '\n');
  await writeAdapterFiles(model, dir, base);
  if (tokenizer) await tokenizer.save(dir);
}

/**
 * The base model with the adapter of `dir` attached. The base is `base`, else adapter_config.json's
 * base_model_name_or_path (a local directory; relative paths from `dir`); the tokenizer is the adapter
 * directory's when it has one, else the base's.
 */
export async function loadAdapterDir(dir: string, base?: string): Promise<{ model: CausalLM; tokenizer?: Tokenizer; base: string }> {
  const saved = readAdapterConfig(dir).base;
  const from = base ?? (saved === null ? undefined : isAbsolute(saved) ? saved : resolve(dir, saved));
  if (!from || !existsSync(join(from, 'config.json'))) {
    throw new Error(`${join(dir, ADAPTER_CONFIG)}: the base model ${from ? `"${from}" is not a local model directory` : 'is not named (base_model_name_or_path)'}; give it with --base DIR`);
  }
  const loaded = await loadModelDir(from);
  try {
    attachLora(loaded.model, await readAdapter(dir, loaded.model));
  } catch (e) {
    loaded.model.dispose();
    throw e;
  }
  const own = existsSync(join(dir, 'tokenizer.json')) ? (await loadModelDirTokenizer(dir)) : undefined;
  const tokenizer = own ?? loaded.tokenizer;
  return { model: loaded.model, ...(tokenizer ? { tokenizer } : {}), base: from };
}

async function loadModelDirTokenizer(dir: string): Promise<Tokenizer> {
  const { HfTokenizer } = await import('../tokenizer/hf');
  return HfTokenizer.load(dir);
}

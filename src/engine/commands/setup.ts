// Building what a training run needs from its resolved config: the tokenizer (bytes, a tokenizer.json,
// a trained BPE, or the model directory's own), the model (a seeded scratch GPT-2, a Hugging Face
// directory, or a checkpoint being resumed; with a LoRA adapter: fresh, from `model.adapter`, or the
// checkpoint's, on the `model.from` base; frozen weights of a 16-bit checkpoint kept 16-bit unless
// model.frozen_dtype is float32) and the eval-sample generator.
import { resolve } from 'node:path';
import type { ExperimentConfig } from '../../common/config';
import type { RunShape } from '../backend/timeStep';
import { readAdapter } from '../hf/adapter';
import { readHfConfig } from '../hf/config';
import { loadModelDir } from '../hf/load';
import { attachLora, createLora } from '../model/lora';
import { createScratchGpt2, scratchGpt2Config, specialIdsOf } from '../model/gpt';
import type { CausalLM } from '../model/types';
import { ByteTokenizer } from '../tokenizer/bytes';
import type { Tokenizer } from '../tokenizer/types';

export async function buildTokenizer(cfg: ExperimentConfig, configDir: string): Promise<Tokenizer> {
  const tok = await baseTokenizer(cfg, configDir);
  if (cfg.chat_template === undefined) return tok;
  const { withChatTemplate } = await import('../tokenizer/chatTemplate');
  return withChatTemplate(tok, cfg.chat_template, configDir);
}

async function baseTokenizer(cfg: ExperimentConfig, configDir: string): Promise<Tokenizer> {
  const fromDir = cfg.model.from !== 'scratch' ? resolve(configDir, cfg.model.from) : undefined;
  if (cfg.tokenizer === 'bytes' && !fromDir) return new ByteTokenizer();
  const { loadTokenizer } = await import('../tokenizer/load');
  const { readPairs } = await import('../data/dataset');
  return loadTokenizer(cfg.tokenizer, {
    configDir,
    modelDir: fromDir,
    trainTexts: async () => {
      const r = await readPairs(resolve(configDir, cfg.data.train), cfg.data.train, { format: cfg.data.format, skipInvalid: true, limit: cfg.data.limit });
      return r.pairs.flatMap((p) => [p.prompt + p.chosen, p.rejected]);
    },
  });
}

/**
 * The model shape the run will train, for `backend: auto`'s timing: the model's config.json (scratch,
 * the configured directory, or the checkpoint resumed), pairs per step and the longest row. Undefined
 * when the config cannot be read here; loading the model reports that in words later.
 */
export async function runShape(cfg: ExperimentConfig, configDir: string, tok: Tokenizer, checkpoint: string | undefined): Promise<RunShape | undefined> {
  try {
    const config = cfg.model.from === 'scratch' && !checkpoint ? scratchGpt2Config(cfg.model, tok.vocabSize, tok.eosId, specialIdsOf(tok)) : await readHfConfig(checkpoint ?? resolve(configDir, cfg.model.from));
    const context = [config.n_positions, config.max_position_embeddings].find((x): x is number => typeof x === 'number') ?? cfg.data.max_length;
    return { config, pairs: cfg.train.batch_size, T: Math.min(cfg.data.max_length, context), method: cfg.method, checkpointing: cfg.train.gradient_checkpointing };
  } catch {
    return undefined;
  }
}

/**
 * The model to train: from a checkpoint when resuming, else scratch or the configured HF directory.
 * `frozen` (DPO's reference) never gets an adapter.
 */
export async function buildModel(cfg: ExperimentConfig, configDir: string, tok: Tokenizer, checkpoint: string | undefined, frozen = false): Promise<CausalLM> {
  const lora = !frozen && (cfg.adapter !== undefined || cfg.model.adapter !== undefined);
  // Weights that will not train (a LoRA base, the DPO reference) stay 16-bit if the checkpoint is (ops/half.ts).
  const keep16 = (lora || frozen) && cfg.model.frozen_dtype !== 'float32';
  const model = await loadOrCreate(cfg, configDir, tok, lora ? undefined : checkpoint, keep16);
  model.gradientCheckpointing = cfg.train.gradient_checkpointing;
  if (!lora) return model;
  try {
    await withAdapter(model, cfg, configDir, checkpoint);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** A line saying which frozen weights stay 16-bit, or undefined when none do. */
export function frozenNote(model: CausalLM): string | undefined {
  const halves = [...model.halves.values()];
  if (halves.length === 0) return undefined;
  const n = halves.reduce((a, h) => a + h.size, 0);
  return `frozen weights: ${n.toLocaleString('en-US')} parameters kept ${halves[0]?.format} (${(2 * n / 2 ** 20).toFixed(1)} MiB, half of float32; model.frozen_dtype: float32 converts them)`;
}

/** Attaches the run's LoRA adapter: the checkpoint's when resuming, `model.adapter`'s, or a fresh one. */
async function withAdapter(model: CausalLM, cfg: ExperimentConfig, configDir: string, checkpoint: string | undefined): Promise<void> {
  if (cfg.model.from === 'scratch') throw new Error('adapter: LoRA adapts a pretrained model; set model.from to a Hugging Face model directory');
  const a = cfg.adapter;
  const from = checkpoint ?? (cfg.model.adapter === undefined ? undefined : resolve(configDir, cfg.model.adapter));
  const lora = from ? await readAdapter(from, model) : createLora(model, { r: a?.r ?? 8, alpha: a?.alpha ?? 8, dropout: a?.dropout ?? 0, ...(a?.target_modules ? { targets: a.target_modules } : {}) }, cfg.seed);
  if (from && a) {
    const s = lora.settings;
    if (s.r !== a.r || s.alpha !== a.alpha) {
      lora.dispose();
      throw new Error(`${from}/adapter_config.json: r ${s.r} and lora_alpha ${s.alpha}, but the config's adapter: section says r ${a.r} and alpha ${a.alpha}; make them agree (or remove adapter: to use the adapter's own)`);
    }
    lora.settings.dropout = a.dropout;
  }
  lora.base = resolve(configDir, cfg.model.from);
  attachLora(model, lora);
}

async function loadOrCreate(cfg: ExperimentConfig, configDir: string, tok: Tokenizer, checkpoint: string | undefined, keep16: boolean): Promise<CausalLM> {
  if (cfg.model.from === 'scratch' && !checkpoint) return createScratchGpt2(cfg.model, tok.vocabSize, tok.eosId, cfg.seed, specialIdsOf(tok));
  const dir = checkpoint ?? resolve(configDir, cfg.model.from);
  const { model } = await loadModelDir(dir, { keep16 });
  if (tok.vocabSize > model.config.vocab_size) {
    model.dispose();
    throw new Error(`${dir}: the tokenizer has ${tok.vocabSize} ids but the model's embedding has ${model.config.vocab_size} rows; use the model's own tokenizer (tokenizer: bytes uses the directory's tokenizer.json)`);
  }
  return model;
}

/** Greedy completions of the fixed eval prompts, for `sample` events at each eval. */
export function makeSampler(model: CausalLM, tok: Tokenizer, prompts: readonly string[], cfg: ExperimentConfig) {
  const chosen = prompts.slice(0, cfg.train.eval_samples);
  if (chosen.length === 0) return undefined;
  return async (_step: number): Promise<{ prompt: string; completion: string }[]> => {
    const { generate } = await import('../generate/generate');
    const out: { prompt: string; completion: string }[] = [];
    for (const prompt of chosen) {
      const ids = tok.encode(prompt).slice(-Math.floor(model.context / 2));
      const completion = await generate(model, tok, ids, { maxNewTokens: Math.min(64, Math.floor(model.context / 2)), greedy: true });
      out.push({ prompt, completion });
    }
    return out;
  };
}

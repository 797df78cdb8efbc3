// Autoregressive generation from a CausalLM: the prompt is run once, then one token at a time, reusing
// the keys and values of earlier positions (the model's `step`, a KV cache) when the model has one and
// running the whole sequence again when it does not. Greedy or temperature/top-p sampling (sampling.ts).
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../data/rng';
import type { CausalLM, KvCache } from '../model/types';
import { renderChat } from '../tokenizer/chat';
import type { Tokenizer } from '../tokenizer/types';
import { pickToken, type Decoding } from './sampling';

export interface GenerateOptions {
  maxNewTokens: number;
  decoding: Decoding;
  /** Seed of the sampling draws. */
  seed?: number;
  /** Generation stops after any of these (not included in the result); default: none. */
  stopIds?: readonly number[];
  /** Use the model's KV cache when it has one (default true). */
  useCache?: boolean;
}

/** The last position's logits [V] of logits [1, T, V]. */
function lastRow(logits: tf.Tensor3D): tf.Tensor1D {
  const [, T, V] = logits.shape;
  return tf.reshape(tf.slice(logits, [0, T - 1, 0], [1, 1, V]), [V]); // [V]
}

function disposeCache(old: KvCache | undefined, next: KvCache): void {
  if (!old) return;
  const keep = new Set(next.layers.flatMap((l) => [l.k, l.v]));
  for (const l of old.layers) for (const t of [l.k, l.v]) if (!keep.has(t)) t.dispose();
}

/**
 * Generates up to maxNewTokens ids after `prompt` (ids), within the model's context. A prompt that does
 * not fit keeps its last context-1 tokens. Returns the new ids, without the stop id.
 */
export async function generateIds(model: CausalLM, prompt: readonly number[], opts: GenerateOptions): Promise<number[]> {
  if (prompt.length === 0) throw new Error('generate: the prompt has no tokens');
  const rng = new Rng(opts.seed ?? 0);
  const stop = new Set(opts.stopIds ?? []);
  const cached = (opts.useCache ?? true) && model.step !== undefined;
  let seq = prompt.slice(-(model.context - 1));
  const out: number[] = [];
  let cache: KvCache | undefined;
  try {
    let feed = seq; // what the next forward reads: the whole prompt first, then one token (cached)
    while (out.length < opts.maxNewTokens && seq.length < model.context) {
      const ids = tf.tensor2d([feed.slice()], [1, feed.length], 'int32');
      let row: tf.Tensor1D;
      if (cached) {
        const before = cache;
        const [r, ...kv] = tf.tidy(() => {
          const res = (model.step as NonNullable<CausalLM['step']>)(ids, before);
          return [lastRow(res.logits), ...res.cache.layers.flatMap((l) => [l.k, l.v])];
        }) as tf.Tensor[];
        const layers: { k: tf.Tensor3D; v: tf.Tensor3D }[] = [];
        for (let i = 0; i < kv.length; i += 2) layers.push({ k: kv[i] as tf.Tensor3D, v: kv[i + 1] as tf.Tensor3D });
        cache = { length: (before?.length ?? 0) + feed.length, layers };
        disposeCache(before, cache);
        row = r as tf.Tensor1D;
      } else {
        row = tf.tidy(() => lastRow(model.forward(ids)));
      }
      ids.dispose();
      const logits = await row.data();
      row.dispose();
      const next = pickToken(logits, opts.decoding, rng);
      if (stop.has(next)) break;
      out.push(next);
      seq = [...seq, next];
      feed = cached ? [next] : seq;
    }
  } finally {
    if (cache) for (const l of cache.layers) { l.k.dispose(); l.v.dispose(); }
  }
  return out;
}

export interface GenerateTextOptions extends Omit<GenerateOptions, 'stopIds'> {
  /** Render the prompt as one user turn with the tokenizer's chat template (+ generation prompt). */
  chat?: boolean;
}

/** Generates a completion for a text prompt; stops at the tokenizer's end-of-sequence token. */
export async function generateText(model: CausalLM, tokenizer: Tokenizer, prompt: string, opts: GenerateTextOptions): Promise<{ text: string; ids: number[]; promptIds: number[] }> {
  const tok = tokenizer as Tokenizer & { bosToken?: string; eosToken?: string };
  if (opts.chat && tokenizer.chatTemplateError !== undefined) throw new Error(tokenizer.chatTemplateError);
  const text = opts.chat ? renderChat([{ role: 'user', content: prompt }], { template: tokenizer.chatTemplate, addGenerationPrompt: true, bosToken: tok.bosToken, eosToken: tok.eosToken }) : prompt;
  const promptIds = tokenizer.encode(text);
  const ids = await generateIds(model, promptIds, { ...opts, stopIds: [tokenizer.eosId] });
  return { text: tokenizer.decode(ids), ids, promptIds };
}

/** Convenience for the trainer's eval samples: the decoded completion of prompt ids (stops at EOS). */
export async function generate(model: CausalLM, tokenizer: Tokenizer, promptIds: readonly number[], opts: { maxNewTokens: number; greedy?: boolean; temperature?: number; topP?: number; seed?: number }): Promise<string> {
  const decoding: Decoding = opts.greedy !== false && opts.temperature === undefined && opts.topP === undefined ? { kind: 'greedy' } : { kind: 'sample', temperature: opts.temperature ?? 1, topP: opts.topP ?? 1 };
  const ids = await generateIds(model, promptIds, { maxNewTokens: opts.maxNewTokens, decoding, seed: opts.seed, stopIds: [tokenizer.eosId] });
  return tokenizer.decode(ids);
}

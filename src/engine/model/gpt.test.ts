// GPT-2 against Hugging Face transformers: the logits of test/fixtures/hf/tiny-gpt2 (made by
// scripts/reference/make_fixtures.py with transformers 5.17) must match to 1e-4; plus the KV-cache
// path and seeded initialisation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../testing/tf';
import { readSafetensors } from '../hf/safetensors';
import { createGpt2, createScratchGpt2, gpt2Dims, initGpt2, scratchGpt2Config } from './gpt';
import { initLlama } from './llama';
import { llamaDims } from './llamaConfig';
import type { HfConfig } from './types';

const dir = new URL('../../../test/fixtures/hf/tiny-gpt2/', import.meta.url).pathname;

async function loadFixture() {
  const config = JSON.parse(readFileSync(dir + 'config.json', 'utf8')) as HfConfig;
  const weights = new Map<string, tf.Tensor>();
  for await (const [name, t] of readSafetensors(dir + 'model.safetensors')) weights.set(name, tf.tensor(t.data, t.shape));
  const model = createGpt2(config, weights);
  tf.dispose([...weights.values()]);
  const ref = JSON.parse(readFileSync(dir + 'reference.json', 'utf8')) as { input_ids: number[][]; logits: number[]; shape: number[] };
  return { model, ref };
}

test('GPT-2 logits match transformers to 1e-4', async () => {
  await useCpu();
  const { model, ref } = await loadFixture();
  const got = tf.tidy(() => model.forward(tf.tensor2d(ref.input_ids, undefined, 'int32')).dataSync());
  assert.equal(got.length, ref.logits.length);
  let worst = 0;
  ref.logits.forEach((v, i) => { worst = Math.max(worst, Math.abs((got[i] as number) - v)); });
  assert.ok(worst < 1e-4, `max |Δlogit| = ${worst}`);
  model.dispose();
});

test('GPT-2 incremental decoding with a KV cache gives the full forward pass logits', async () => {
  await useCpu();
  const { model, ref } = await loadFixture();
  const ids = ref.input_ids;
  const full = tf.tidy(() => model.forward(tf.tensor2d(ids, undefined, 'int32')).arraySync());
  const step = model.step?.bind(model);
  assert.ok(step, 'GPT-2 implements step');
  let cache;
  const T = (ids[0] as number[]).length;
  const first = step(tf.tensor2d(ids.map((r) => r.slice(0, 5)), undefined, 'int32'), undefined);
  cache = first.cache;
  const rest: number[][][][] = [first.logits.arraySync()];
  for (let t = 5; t < T; t++) {
    const out = step(tf.tensor2d(ids.map((r) => [r[t] as number]), undefined, 'int32'), cache);
    tf.dispose(cache.layers.flatMap((l) => [l.k, l.v]));
    cache = out.cache;
    rest.push(out.logits.arraySync());
  }
  for (let b = 0; b < ids.length; b++) {
    const seq = rest.flatMap((chunk) => chunk[b] as number[][]);
    seq.forEach((row, t) => row.forEach((v, j) => assert.ok(Math.abs(v - (full[b]?.[t]?.[j] as number)) < 1e-4, `b${b} t${t} v${j}`)));
  }
  model.dispose();
});

test('scratch initialisation is seeded: same seed, same weights; other seed, other weights', async () => {
  await useCpu();
  const m = { from: 'scratch', layers: 1, d_model: 16, heads: 2, context: 8 };
  const a = createScratchGpt2(m, 20, 19, 7), b = createScratchGpt2(m, 20, 19, 7), c = createScratchGpt2(m, 20, 19, 8);
  const w = (x: typeof a) => Array.from((x.params.get('transformer.h.0.attn.c_attn.weight') as tf.Variable).dataSync());
  assert.deepEqual(w(a), w(b));
  assert.notDeepEqual(w(a), w(c));
  [a, b, c].forEach((x) => x.dispose());
});

void test('initialisation is reproducible for every seed, 0 included (tfjs takes a seed of 0 as none)', async () => {
  await useCpu();
  const D = gpt2Dims(scratchGpt2Config({ from: 'scratch', layers: 1, d_model: 16, heads: 2, context: 8 }, 20, 19));
  for (const seed of [0, 1]) {
    const [a, b] = [initGpt2(D, seed), initGpt2(D, seed)];
    for (const [name, t] of a) assert.deepEqual(t.dataSync(), b.get(name)?.dataSync(), `gpt2 seed ${seed}: ${name}`);
    tf.dispose([...a.values(), ...b.values()]);
  }
  const L = llamaDims({ architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 20, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, max_position_embeddings: 8 });
  const [a, b] = [initLlama(L, 0), initLlama(L, 0)];
  for (const [name, t] of a) assert.deepEqual(t.dataSync(), b.get(name)?.dataSync(), `llama seed 0: ${name}`);
  tf.dispose([...a.values(), ...b.values()]);
});

// GPT-2 against Hugging Face transformers: the logits of test/fixtures/hf/tiny-gpt2 (made by
// scripts/reference/make_fixtures.py with transformers 5.17) must match to 1e-4; plus the KV-cache
// path and seeded initialisation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../testing/tf';
import { readSafetensors } from '../hf/safetensors';
import { createGpt2, createScratchGpt2 } from './gpt';
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

// Generation: nucleus filtering against hand-computed probabilities, seeded sampling frequencies, and
// the KV cache: step-by-step logits equal the full forward pass, and cached and uncached greedy
// generation give the same tokens (Llama/Qwen2 with grouped-query attention, and GPT-2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../testing/tf';
import { Rng } from '../data/rng';
import { createLlama } from '../model/llama';
import { createGpt2, gpt2Dims, gpt2Shapes } from '../model/gpt';
import type { CausalLM, HfConfig } from '../model/types';
import { argmax, nucleus, pickToken } from './sampling';
import { generateIds } from './generate';

void test('nucleus keeps the smallest most-probable set reaching top_p, renormalised', () => {
  const logits = [Math.log(0.2), Math.log(0.5), Math.log(0.3)];
  const a = nucleus(logits, 1, 0.75);
  assert.deepEqual(a.ids, [1, 2]);
  a.probs.forEach((p, i) => assert.ok(Math.abs(p - [0.5 / 0.8, 0.3 / 0.8][i]!) < 1e-12));
  assert.deepEqual(nucleus(logits, 1, 0.5).ids, [1]);
  // Temperature 2 takes square roots of the probabilities before normalising.
  const t = nucleus(logits, 2, 1);
  const s = Math.sqrt(0.2) + Math.sqrt(0.5) + Math.sqrt(0.3);
  t.ids.forEach((id, i) => assert.ok(Math.abs(t.probs[i]! - Math.sqrt([0.2, 0.5, 0.3][id]!) / s) < 1e-12));
  assert.equal(argmax([1, 3, 3, 2]), 1);
});

void test('seeded sampling draws tokens at their probabilities and repeats with the seed', () => {
  const logits = [Math.log(0.1), Math.log(0.6), Math.log(0.3)];
  const draw = (seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: 20000 }, () => pickToken(logits, { kind: 'sample', temperature: 1, topP: 1 }, rng));
  };
  const xs = draw(5);
  [0.1, 0.6, 0.3].forEach((p, id) => {
    const f = xs.filter((x) => x === id).length / xs.length;
    assert.ok(Math.abs(f - p) < 0.015, `token ${id}: frequency ${f}, probability ${p}`);
  });
  assert.deepEqual(draw(5).slice(0, 50), xs.slice(0, 50));
  assert.notDeepEqual(draw(6).slice(0, 50), xs.slice(0, 50));
});

const qwenConfig: HfConfig = {
  architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', vocab_size: 50, hidden_size: 32, intermediate_size: 48,
  num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 40,
  rope_theta: 10000, rms_norm_eps: 1e-6, tie_word_embeddings: true, initializer_range: 0.4,
};

// Seeds from 1: tfjs treats a seed of 0 as no seed (Math.random), which made this model differ per run.
function randomGpt2(): CausalLM {
  const config: HfConfig = { architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: 50, n_positions: 40, n_embd: 32, n_layer: 2, n_head: 4 };
  const w = new Map<string, tf.Tensor>();
  gpt2Shapes(gpt2Dims(config)).forEach(([name, shape], i) => w.set(name, tf.add(tf.randomNormal(shape, 0, name.includes('ln_') ? 0.1 : 0.4, 'float32', i + 1), name.includes('ln_') && name.endsWith('weight') ? 1 : 0)));
  const m = createGpt2(config, w);
  tf.dispose([...w.values()]);
  return m;
}

for (const [name, make] of [['Qwen2 (GQA, biases)', () => createLlama(qwenConfig, undefined, 3)], ['Llama (untied)', () => createLlama({ ...qwenConfig, architectures: ['LlamaForCausalLM'], model_type: 'llama', tie_word_embeddings: false }, undefined, 4)], ['GPT-2', randomGpt2]] as const) {
  void test(`${name}: KV-cache steps give the full-forward logits and the same greedy tokens`, async () => {
    await useCpu();
    const model = make();
    try {
      const ids = [3, 17, 5, 42, 8, 8, 21, 0, 13];
      const full = tf.tidy(() => model.forward(tf.tensor2d([ids], undefined, 'int32')).arraySync()[0]!);
      // Prompt of 4 tokens in one step, then one token at a time.
      assert.ok(model.step, 'model has a cached path');
      let cache = undefined as Parameters<NonNullable<CausalLM['step']>>[1];
      const rows: number[][] = [];
      for (const chunk of [ids.slice(0, 4), ...ids.slice(4).map((i) => [i])]) {
        const r = model.step!(tf.tensor2d([chunk], undefined, 'int32'), cache);
        rows.push(...(r.logits.arraySync()[0] as number[][]));
        cache = r.cache;
      }
      assert.equal(cache!.length, ids.length);
      let worst = 0;
      rows.forEach((row, t) => row.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - full[t]![j]!)); }));
      assert.ok(worst < 1e-4, `max |Δlogit| ${worst}`);
      const withCache = await generateIds(model, [1, 2, 3], { maxNewTokens: 20, decoding: { kind: 'greedy' } });
      const before = tf.memory().numTensors; // after a first run: the models cache their causal masks
      assert.deepEqual(await generateIds(model, [1, 2, 3], { maxNewTokens: 20, decoding: { kind: 'greedy' } }), withCache);
      assert.equal(tf.memory().numTensors, before, 'no tensors leak from generation');
      const without = await generateIds(model, [1, 2, 3], { maxNewTokens: 20, decoding: { kind: 'greedy' }, useCache: false });
      assert.deepEqual(withCache, without);
      assert.equal(withCache.length, 20);
      assert.ok(new Set(withCache).size > 1, `a non-trivial continuation: ${withCache}`);
      const stopped = await generateIds(model, [1, 2, 3], { maxNewTokens: 20, decoding: { kind: 'greedy' }, stopIds: [withCache[5]!] });
      assert.deepEqual(stopped, withCache.slice(0, withCache.indexOf(withCache[5]!)));
      const sampled = await generateIds(model, [1, 2, 3], { maxNewTokens: 10, decoding: { kind: 'sample', temperature: 1, topP: 0.9 }, seed: 1 });
      assert.deepEqual(await generateIds(model, [1, 2, 3], { maxNewTokens: 10, decoding: { kind: 'sample', temperature: 1, topP: 0.9 }, seed: 1, useCache: false }), sampled);
      const long = await generateIds(model, [1, 2, 3], { maxNewTokens: 100, decoding: { kind: 'greedy' } });
      assert.equal(long.length, model.context - 3, 'stops at the context length');
    } finally {
      model.dispose();
    }
  });
}

// Gradient checkpointing (checkpoint.ts) on the native backend: the gradients of every parameter
// of a GPT-2 and of a Llama with GQA (untied, and tied as SmolLM2) equal those without checkpointing, and the peak of bytes the
// backend holds during forward + backward is lower (measured by the backend's own byte count).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { nativeMemory } from '../backend/native/cpuBackend';
import { collate } from '../data/batch';
import { gradients, toTensors, disposeBatch } from '../train/step';
import { createScratchGpt2 } from './gpt';
import { createLlama } from './llama';
import type { CausalLM } from './types';

const V = 97, T = 32;
const pairs = Array.from({ length: 2 }, (_, p) => ({
  prompt: Array.from({ length: T / 2 }, (_, i) => (i * 5 + p) % (V - 1)),
  chosen: Array.from({ length: T / 2 }, (_, i) => (i * 7 + p) % (V - 1)),
  rejected: Array.from({ length: T / 2 }, (_, i) => (i * 3 + 1) % (V - 1)),
}));

/** Gradients by name and the backend's peak bytes during the step. */
function run(model: CausalLM, ckpt: boolean): { grads: Map<string, Float32Array>; peak: number } {
  model.gradientCheckpointing = ckpt;
  const bt = toTensors(collate(pairs, { padId: V - 1 }));
  const mem = nativeMemory();
  assert.ok(mem, 'the native backend is active');
  mem.backend.resetPeak();
  const g = gradients(model, bt, { method: 'orpo', lambda: 0.1, nllOnPrompt: true });
  const peak = mem.backend.peak - mem.backend.live; // above what is held before and after
  const grads = new Map([...g.grads].map(([n, t]) => [n, t.dataSync() as Float32Array]));
  tf.dispose([...g.grads.values(), g.metrics]);
  disposeBatch(bt);
  return { grads, peak: peak + 0 };
}

function compare(model: CausalLM, what: string): void {
  const plain = run(model, false);
  const ck = run(model, true);
  assert.equal(ck.grads.size, model.params.size, `${what}: a gradient for every parameter`);
  for (const [n, g] of plain.grads) {
    const c = ck.grads.get(n) as Float32Array;
    let worst = 0;
    for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs((g[i] as number) - (c[i] as number)) / Math.max(1e-3, Math.abs(g[i] as number)));
    assert.ok(worst < 1e-4, `${what}: ${n} differs by ${worst} (relative)`);
  }
  assert.ok(ck.peak < plain.peak, `${what}: peak ${ck.peak} B with checkpointing, ${plain.peak} B without`);
}

test('GPT-2: checkpointed gradients equal plain ones, with a lower peak', async () => {
  await selectBackend('native');
  const model = createScratchGpt2({ from: 'scratch', layers: 4, d_model: 32, heads: 4, context: T }, V, V - 1, 3);
  compare(model, 'GPT-2');
  model.dispose();
});

for (const tied of [false, true]) {
  test(`Llama (GQA, ${tied ? 'tied as SmolLM2' : 'untied'}): checkpointed gradients equal plain ones, with a lower peak`, async () => {
    await selectBackend('native');
    const model = createLlama({
      architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: V, hidden_size: 32, intermediate_size: 64,
      num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: T, rms_norm_eps: 1e-5,
      rope_theta: 10000, tie_word_embeddings: tied,
    }, undefined, 5);
    compare(model, `Llama${tied ? ' (tied)' : ''}`);
    model.dispose();
  });
}

// The freeing backward pass (backprop.ts) against tfjs's own (tf.grads, tf.variableGrads), which is
// independent of it: the same gradients to the bit, on small graphs with a tensor used twice, a custom
// gradient that passes its dy through or gives one tensor to two inputs, an x y does not depend on, a
// caller's dy; and on whole training steps of a GPT-2 and a Llama with grouped-query heads, plain, with
// gradient checkpointing and with LoRA, on the native backend, where the peak of bytes the backend
// holds must be lower than tfjs's pass and no tensor may be left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { CustomGradientFunc } from '@tensorflow/tfjs-core/dist/engine';
import { selectBackend } from '../backend/select';
import { nativeMemory } from '../backend/native/cpuBackend';
import { collate } from '../data/batch';
import { attachLora, createLora } from '../model/lora';
import { createScratchGpt2 } from '../model/gpt';
import { createLlama } from '../model/llama';
import type { CausalLM } from '../model/types';
import { disposeBatch, gradients as stepGradients, toTensors, type Backprop } from '../train/step';
import { gradients } from './backprop';

const same = (a: tf.Tensor | null, b: tf.Tensor | null, what: string): void => {
  assert.ok(a && b, `${what}: both gradients exist`);
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()), `${what}: values`);
};

test('small graphs: the gradients of tf.grads, a caller\'s dy kept, intermediates freed, null for an unused x', async () => {
  await selectBackend('cpu');
  const x = tf.tensor2d([[0.3, -1.2, 2], [0.7, 0.1, -0.4]]);
  const w = tf.tensor2d([[1, -0.5], [0.25, 2], [-1, 0.75]]);
  const unused = tf.scalar(3);
  const dy = tf.tensor2d([[1, -2], [0.5, 3]]);
  // A tensor used twice (x), a pass-through custom gradient, and one that gives one tensor to both inputs.
  const through = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => (save([]), { value: tf.mul(a, 1), gradFunc: (g: tf.Tensor | tf.Tensor[]) => [g as tf.Tensor] })) as unknown as CustomGradientFunc<tf.Tensor>);
  const both = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => (save([]), { value: tf.add(a, b), gradFunc: (g: tf.Tensor | tf.Tensor[]) => { const t = tf.mul(g as tf.Tensor, 2); return [t, t]; } })) as unknown as CustomGradientFunc<tf.Tensor>);
  const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
    const h = tf.tanh(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)); // [2, 2]
    const s = tf.sum(tf.mul(a, a), 1, true); // [2, 1]
    return both(through(tf.mul(h, s)), tf.mul(h, 0.5)); // [2, 2]
  };
  const before = tf.memory().numTensors;
  const want = tf.grads(f)([x, w], dy);
  const got = gradients(() => f(x, w), [x, w, unused], dy);
  same(got.grads[0] ?? null, want[0] ?? null, 'dx');
  same(got.grads[1] ?? null, want[1] ?? null, 'dw');
  assert.equal(got.grads[2], null, 'no gradient for an x the result does not use');
  assert.equal(dy.isDisposed, false, 'the caller\'s dy is left to the caller');
  assert.deepEqual(got.value.shape, [2, 2]);
  tf.dispose([...want, got.value, ...got.grads.filter((g): g is tf.Tensor => g !== null)]);
  assert.equal(tf.memory().numTensors, before, 'nothing left behind');
  tf.dispose([x, w, unused, dy]);
});

const V = 97, T = 32;
const pairs = Array.from({ length: 2 }, (_, p) => ({
  prompt: Array.from({ length: T / 2 }, (_, i) => (i * 5 + p) % (V - 1)),
  chosen: Array.from({ length: T / 2 - p }, (_, i) => (i * 7 + p) % (V - 1)), // rows of two lengths: padding
  rejected: Array.from({ length: T / 2 }, (_, i) => (i * 3 + 1) % (V - 1)),
}));

const tfjsPass: Backprop = (f, vars) => tf.variableGrads(f, vars);

/** Gradients by name, the backend's peak above what it held before, and the tensors left behind, of one step. */
function step(model: CausalLM, backprop?: Backprop): { grads: Map<string, tf.Tensor>; peak: number; leaked: number } {
  const mem = nativeMemory();
  assert.ok(mem, 'the native backend is active');
  const bt = toTensors(collate(pairs, { padId: V - 1 }));
  const n0 = tf.memory().numTensors;
  mem.backend.resetPeak();
  const base = mem.backend.live;
  const g = stepGradients(model, bt, { method: 'orpo', lambda: 0.1, nllOnPrompt: true }, backprop);
  const peak = mem.backend.peak - base;
  g.metrics.dispose();
  const leaked = tf.memory().numTensors - n0 - g.grads.size;
  disposeBatch(bt);
  return { grads: g.grads, peak, leaked };
}

function compare(model: CausalLM, what: string): void {
  tf.dispose([...step(model).grads.values()]); // a first step fills the model's caches (RoPE tables)
  const ours = step(model);
  const theirs = step(model, tfjsPass);
  assert.equal(ours.grads.size, theirs.grads.size, `${what}: as many gradients`);
  for (const [n, g] of theirs.grads) same(ours.grads.get(n) ?? null, g, `${what}: ${n}`);
  assert.equal(ours.leaked, 0, `${what}: tensors left behind`);
  assert.equal(theirs.leaked, 0, `${what}: tensors left behind by tfjs's pass`);
  assert.ok(ours.peak < theirs.peak, `${what}: peak ${ours.peak} B freeing as it goes, ${theirs.peak} B with tfjs's pass`);
  console.log(`# ${what}: peak ${(ours.peak / 2 ** 20).toFixed(2)} MiB freeing as it goes, ${(theirs.peak / 2 ** 20).toFixed(2)} MiB with tf.variableGrads`);
  tf.dispose([...ours.grads.values(), ...theirs.grads.values()]);
}

const gpt2 = (): CausalLM => createScratchGpt2({ from: 'scratch', layers: 3, d_model: 32, heads: 4, context: T }, V, V - 1, 3);
const llama = (): CausalLM => createLlama({
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: V, hidden_size: 32, intermediate_size: 64,
  num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: T, rms_norm_eps: 1e-5,
  rope_theta: 10000, tie_word_embeddings: true,
}, undefined, 5);

for (const [name, make] of [['GPT-2', gpt2], ['Llama (GQA, tied)', llama]] as const) {
  for (const mode of ['plain', 'checkpointing', 'LoRA'] as const) {
    test(`${name}, ${mode}: a step's gradients equal tf.variableGrads's, at a lower peak, nothing left behind`, async () => {
      await selectBackend('native');
      const model = make();
      model.gradientCheckpointing = mode === 'checkpointing';
      if (mode === 'LoRA') {
        const lora = createLora(model, { r: 4, alpha: 8, dropout: 0, targets: 'all-linear' }, 9);
        attachLora(model, lora);
        for (const m of lora.modules) { const B = lora.pair(m)?.B as tf.Variable; B.assign(tf.randomNormal(B.shape, 0, 0.05, 'float32', 4)); }
      }
      compare(model, `${name}, ${mode}`);
      model.dispose();
    });
  }
}

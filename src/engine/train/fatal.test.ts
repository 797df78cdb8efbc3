// The words of an out-of-memory failure (issue 13 §5): the step, the last checkpoint, the memory plan's
// estimate against the backend's limit, and the changes that fit, for GPT-2-small's shape on the wasm
// heap (the crash) and for a run the plan thought would fit. The trainer's trap test
// (trainer.test.ts) checks the same words come out of a real WebAssembly fault during a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoraShape } from '../../server/service/memoryPlan';
import { isMemoryFault, memoryFaultMessage, planFor, type RunForPlan } from './fatal';

// GPT-2-small's config.json fields (transformers' GPT2Config defaults).
const gpt2Small = { model_type: 'gpt2', vocab_size: 50257, n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024 };
interface Opts { modelConfig?: Record<string, unknown>; backend?: string; batchSize?: number; maxLength?: number; lora?: LoraShape; frozen16?: boolean; pretrained?: boolean }
const run = (o: Opts = {}): RunForPlan => ({
  modelConfig: o.modelConfig ?? gpt2Small, backend: o.backend ?? 'wasm', pretrained: o.pretrained ?? true,
  shape: { rows: 2 * (o.batchSize ?? 2), T: o.maxLength ?? 512, checkpointing: false, reference: false, frozen16: o.frozen16 ?? false, ...(o.lora ? { lora: o.lora } : {}) },
});

void test("GPT-2-small at seq 512 × 2 pairs on wasm: over the heap's 4 GiB, and the changes name the native backend", () => {
  const plan = planFor(run());
  assert.ok(plan);
  // Weights and two AdamW moments are 3 × 124.4M × 4 bytes; at the peak, the backward pass's first moment,
  // the only gradient yet is the tied head's, 50257 × 768 × 4 bytes; activations and logits add more.
  assert.equal(plan.estimate.weights + plan.estimate.optimizer, 3 * 124439808 * 4);
  assert.equal(plan.estimate.grads, 50257 * 768 * 4);
  assert.ok(plan.estimate.total > 4 * 2 ** 30);
  const msg = memoryFaultMessage(new Error('Aborted(). Build with -sASSERTIONS for more info.'), 7, '/r/checkpoints/checkpoint-5', plan);
  assert.match(msg, /^out of memory at step 7: .*\(Aborted\(\)\. Build with -sASSERTIONS for more info\.\).* The last good checkpoint is \/r\/checkpoints\/checkpoint-5\./);
  assert.match(msg, /The memory plan estimated a peak of [\d.]+ GiB: weights 0\.46 GiB, AdamW state 0\.93 GiB, gradients 0\.14 GiB, activations [\d.]+ GiB, logits [\d.]+ GiB, more than the wasm heap \(4 GiB, a 32-bit address space\)\. Changes that fit: /);
  assert.match(msg, /backend: native \(no 4 GiB heap/);
  assert.ok(!/Aborted\(\)\s*$/.test(msg), 'never a bare Aborted()');
});

void test('a run the plan thought would fit: the words say so and list changes that cut the peak, LoRA first', () => {
  const plan = planFor(run({ backend: 'native', batchSize: 1, maxLength: 64 }));
  assert.ok(plan && plan.estimate.total < plan.limit.bytes);
  const msg = memoryFaultMessage(new RangeError('Array buffer allocation failed'), 3, undefined, plan);
  assert.match(msg, /within system memory \([\d.]+ GiB\) \(the estimate fell short, or other allocations took the rest\)\. Changes that cut the estimated peak by a quarter or more: adapter: \{type: lora, r: 16, alpha: 16, target_modules: all-linear\} \([\d.]+ GiB: the weights frozen/);
  assert.match(msg, /No checkpoint was written yet\. .* Change the config and run again\.$/);
  // With LoRA already on, it is not suggested again; nor for a model trained from scratch.
  const lora = { r: 16, targets: 'all-linear' as const };
  assert.ok(!/adapter: \{type: lora/.test(memoryFaultMessage(new Error('out of memory'), 3, undefined, planFor(run({ backend: 'native', batchSize: 1, maxLength: 64, lora })))));
  assert.ok(!/adapter: \{type: lora/.test(memoryFaultMessage(new Error('out of memory'), 3, undefined, planFor(run({ backend: 'native', batchSize: 1, maxLength: 64, pretrained: false })))));
});

void test('a LoRA run on 16-bit frozen weights is planned as such: the adapter\'s gradients and moments, 2 bytes per frozen matrix value', () => {
  const plan = planFor(run({ backend: 'native', lora: { r: 16, targets: 'all-linear' }, frozen16: true }));
  assert.ok(plan);
  // GPT-2-small, r 16 on c_attn (768→2304), attn.c_proj (768→768), c_fc (768→3072), mlp.c_proj (3072→768): r·(in + out) per block, 12 blocks.
  const trained = 12 * 16 * ((768 + 2304) + (768 + 768) + (768 + 3072) + (3072 + 768));
  assert.equal(plan.estimate.optimizer, 2 * trained * 4);
  assert.equal(plan.estimate.grads, trained * 4);
  const matrices = 50257 * 768 + 12 * 12 * 768 * 768; // embeddings and linear weights; the rest (positions, norms, biases) float32
  assert.equal(plan.estimate.weights, (124439808 - matrices) * 4 + matrices * 2 + trained * 4);
});

void test('faults are recognised by kind and message; other errors are not memory faults', () => {
  assert.ok(isMemoryFault(new RangeError('Array buffer allocation failed')));
  assert.ok(isMemoryFault(new Error('Aborted(). Build with -sASSERTIONS')));
  assert.ok(!isMemoryFault(new Error('ENOSPC: no space left on device')));
  // A model the plan cannot read (no dimensions): the words fall back to the generic advice.
  assert.equal(planFor(run({ modelConfig: { model_type: 'bert' } })), undefined);
  assert.match(memoryFaultMessage(new Error('out of memory'), 1, undefined, undefined), /Lower train\.batch_size or data\.max_length/);
});

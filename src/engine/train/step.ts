// One training step's computation: the concatenated forward pass over chosen and rejected rows,
// the preference loss, and the gradients of every trainable parameter. Shared by the trainer, the
// evaluator and `orpo-lab bench`. Everything runs inside tf.tidy; only the returned tensors survive.
import * as tf from '@tensorflow/tfjs-core';
import { collate, type CollatedBatch } from '../data/batch';
import type { TokenizedPair } from '../data/tokenize';
import { Lora, trainableParams } from '../model/lora';
import type { CausalLM } from '../model/types';
import type { HiddenStates } from '../loss/logps';
import { preferenceLoss, type LossBatch, type LossResult, type LossSettings } from '../loss/preference';
import { variableGrads } from '../ops/backprop';

export interface BatchTensors extends Omit<LossBatch, 'logits'> {
  ids: tf.Tensor2D; // [2B, T]
  /** Real length of each of the 2B rows (padding keys are masked, as transformers' attention_mask). */
  lengths?: Int32Array;
  B: number;
  tokens: number;
}

/**
 * Collates pairs for `model`: on WebGPU to length buckets (data/batch.ts) so shapes repeat and
 * pipelines and the buffer pool stop growing; elsewhere to the longest row, as TRL pads.
 */
export function collateFor(model: CausalLM, pairs: readonly TokenizedPair[], padId: number): CollatedBatch {
  return collate(pairs, { padId, ...(tf.getBackend() === 'webgpu' ? { bucketCap: model.context } : {}) });
}

/** Uploads a collated batch. The caller disposes. */
export function toTensors(b: CollatedBatch): BatchTensors {
  const R = 2 * b.B;
  return {
    ids: tf.tensor2d(b.ids, [R, b.T], 'int32'),
    targets: tf.tensor1d(b.targets, 'int32'),
    respMask: tf.tensor1d(b.respMask),
    seqMask: tf.tensor1d(b.seqMask),
    longest: b.longest,
    lengths: b.lengths,
    B: b.B,
    tokens: b.tokens,
  };
}

export function disposeBatch(t: BatchTensors): void {
  tf.dispose([t.ids, t.targets, t.respMask, t.seqMask]);
}

/**
 * The model's output for the loss: the logits [2B, T, V], or its final hidden states with the head
 * that the loss applies in row chunks (loss/logps.ts), never holding the whole logits. Chunks are
 * used without gradients (evaluation, a DPO reference: no cost) and under gradient checkpointing (the
 * user traded time for memory: the backward pass runs the head once more); otherwise, LoRA included,
 * the logits are kept whole, the fastest way.
 */
function modelOutput(model: CausalLM, t: BatchTensors, training: boolean): tf.Tensor3D | HiddenStates {
  const [R, T] = t.ids.shape;
  const { h, head } = model.hidden(t.ids, t.lengths); // [2B*T, d]
  if (!training || model.gradientCheckpointing) return { h, head, R, T };
  return tf.reshape(head.apply(h), [R, T, head.V]) as tf.Tensor3D; // [2B, T, V]
}

/** The frozen reference's summed response log-probs for DPO, [2B]. */
export function referenceSums(ref: CausalLM, t: BatchTensors): tf.Tensor1D {
  return tf.tidy(() => preferenceLoss({ ...t, logits: modelOutput(ref, t, false) }, { method: 'sft', lambda: 1, nllOnPrompt: true }).sums);
}

/** Loss and metrics of a batch, no gradients (evaluation). The caller disposes the result's tensors. */
export function evaluateBatch(model: CausalLM, t: BatchTensors, s: LossSettings): LossResult {
  return tf.tidy(() => preferenceLoss({ ...t, logits: modelOutput(model, t, false) }, s) as unknown as tf.TensorContainer) as unknown as LossResult;
}

export interface GradResult {
  grads: Map<string, tf.Tensor>;
  /** Batch metrics in METRIC_ORDER, [12]. */
  metrics: tf.Tensor1D;
}

/** A reverse-mode pass: ops/backprop.ts's, which frees as it goes, or tfjs's own tf.variableGrads (to compare with). */
export type Backprop = (f: () => tf.Scalar, vars: tf.Variable[]) => { value: tf.Scalar; grads: tf.NamedTensorMap };

/** Gradients of the loss of one batch with respect to every trainable parameter (the adapter's alone under LoRA). */
export function gradients(model: CausalLM, t: BatchTensors, s: LossSettings, backprop: Backprop = variableGrads): GradResult {
  let metrics: tf.Tensor1D | undefined;
  const params = trainableParams(model);
  const names = [...params.keys()];
  const vars = names.map((n) => params.get(n) as tf.Variable);
  const lora = model.adapter instanceof Lora ? model.adapter : undefined;
  lora?.beginPass();
  if (lora) lora.training = true;
  let value: tf.Scalar, grads: tf.NamedTensorMap;
  try {
    ({ value, grads } = backprop(() => {
      const out = preferenceLoss({ ...t, logits: modelOutput(model, t, true) }, s);
      metrics = tf.keep(out.metrics);
      return out.loss;
    }, vars));
  } finally {
    if (lora) lora.training = false;
  }
  value.dispose();
  const byName = new Map<string, tf.Tensor>();
  names.forEach((n, i) => {
    const g = grads[(vars[i] as tf.Variable).name];
    if (g) byName.set(n, g);
  });
  return { grads: byName, metrics: metrics as tf.Tensor1D };
}

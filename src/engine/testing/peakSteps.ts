// Test and profiling support: the native backend's peak bytes over whole training steps (ORPO gradients
// and an AdamW update) of a model on a synthetic batch: what test/engine/memory-plan.test.ts checks the
// memory plan against, and scripts/profile-memory.ts breaks down buffer by buffer.
import * as tf from '@tensorflow/tfjs-core';
import { nativeMemory } from '../backend/native/cpuBackend';
import { collate } from '../data/batch';
import { trainableParams } from '../model/lora';
import type { CausalLM } from '../model/types';
import { AdamW } from '../train/optimizer';
import { disposeBatch, gradients, toTensors } from '../train/step';

/**
 * The peak over `steps` full steps of `model` on `pairs` pairs of T tokens (ids below V), counted from
 * the weights and AdamW's moments held before the first; `beforeSteps` runs just before it.
 */
export function peakOfSteps(model: CausalLM, V: number, T: number, pairs: number, beforeSteps?: () => void, steps = 2): number {
  const mem = nativeMemory();
  if (!mem) throw new Error('peakOfSteps: the native backend is not active');
  const opt = new AdamW(trainableParams(model), { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, () => false);
  const half = T / 2;
  const batch = collate(Array.from({ length: pairs }, (_, p) => ({
    prompt: Array.from({ length: half }, (_, i) => (i * 5 + p) % (V - 1)),
    chosen: Array.from({ length: half }, (_, i) => (i * 7 + p) % (V - 1)),
    rejected: Array.from({ length: half }, (_, i) => (i * 3 + 1) % (V - 1)),
  })), { padId: V - 1 });
  beforeSteps?.();
  mem.backend.resetPeak();
  try {
    for (let s = 0; s < steps; s++) {
      const bt = toTensors(batch);
      const g = gradients(model, bt, { method: 'orpo', lambda: 0.1, nllOnPrompt: true });
      tf.dispose(opt.step(g.grads, 1e-3));
      tf.dispose([...g.grads.values(), g.metrics]);
      disposeBatch(bt);
    }
    return mem.backend.peak;
  } finally {
    opt.dispose();
  }
}

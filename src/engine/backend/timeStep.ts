// Timing real training steps of a run's model shape on the active backend, for `backend: auto`
// (issue 11 §5): a randomly initialised model of the run's config.json, a synthetic batch of the run's
// pairs per step and sequence length, then forward, backward and AdamW, as the trainer's step does.
// One warm-up step (shader compiles, buffer pools), then the fastest of up to two timed steps.
import * as tf from '@tensorflow/tfjs-core';
import type { Method } from '../../common/config';
import { collate } from '../data/batch';
import { Rng } from '../data/rng';
import { familyOf } from '../hf/config';
import { createGpt2 } from '../model/gpt';
import { createLlama } from '../model/llama';
import type { CausalLM, HfConfig } from '../model/types';
import { AdamW } from '../train/optimizer';
import { disposeBatch, gradients, referenceSums, toTensors } from '../train/step';

/** What a run trains: its model's config.json, pairs per step, tokens per row, method, checkpointing. */
export interface RunShape {
  config: HfConfig;
  pairs: number;
  T: number;
  method: Method;
  checkpointing: boolean;
}

/** The shape in one stable line (the cache key's shape part): the config's numbers, then the batch. */
export function shapeKey(s: RunShape): string {
  const nums = Object.entries(s.config).filter(([, v]) => typeof v === 'number').sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${String(v)}`);
  return `${s.config.model_type} ${nums.join(' ')} | pairs=${s.pairs} T=${s.T} ${s.method}${s.checkpointing ? ' checkpointing' : ''}`;
}

function makeModel(config: HfConfig): CausalLM {
  return familyOf(config) === 'gpt2' ? createGpt2(config) : createLlama(config, undefined, 1);
}

/** Milliseconds per training step of SHAPE on the active tfjs backend (a warm-up step first). */
export async function timeSteps(s: RunShape, log: (l: string) => void = () => {}): Promise<number> {
  const V = s.config.vocab_size;
  const rng = new Rng(7);
  const ids = (n: number) => Array.from({ length: n }, () => Math.floor(rng.next() * (V - 1)));
  const half = Math.floor(s.T / 2);
  const pairs = Array.from({ length: s.pairs }, () => ({ prompt: ids(half), chosen: ids(s.T - half), rejected: ids(s.T - half) }));
  const batch = collate(pairs, { padId: V - 1 });
  const model = makeModel(s.config);
  model.gradientCheckpointing = s.checkpointing;
  const ref = s.method === 'dpo' ? makeModel(s.config) : undefined;
  const opt = new AdamW(model.params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 }, (n) => model.noDecay(n));
  const times: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const bt = toTensors(batch);
      const refSums = ref ? referenceSums(ref, bt) : undefined;
      const g = gradients(model, bt, { method: s.method, lambda: 0.1, beta: 0.1, nllOnPrompt: true, refSums });
      const norm = opt.step(g.grads, 1e-6);
      await g.metrics.data(); // the step is complete
      tf.dispose([...g.grads.values(), g.metrics, norm]);
      refSums?.dispose();
      disposeBatch(bt);
      const ms = performance.now() - t0;
      log(`${tf.getBackend()}: ${i === 0 ? 'warm-up step' : 'step'} ${ms.toFixed(0)} ms`);
      // A slow backend is timed once: after a warm-up over 20 s (that step is the figure), or a step over 5 s.
      if (i > 0 || ms > 20_000) times.push(ms);
      if ((i === 0 && ms > 20_000) || (i === 1 && ms > 5_000)) break;
    }
  } finally {
    opt.dispose();
    model.dispose();
    ref?.dispose();
  }
  return times.length ? Math.min(...times) : Number.NaN;
}

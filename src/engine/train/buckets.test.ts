// Length buckets (data/batch.ts, used on the WebGPU path) change no metric: on the cpu backend, a tiny
// GPT-2's metrics, per-pair values and gradients for a batch padded to its bucket equal those for the
// same batch padded to its longest row, as TRL pads (ORPO, SFT-style NLL on prompts off, and DPO with
// a reference). Plus the bucket rule itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { bucketLength, collate } from '../data/batch';
import { Rng } from '../data/rng';
import type { TokenizedPair } from '../data/tokenize';
import type { Method } from '../../common/config';
import { createScratchGpt2 } from '../model/gpt';
import { closeAll } from '../testing/arrays';
import { useCpu } from '../testing/tf';
import { disposeBatch, evaluateBatch, gradients, referenceSums, toTensors } from './step';

void test('bucketLength: powers of two from 32, capped at the context, never below the longest row', () => {
  assert.deepEqual([1, 32, 33, 100, 128, 129, 600].map((T) => bucketLength(T, 1024)), [32, 32, 64, 128, 128, 256, 1024]);
  assert.equal(bucketLength(40, 48), 48);
  assert.equal(bucketLength(50, 48), 50);
});

void test('a batch padded to its length bucket gives the metrics, per-pair values and gradients of the unbucketed batch (cpu)', async () => {
  await useCpu();
  const V = 40;
  const model = createScratchGpt2({ from: 'scratch', layers: 1, d_model: 16, heads: 2, context: 64 }, V, V - 1, 3);
  const ref = createScratchGpt2({ from: 'scratch', layers: 1, d_model: 16, heads: 2, context: 64 }, V, V - 1, 4);
  const rng = new Rng(9);
  const ids = (n: number) => Array.from({ length: n }, () => Math.floor(rng.next() * (V - 1)));
  const pairs: TokenizedPair[] = [{ prompt: ids(4), chosen: ids(5), rejected: ids(9) }, { prompt: ids(7), chosen: ids(3), rejected: ids(2) }];
  const plain = collate(pairs, { padId: V - 1 });
  const bucketed = collate(pairs, { padId: V - 1, bucketCap: model.context });
  assert.equal(plain.T, 13);
  assert.equal(bucketed.T, 32);
  assert.equal(bucketed.longest, 13);
  for (const [method, nllOnPrompt] of [['orpo', true], ['orpo', false], ['dpo', true]] as [Method, boolean][]) {
    const run = async (b: typeof plain) => {
      const bt = toTensors(b);
      const refSums = method === 'dpo' ? referenceSums(ref, bt) : undefined;
      const s = { method, lambda: 0.1, beta: 0.1, nllOnPrompt, refSums };
      const ev = evaluateBatch(model, bt, s);
      const g = gradients(model, bt, s);
      const out = {
        metrics: await ev.metrics.data(),
        perPair: await Promise.all(Object.values(ev.perPair).map((t) => t.data())),
        grads: await Promise.all([...g.grads.values()].map((t) => t.data())),
        trainMetrics: await g.metrics.data(),
      };
      tf.dispose([ev.loss, ev.metrics, ev.sums, ...Object.values(ev.perPair), ...g.grads.values(), g.metrics]);
      refSums?.dispose();
      disposeBatch(bt);
      return out;
    };
    const a = await run(plain), b = await run(bucketed);
    closeAll(b.metrics, a.metrics, 1e-5, `${method} metrics`);
    closeAll(b.trainMetrics, a.trainMetrics, 1e-5, `${method} train metrics`);
    a.perPair.forEach((p, i) => closeAll(b.perPair[i] as ArrayLike<number>, p, 1e-5, `${method} per-pair ${i}`));
    a.grads.forEach((g, i) => closeAll(b.grads[i] as ArrayLike<number>, g, 1e-4, `${method} gradient ${i}`));
  }
  model.dispose();
  ref.dispose();
});

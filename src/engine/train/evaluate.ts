// Evaluation over the held-out pairs: TRL's metrics averaged over eval batches (weighted by pairs),
// and the per-example arrays for distributions.jsonl (chosen/rejected log-probs, rewards, log odds),
// the data behind the paper's Figures 3, 5 and 7.
import * as tf from '@tensorflow/tfjs-core';
import type { DistributionsRow } from '../../common/metrics';
import type { TokenizedPair } from '../data/tokenize';
import { METRIC_ORDER, type LossSettings } from '../loss/preference';
import type { CausalLM } from '../model/types';
import { collateFor, disposeBatch, evaluateBatch, referenceSums, toTensors } from './step';

export interface EvalOptions {
  settings: LossSettings;
  batchSize: number;
  padId: number;
  ref?: CausalLM;
}

export interface EvalResult {
  metrics: Record<string, number>;
  distributions: Omit<DistributionsRow, 'step'>;
}

/**
 * Every batch's metrics (weighted by its pairs) and per-pair values stay on the device, packed, and
 * are read once at the end with async data(): one GPU → CPU read per eval (issue 11).
 */
export async function evaluate(model: CausalLM, pairs: readonly TokenizedPair[], o: EvalOptions): Promise<EvalResult | undefined> {
  if (pairs.length === 0) return undefined;
  const M = METRIC_ORDER.length;
  const packed: tf.Tensor[] = [];
  for (let i = 0; i < pairs.length; i += o.batchSize) {
    const chunk = pairs.slice(i, i + o.batchSize);
    const bt = toTensors(collateFor(model, chunk, o.padId));
    const refSums = o.ref ? referenceSums(o.ref, bt) : undefined;
    const out = evaluateBatch(model, bt, { ...o.settings, refSums });
    const p = out.perPair;
    packed.push(tf.tidy(() => tf.concat([tf.mul(out.metrics, chunk.length), p.chosenLogps, p.rejectedLogps, p.chosenRewards, p.rejectedRewards, p.logOdds]))); // [M + 5n]
    tf.dispose([out.loss, out.metrics, out.sums, ...Object.values(p)]);
    refSums?.dispose();
    disposeBatch(bt);
  }
  const all = tf.concat(packed); // [Σ (M + 5n)]
  tf.dispose(packed);
  const v = await all.data();
  all.dispose();
  const sums = new Float64Array(M);
  const d: EvalResult['distributions'] = { chosen_logps: [], rejected_logps: [], chosen_rewards: [], rejected_rewards: [], log_odds: [] };
  const lists = [d.chosen_logps, d.rejected_logps, d.chosen_rewards, d.rejected_rewards, d.log_odds];
  let at = 0;
  for (let i = 0; i < pairs.length; i += o.batchSize) {
    const n = Math.min(o.batchSize, pairs.length - i);
    for (let k = 0; k < M; k++) sums[k] = (sums[k] as number) + (v[at + k] as number);
    at += M;
    for (const list of lists) { list.push(...v.subarray(at, at + n)); at += n; }
  }
  const metrics = Object.fromEntries(METRIC_ORDER.map((k, i) => [k, (sums[i] as number) / pairs.length]));
  return { metrics, distributions: d };
}

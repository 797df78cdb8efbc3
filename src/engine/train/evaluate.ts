// Evaluation over the held-out pairs: TRL's metrics averaged over eval batches (weighted by pairs),
// and the per-example arrays for distributions.jsonl (chosen/rejected log-probs, rewards, log odds),
// the data behind the paper's Figures 3, 5 and 7.
import * as tf from '@tensorflow/tfjs-core';
import type { DistributionsRow } from '../../common/metrics';
import { collate } from '../data/batch';
import type { TokenizedPair } from '../data/tokenize';
import { METRIC_ORDER, type LossSettings } from '../loss/preference';
import type { CausalLM } from '../model/types';
import { disposeBatch, evaluateBatch, referenceSums, toTensors } from './step';

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

/** Reads results with async data(): GPU backends have no (fast) synchronous read. */
export async function evaluate(model: CausalLM, pairs: readonly TokenizedPair[], o: EvalOptions): Promise<EvalResult | undefined> {
  if (pairs.length === 0) return undefined;
  const sums = new Float64Array(METRIC_ORDER.length);
  const d: EvalResult['distributions'] = { chosen_logps: [], rejected_logps: [], chosen_rewards: [], rejected_rewards: [], log_odds: [] };
  for (let i = 0; i < pairs.length; i += o.batchSize) {
    const chunk = pairs.slice(i, i + o.batchSize);
    const bt = toTensors(collate(chunk, { padId: o.padId }));
    const refSums = o.ref ? referenceSums(o.ref, bt) : undefined;
    const out = evaluateBatch(model, bt, { ...o.settings, refSums });
    const m = await out.metrics.data();
    m.forEach((v, k) => { sums[k] = (sums[k] as number) + v * chunk.length; });
    const p = out.perPair;
    d.chosen_logps.push(...(await p.chosenLogps.data()));
    d.rejected_logps.push(...(await p.rejectedLogps.data()));
    d.chosen_rewards.push(...(await p.chosenRewards.data()));
    d.rejected_rewards.push(...(await p.rejectedRewards.data()));
    d.log_odds.push(...(await p.logOdds.data()));
    tf.dispose([out.loss, out.metrics, out.sums, ...Object.values(p)]);
    refSums?.dispose();
    disposeBatch(bt);
  }
  const metrics = Object.fromEntries(METRIC_ORDER.map((k, i) => [k, (sums[i] as number) / pairs.length]));
  return { metrics, distributions: d };
}

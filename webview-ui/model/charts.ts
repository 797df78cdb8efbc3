// Which metric charts the dashboard draws, and with which series: TRL ORPOTrainer's metric names
// (src/common/metrics.ts), grouped as issue 5 lists them. The paper's Figures 3 and 7 plot
// logps/chosen against logps/rejected; the loss chart splits ORPO's loss into NLL and odds-ratio term.
import { hasOddsRatioTerm as isOrpo, OR_TERM } from './series';

export interface ChartKey {
  key: string;
  label: string;
  /** Index into the per-chart colour set: 0 chosen/main, 1 rejected/second, 2 third. */
  role: 0 | 1 | 2;
  /** Drawn against its own axis on the right (a term far smaller than the others). */
  axis?: 'right';
}

export interface ChartSpec {
  id: string;
  title: string;
  keys: readonly ChartKey[];
  /** Eval rows carry this metric too (learning_rate etc. are train only). */
  hasEval: boolean;
}

/**
 * The loss chart for the methods shown: ORPO's loss is NLL + λ·odds-ratio term, the term (about 0.7·λ
 * early, a few hundredths of the NLL's range later) on its own right-hand axis; SFT's loss is the NLL
 * alone; DPO's is the sigmoid preference loss, with no NLL part. Mixed methods: every series, named.
 */
export function lossSpec(methods: readonly string[]): ChartSpec {
  const loss: ChartKey = { key: 'loss', label: 'loss', role: 0 };
  const nll: ChartKey = { key: 'nll_loss', label: 'nll_loss', role: 1 };
  const term: ChartKey = { key: OR_TERM, label: 'odds-ratio term', role: 2, axis: 'right' };
  const ms = new Set(methods);
  if (ms.size > 0 && [...ms].every(isOrpo)) return { id: 'loss', title: 'Loss = NLL + λ·odds-ratio term', hasEval: true, keys: [loss, nll, term] };
  if (ms.size === 1 && ms.has('sft')) return { id: 'loss', title: 'Loss (NLL of the chosen answers)', hasEval: true, keys: [loss] };
  if (ms.size === 1 && ms.has('dpo')) return { id: 'loss', title: 'Loss (DPO: −log σ(β·margin))', hasEval: true, keys: [loss] };
  return { id: 'loss', title: 'Loss', hasEval: true, keys: [loss, nll, ...([...ms].some(isOrpo) ? [{ ...term, label: 'odds-ratio term (ORPO runs)' }] : [])] };
}

export const CHARTS: readonly ChartSpec[] = [
  lossSpec(['orpo']),
  { id: 'logps', title: 'Log-probs: chosen vs rejected', hasEval: true, keys: [
    { key: 'logps/chosen', label: 'logps/chosen', role: 0 }, { key: 'logps/rejected', label: 'logps/rejected', role: 1 }] },
  { id: 'rewards', title: 'Rewards: chosen vs rejected', hasEval: true, keys: [
    { key: 'rewards/chosen', label: 'rewards/chosen', role: 0 }, { key: 'rewards/rejected', label: 'rewards/rejected', role: 1 }] },
  { id: 'margins', title: 'rewards/margins', hasEval: true, keys: [{ key: 'rewards/margins', label: 'margins', role: 0 }] },
  { id: 'accuracies', title: 'rewards/accuracies', hasEval: true, keys: [{ key: 'rewards/accuracies', label: 'accuracies', role: 0 }] },
  { id: 'log_odds_chosen', title: 'log_odds_chosen', hasEval: true, keys: [{ key: 'log_odds_chosen', label: 'log_odds_chosen', role: 0 }] },
  { id: 'log_odds_ratio', title: 'log_odds_ratio (mean log σ)', hasEval: true, keys: [{ key: 'log_odds_ratio', label: 'log_odds_ratio', role: 0 }] },
  { id: 'logits', title: 'Logits: chosen vs rejected', hasEval: true, keys: [
    { key: 'logits/chosen', label: 'logits/chosen', role: 0 }, { key: 'logits/rejected', label: 'logits/rejected', role: 1 }] },
  { id: 'learning_rate', title: 'learning_rate', hasEval: false, keys: [{ key: 'learning_rate', label: 'learning_rate', role: 0 }] },
  { id: 'grad_norm', title: 'grad_norm', hasEval: false, keys: [{ key: 'grad_norm', label: 'grad_norm', role: 0 }] },
  { id: 'tokens_per_second', title: 'tokens/s', hasEval: false, keys: [{ key: 'tokens_per_second', label: 'tokens/s', role: 0 }] },
];

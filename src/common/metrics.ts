// Metric names, following Hugging Face TRL's ORPOTrainer (get_batch_loss_metrics) so that runs read
// like TRL logs. Eval rows carry the same keys with the prefix `eval/`.

/** TRL's per-batch preference metrics. */
export const TRL_METRICS = [
  'rewards/chosen',
  'rewards/rejected',
  'rewards/accuracies',
  'rewards/margins',
  'logps/chosen',
  'logps/rejected',
  'logits/chosen',
  'logits/rejected',
  'nll_loss',
  'log_odds_ratio',
  'log_odds_chosen',
] as const;
export type TrlMetric = (typeof TRL_METRICS)[number];

/** Keys every training row carries besides TRL's. */
export const STEP_KEYS = ['step', 'epoch', 'loss', 'learning_rate', 'grad_norm', 'tokens_per_second'] as const;

export const EVAL_PREFIX = 'eval/';

/** One line of metrics.jsonl: `step` plus numeric metrics (train keys, or `eval/`-prefixed ones). */
export interface MetricsRow {
  step: number;
  epoch: number;
  /** Seconds since the run (first) started; lets charts use wall time on the x axis. */
  time: number;
  [key: string]: number;
}

/** One line of distributions.jsonl: per-example values over the eval set at one eval step. */
export interface DistributionsRow {
  step: number;
  chosen_logps: number[];
  rejected_logps: number[];
  chosen_rewards: number[];
  rejected_rewards: number[];
  log_odds: number[];
}

export const DISTRIBUTION_KEYS = ['chosen_logps', 'rejected_logps', 'chosen_rewards', 'rejected_rewards', 'log_odds'] as const;

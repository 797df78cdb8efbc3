// Preference-optimisation losses on one concatenated batch (rows 0..B-1 chosen, B..2B-1 rejected):
// - orpo:    Hong et al. 2024, Eq. 6-7, with TRL ORPOTrainer's semantics: loss = NLL(chosen)
//            − λ·mean(log σ(log_odds)), log_odds = (lp_w − lp_l) − (log1mexp(lp_w) − log1mexp(lp_l)),
//            lp = length-normalised response log-prob.
// - sft:     NLL(chosen) only; rejected log-probs are still measured (the paper's Figure 3).
// - orpo-pr: the paper's probability-ratio ablation, NLL − λ·mean(log σ(lp_w − lp_l)).
// - dpo:     Rafailov et al. 2023, sigmoid loss on summed log-probs against a frozen reference.
// Metric names and formulas follow TRL's get_batch_loss_metrics; logits/* as TRL computes them (see below). This file knows nothing of models.
import * as tf from '@tensorflow/tfjs-core';
import type { Method } from '../../common/config';
import type { TrlMetric } from '../../common/metrics';
import { sequenceLogps, type HiddenStates } from './logps';

/** Stable log(1 − exp(x)) for x < 0 (Mächler 2012): log(−expm1(x)) above −ln 2, log1p(−exp(x)) below. */
export function log1mexp(x: tf.Tensor): tf.Tensor {
  const t = -Math.LN2;
  // hi = 1 where x > −ln 2. tf.step has a (zero) gradient, unlike tf.greater, so x stays differentiable.
  const hi = tf.step(tf.sub(x, t));
  const lo = tf.sub(1, hi);
  // Each branch sees only inputs in its own domain, so the unused one never yields inf or NaN gradients.
  const xa = tf.minimum(tf.add(tf.mul(hi, x), tf.mul(lo, t)), -1e-10);
  const xb = tf.add(tf.mul(lo, x), tf.mul(hi, t));
  return tf.add(tf.mul(hi, tf.log(tf.neg(tf.expm1(xa)))), tf.mul(lo, tf.log1p(tf.neg(tf.exp(xb)))));
}

/** log σ(x) as −softplus(−x): tf.logSigmoid's gradient fails on intermediate tensors in tfjs 4.22. */
export const logSigmoid = (x: tf.Tensor): tf.Tensor => tf.neg(tf.softplus(tf.neg(x)));

export interface LossBatch {
  /** [2B, T, V], or the final hidden states [2B·T, d] and the output head, applied in row chunks (logps.ts). */
  logits: tf.Tensor3D | HiddenStates;
  /** int32 [2B*T]: the next token at each position */
  targets: tf.Tensor1D;
  /** [2B*T]: 1 where the target is a response token (prompt masked) */
  respMask: tf.Tensor1D;
  /** [2B*T]: 1 where the target is a real token (prompt included) */
  seqMask: tf.Tensor1D;
  /** The longest row before any length-bucket padding (default T): ORPO's logits/* count positions up to it. */
  longest?: number;
}

export interface LossSettings {
  method: Method;
  lambda: number;
  beta?: number;
  nllOnPrompt: boolean;
  /** dpo: the frozen reference's summed response log-probs, [2B]. */
  refSums?: tf.Tensor1D;
}

/** The order of `metrics` in a LossResult. */
export const METRIC_ORDER: readonly (TrlMetric | 'loss')[] = [
  'loss', 'nll_loss', 'rewards/chosen', 'rewards/rejected', 'rewards/accuracies', 'rewards/margins',
  'logps/chosen', 'logps/rejected', 'logits/chosen', 'logits/rejected', 'log_odds_ratio', 'log_odds_chosen',
];

export interface LossResult {
  loss: tf.Scalar;
  /** Batch means in METRIC_ORDER, [12]. */
  metrics: tf.Tensor1D;
  /** Per-pair values, each [B]: lp_w, lp_l, rewards and log odds (for distributions.jsonl). */
  perPair: { chosenLogps: tf.Tensor1D; rejectedLogps: tf.Tensor1D; chosenRewards: tf.Tensor1D; rejectedRewards: tf.Tensor1D; logOdds: tf.Tensor1D };
  /** Per-row summed response log-probs, [2B] (a DPO reference's input). */
  sums: tf.Tensor1D;
}

/** [2B] → chosen [B], rejected [B]. */
const half = (x: tf.Tensor1D, B: number): [tf.Tensor1D, tf.Tensor1D] => [tf.slice(x, 0, B), tf.slice(x, B, B)];

/** The loss and TRL's metrics for one concatenated batch. */
export function preferenceLoss(b: LossBatch, s: LossSettings): LossResult {
  const [R, T, V] = b.logits instanceof tf.Tensor ? b.logits.shape : [b.logits.R, b.logits.T, b.logits.head.V];
  const B = R / 2;
  const lp = sequenceLogps(b.logits, b.targets, b.respMask);
  const [lw, ll] = half(lp.mean, B); // [B], [B]
  const nllMask = tf.slice(s.nllOnPrompt ? b.seqMask : b.respMask, 0, B * T); // [B*T]
  const nll = tf.div(tf.neg(tf.sum(tf.mul(tf.slice(lp.tok, 0, B * T), nllMask))), tf.maximum(tf.sum(nllMask), 1)) as tf.Scalar; // []: token mean over chosen rows

  const logOdds = tf.sub(tf.sub(lw, ll), tf.sub(log1mexp(lw), log1mexp(ll))) as tf.Tensor1D; // [B]
  const ratio = logSigmoid(logOdds); // [B]
  let loss: tf.Scalar;
  let rw: tf.Tensor1D = tf.mul(lw, s.lambda);
  let rl: tf.Tensor1D = tf.mul(ll, s.lambda);
  switch (s.method) {
    case 'orpo':
      loss = tf.sub(nll, tf.mul(tf.mean(ratio), s.lambda)); // []
      break;
    case 'orpo-pr':
      loss = tf.sub(nll, tf.mul(tf.mean(logSigmoid(tf.sub(lw, ll))), s.lambda)); // []
      break;
    case 'sft':
      loss = nll;
      break;
    case 'dpo': {
      if (!s.refSums || s.beta === undefined) throw new Error('dpo needs beta and the reference log-probs');
      const beta = s.beta;
      const [pw, pl] = half(lp.sum, B);
      const [qw, ql] = half(s.refSums, B);
      rw = tf.mul(tf.sub(pw, qw), beta);
      rl = tf.mul(tf.sub(pl, ql), beta);
      loss = tf.neg(tf.mean(logSigmoid(tf.sub(rw, rl)))) as tf.Scalar; // []
      break;
    }
    default: {
      const never: never = s.method;
      throw new Error(`unknown method ${String(never)}`);
    }
  }
  // logits/*: dpo as TRL's DPOTrainer (completion positions only); the others as ORPOTrainer's
  // concatenated_forward (every position but the last of the batch padded to its longest row,
  // padding included; positions added by a length bucket are not counted).
  const n = b.longest ?? T;
  const att = s.method === 'dpo' ? tf.reshape(b.respMask, [R, T]) : tf.tile(tf.concat([tf.ones([1, n - 1]), tf.zeros([1, T - n + 1])], 1), [R, 1]); // [2B, T]
  const masked = tf.sum(tf.mul(lp.logitSums, att), 1) as tf.Tensor1D; // [2B]: Σ over counted positions and vocab
  const counts = tf.sum(att, 1) as tf.Tensor1D; // [2B]
  const [sw, sl] = half(masked, B);
  const [cw, cl] = half(counts, B);
  const metrics = tf.stack([
    loss, nll, tf.mean(rw), tf.mean(rl), tf.mean(tf.cast(tf.greater(rw, rl), 'float32')), tf.mean(tf.sub(rw, rl)),
    tf.mean(lw), tf.mean(ll), tf.div(tf.sum(sw), tf.mul(tf.sum(cw), V)), tf.div(tf.sum(sl), tf.mul(tf.sum(cl), V)),
    tf.mean(ratio), tf.mean(logOdds),
  ]) as tf.Tensor1D; // [12]
  return { loss, metrics, perPair: { chosenLogps: lw, rejectedLogps: ll, chosenRewards: rw, rejectedRewards: rl, logOdds }, sums: lp.sum };
}

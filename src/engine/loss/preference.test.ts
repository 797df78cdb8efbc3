// Golden tests for the preference losses: every metric against a float64 reference written here,
// independently of the code under test, and against TRL's formulas evaluated by PyTorch
// (test/fixtures/hf/orpo_batch.json, made by scripts/reference/make_fixtures.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { close, useCpu } from '../testing/tf';
import { log1mexp, METRIC_ORDER, preferenceLoss, type LossSettings } from './preference';
import type { Method } from '../../common/config';

interface Fixture {
  lambda: number; B: number; T: number; V: number; logits: number[]; input_ids: number[][];
  prompt_len: number[]; length: number[]; metrics: Record<string, number>; metrics_nll_on_prompt: Record<string, number>;
  dpo_logits: Record<'logits/chosen' | 'logits/rejected', number>;
}
const fx = JSON.parse(readFileSync(new URL('../../../test/fixtures/hf/orpo_batch.json', import.meta.url), 'utf8')) as Fixture;
const { B, T, V } = fx;
const R = 2 * B;

// Masks in ORPO Lab's layout: position t predicts ids[t+1].
const targets: number[] = [];
const resp: number[] = [];
const seq: number[] = [];
for (let r = 0; r < R; r++) {
  for (let t = 0; t < T; t++) {
    const next = t + 1 < T ? (fx.input_ids[r]?.[t + 1] as number) : 0;
    const real = t + 1 < (fx.length[r] as number);
    targets.push(real ? next : 0);
    seq.push(real ? 1 : 0);
    resp.push(real && t + 1 >= (fx.prompt_len[r] as number) ? 1 : 0);
  }
}

/** Independent float64 reference of every metric. */
function reference(method: Method, lam: number, nllOnPrompt: boolean, beta = 0.1, refSums?: number[]): Record<string, number> {
  const tok: number[] = [];
  for (let i = 0; i < R * T; i++) {
    const row = fx.logits.slice(i * V, i * V + V);
    const mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((a, x) => a + Math.exp(x - mx), 0));
    tok.push((row[targets[i] as number] as number) - lse);
  }
  const rowStat = (mask: number[]) => Array.from({ length: R }, (_, r) => {
    let s = 0, c = 0;
    for (let t = 0; t < T; t++) { const i = r * T + t; s += (tok[i] as number) * (mask[i] as number); c += mask[i] as number; }
    return { sum: s, mean: s / c };
  });
  const lp = rowStat(resp);
  const lw = lp.slice(0, B).map((x) => x.mean), ll = lp.slice(B).map((x) => x.mean);
  const l1m = (x: number) => Math.log(1 - Math.exp(x));
  const lo = lw.map((w, i) => (w - (ll[i] as number)) - (l1m(w) - l1m(ll[i] as number)));
  const ls = (x: number) => -Math.log1p(Math.exp(-x));
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const nm = nllOnPrompt ? seq : resp;
  let ns = 0, nc = 0;
  for (let i = 0; i < B * T; i++) { ns -= (tok[i] as number) * (nm[i] as number); nc += nm[i] as number; }
  const nll = ns / nc;
  let rw = lw.map((x) => lam * x), rl = ll.map((x) => lam * x);
  let loss: number;
  if (method === 'orpo') loss = nll - lam * mean(lo.map(ls));
  else if (method === 'orpo-pr') loss = nll - lam * mean(lw.map((w, i) => ls(w - (ll[i] as number))));
  else if (method === 'sft') loss = nll;
  else {
    const ref = refSums as number[];
    rw = lp.slice(0, B).map((x, i) => beta * (x.sum - (ref[i] as number)));
    rl = lp.slice(B).map((x, i) => beta * (x.sum - (ref[B + i] as number)));
    loss = -mean(rw.map((w, i) => ls(w - (rl[i] as number))));
  }
  // TRL: ORPOTrainer averages every position but the last (padding included); DPOTrainer completion positions.
  const counted = (r: number, t: number) => (method === 'dpo' ? resp[r * T + t] === 1 : t < T - 1);
  const logitMean = (rows: number[]) => {
    let s = 0, c = 0;
    for (const r of rows) for (let t = 0; t < T; t++) if (counted(r, t)) { for (let v = 0; v < V; v++) s += fx.logits[(r * T + t) * V + v] as number; c += V; }
    return s / c;
  };
  return {
    loss, nll_loss: nll, 'rewards/chosen': mean(rw), 'rewards/rejected': mean(rl),
    'rewards/accuracies': mean(rw.map((w, i) => (w > (rl[i] as number) ? 1 : 0))), 'rewards/margins': mean(rw.map((w, i) => w - (rl[i] as number))),
    'logps/chosen': mean(lw), 'logps/rejected': mean(ll), 'logits/chosen': logitMean([0, 1]), 'logits/rejected': logitMean([2, 3]),
    log_odds_ratio: mean(lo.map(ls)), log_odds_chosen: mean(lo),
  };
}

function run(s: LossSettings): Record<string, number> {
  return tf.tidy(() => {
    const out = preferenceLoss({
      logits: tf.tensor3d(fx.logits, [R, T, V]), targets: tf.tensor1d(targets, 'int32'),
      respMask: tf.tensor1d(resp), seqMask: tf.tensor1d(seq),
    }, s);
    const vals = out.metrics.arraySync();
    return Object.fromEntries(METRIC_ORDER.map((k, i) => [k, vals[i] as number]));
  });
}

test('ORPO metrics equal a float64 reference and TRL formulas evaluated by PyTorch', async () => {
  await useCpu();
  for (const nllOnPrompt of [false, true]) {
    const got = run({ method: 'orpo', lambda: fx.lambda, nllOnPrompt });
    const want = reference('orpo', fx.lambda, nllOnPrompt);
    for (const k of METRIC_ORDER) close(got[k] as number, want[k] as number, 1e-5, `orpo ${k} (nll_on_prompt=${nllOnPrompt})`);
    const trl = nllOnPrompt ? { ...fx.metrics, ...fx.metrics_nll_on_prompt } : fx.metrics;
    for (const [k, v] of Object.entries(trl)) close(got[k] as number, v, 1e-5, `TRL ${k}`);
  }
});

test('sft, orpo-pr and dpo losses equal the float64 reference', async () => {
  await useCpu();
  for (const method of ['sft', 'orpo-pr'] as const) {
    const got = run({ method, lambda: 0.25, nllOnPrompt: true });
    const want = reference(method, 0.25, true);
    for (const k of METRIC_ORDER) close(got[k] as number, want[k] as number, 1e-5, `${method} ${k}`);
  }
  const refSums = [-9.5, -11.25, -8, -7.75];
  const got = tf.tidy(() => {
    const out = preferenceLoss({
      logits: tf.tensor3d(fx.logits, [R, T, V]), targets: tf.tensor1d(targets, 'int32'),
      respMask: tf.tensor1d(resp), seqMask: tf.tensor1d(seq),
    }, { method: 'dpo', lambda: 0.1, beta: 0.3, nllOnPrompt: true, refSums: tf.tensor1d(refSums) });
    return out.metrics.arraySync();
  });
  const want = reference('dpo', 0.1, true, 0.3, refSums);
  METRIC_ORDER.forEach((k, i) => close(got[i] as number, want[k] as number, 1e-5, `dpo ${k}`));
  // TRL DPOTrainer's logits/* evaluated by PyTorch.
  close(got[METRIC_ORDER.indexOf('logits/chosen')] as number, fx.dpo_logits['logits/chosen'], 1e-5, 'TRL dpo logits/chosen');
  close(got[METRIC_ORDER.indexOf('logits/rejected')] as number, fx.dpo_logits['logits/rejected'], 1e-5, 'TRL dpo logits/rejected');
});

test('log1mexp is stable on both sides of −ln 2 and has finite gradients', async () => {
  await useCpu();
  const xs = [-1e-6, -0.01, -0.5, -Math.LN2, -0.7, -5, -40];
  const got = tf.tidy(() => log1mexp(tf.tensor1d(xs)).arraySync() as number[]);
  xs.forEach((x, i) => {
    const want = x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
    close(got[i] as number, want, 1e-5 * Math.max(1, Math.abs(want)), `log1mexp(${x})`);
  });
  const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(log1mexp(x)))(tf.tensor1d(xs)).arraySync() as number[]);
  g.forEach((v, i) => {
    const x = xs[i] as number;
    const want = -Math.exp(x) / -Math.expm1(x); // d/dx log(1 − eˣ) = −eˣ / (1 − eˣ)
    assert.ok(Number.isFinite(v), `gradient at ${x} is ${v}`);
    close(v, want, 1e-3 * Math.max(1, Math.abs(want)), `d log1mexp(${x})`);
  });
});

test('the gradient of the ORPO loss with respect to the logits matches finite differences', async () => {
  await useCpu();
  const base = Float64Array.from(fx.logits);
  const lossAt = (vals: ArrayLike<number>) => tf.tidy(() => preferenceLoss({
    logits: tf.tensor3d(Array.from(vals), [R, T, V]), targets: tf.tensor1d(targets, 'int32'),
    respMask: tf.tensor1d(resp), seqMask: tf.tensor1d(seq),
  }, { method: 'orpo', lambda: 1.0, nllOnPrompt: false }).loss.arraySync());
  const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => preferenceLoss({
    logits: x as tf.Tensor3D, targets: tf.tensor1d(targets, 'int32'),
    respMask: tf.tensor1d(resp), seqMask: tf.tensor1d(seq),
  }, { method: 'orpo', lambda: 1.0, nllOnPrompt: false }).loss)(tf.tensor3d(fx.logits, [R, T, V])).dataSync());
  const h = 1e-2;
  let checked = 0;
  for (let i = 0; i < base.length; i += 7) {
    const up = Float64Array.from(base); up[i] = (up[i] as number) + h;
    const dn = Float64Array.from(base); dn[i] = (dn[i] as number) - h;
    const fd = (lossAt(up) - lossAt(dn)) / (2 * h);
    close(grad[i] as number, fd, 2e-3, `dL/dlogit[${i}]`);
    checked++;
  }
  assert.ok(checked > 40);
});

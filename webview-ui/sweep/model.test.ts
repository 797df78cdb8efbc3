// The sweep view's data shaping: payload validation, final/best per variant, mean ± std over seeds
// (checked against a direct computation), one line per other factor, and the ridge order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commonSteps, evalMetrics, finalAndBest, metricVsFactor, orderedVariants, parseSweepPayload, tableRows, type SweepPayload, type SweepVariantData } from './model';

const dist = (step: number) => ({ step, chosen_logps: [-1, -2], rejected_logps: [-3, -4], chosen_rewards: [0], rejected_rewards: [0], log_odds: [0] });
function variant(lambda: number, method: string, seed: number, margins: number[]): SweepVariantData {
  return {
    name: `lambda=${lambda}_method=${method}_seed=${seed}`, values: { lambda, method, seed }, status: 'completed',
    evals: margins.map((m, i) => ({ step: (i + 1) * 10, epoch: 0, time: i, 'eval/rewards/margins': m, 'eval/loss': 2 - m })),
    distributions: [dist(10), dist(20)],
  };
}
const P: SweepPayload = {
  type: 'sweep', name: 's', dir: '/x', problems: [],
  axes: [{ path: 'lambda', values: [0.1, 1] }, { path: 'method', values: ['orpo', 'sft'] }, { path: 'seed', values: [1, 2] }],
  variants: [
    variant(1, 'sft', 2, [0.1, 0.0]), variant(0.1, 'orpo', 1, [0.1, 0.3]), variant(0.1, 'orpo', 2, [0.2, 0.5]),
    variant(1, 'orpo', 1, [0.4, 0.2]), variant(1, 'orpo', 2, [0.6, 0.9]), variant(0.1, 'sft', 1, [0.0, 0.1]),
  ],
};

void test('payload validation refuses malformed variants', () => {
  assert.ok(parseSweepPayload(JSON.parse(JSON.stringify(P))).ok);
  assert.equal(parseSweepPayload({ ...P, variants: [{ name: 'x' }] }).ok, false);
  assert.equal(parseSweepPayload({ ...P, type: 'runs' }).ok, false);
});

void test('final and best: higher is better for margins, lower for loss', () => {
  const v = variant(1, 'orpo', 1, [0.4, 0.2]);
  assert.deepEqual(finalAndBest(v, 'eval/rewards/margins'), { final: 0.2, best: 0.4 });
  const loss = finalAndBest(v, 'eval/loss');
  assert.ok(Math.abs((loss.final ?? 0) - 1.8) < 1e-12 && Math.abs((loss.best ?? 0) - 1.6) < 1e-12);
  assert.deepEqual(evalMetrics(P), ['eval/rewards/margins', 'eval/loss']);
});

void test('table rows pool seeds: mean and sample std', () => {
  const rows = tableRows(P, ['eval/rewards/margins']);
  const r = rows.find((x) => x.key === 'lambda=1, method=orpo');
  assert.ok(r);
  assert.deepEqual(r.variants, ['lambda=1_method=orpo_seed=1', 'lambda=1_method=orpo_seed=2']);
  const finals = [0.2, 0.9];
  const mean = (finals[0]! + finals[1]!) / 2;
  const std = Math.sqrt(((finals[0]! - mean) ** 2 + (finals[1]! - mean) ** 2) / 1);
  const c = r.cells['eval/rewards/margins']!;
  assert.ok(Math.abs(c.final.mean - mean) < 1e-12 && Math.abs(c.final.std - std) < 1e-12 && c.final.n === 2);
  assert.equal(rows.find((x) => x.key === 'lambda=1, method=sft')?.cells['eval/rewards/margins']?.final.n, 1);
  assert.equal(rows.length, 4);
});

void test('metric against λ: one line per method, x in list order, error bars over seeds', () => {
  const { xs, lines } = metricVsFactor(P, 'lambda', 'eval/rewards/margins');
  assert.deepEqual(xs, ['0.1', '1']);
  assert.deepEqual(lines.map((l) => l.label).sort(), ['method=orpo', 'method=sft']);
  const orpo = lines.find((l) => l.label === 'method=orpo')!;
  assert.deepEqual(orpo.points.map((p) => p.x), [0, 1]);
  assert.ok(Math.abs(orpo.points[0]!.mean - 0.4) < 1e-12, 'mean of 0.3 and 0.5');
  assert.equal(orpo.points[1]!.group, 'lambda=1, method=orpo');
});

void test('ridges are ordered by the swept values; steps common to all variants', () => {
  assert.deepEqual(orderedVariants(P).map((v) => v.name), [
    'lambda=0.1_method=orpo_seed=1', 'lambda=0.1_method=orpo_seed=2', 'lambda=0.1_method=sft_seed=1',
    'lambda=1_method=orpo_seed=1', 'lambda=1_method=orpo_seed=2', 'lambda=1_method=sft_seed=2',
  ]);
  assert.deepEqual(commonSteps(P), [10, 20]);
});

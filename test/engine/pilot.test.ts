// The ORPO paper's pilot finding (Hong et al. 2024, §3, Figure 3) at small scale, through the real CLI:
// on the same data, model, seed and steps, plain SFT raises the log-probs of the rejected answers along
// with the chosen ones, and ORPO ends with a larger gap between chosen and rejected log-probs than SFT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, runCli } from './cli';

type Row = Record<string, number>;
const mean = (rows: Row[], k: string) => rows.reduce((a, r) => a + (r[k] as number), 0) / rows.length;

async function train(method: 'sft' | 'orpo', dir: string): Promise<Row[]> {
  const p = join(dir, `${method}.orpo.yaml`);
  writeFileSync(p, `name: pilot-${method}
seed: 11
method: ${method}
lambda: 1.0
nll_on_prompt: false
model: { layers: 1, d_model: 48, heads: 2, context: 192 }
data: { train: ${join(root, 'examples/data/hh-rlhf-tiny.jsonl.gz')}, eval: 0.1, max_length: 192, max_prompt_length: 96, limit: 40 }
train: { batch_size: 8, max_steps: 70, learning_rate: 3.0e-3, warmup_steps: 5, schedule: constant, eval_every: 1000, save_every: 1000, eval_samples: 0 }
backend: wasm
`);
  const out = join(dir, method);
  const r = await runCli(['train', p, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  return readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row).filter((x) => x.loss !== undefined);
}

test('pilot finding: SFT raises rejected log-probs; ORPO separates chosen from rejected more than SFT', { timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-pilot-'));
  const [sft, orpo] = await Promise.all([train('sft', dir), train('orpo', dir)]);
  const first = (rows: Row[]) => rows.slice(0, 5);
  const last = (rows: Row[]) => rows.slice(-10);
  const sftRejectedRise = mean(last(sft), 'logps/rejected') - mean(first(sft), 'logps/rejected');
  t.diagnostic(`sft logps/rejected rise ${sftRejectedRise.toFixed(3)}`);
  assert.ok(sftRejectedRise > 0.5, `SFT should raise logps/rejected: change ${sftRejectedRise}`);
  const gap = (rows: Row[]) => mean(last(rows), 'logps/chosen') - mean(last(rows), 'logps/rejected');
  const gOrpo = gap(orpo);
  const gSft = gap(sft);
  t.diagnostic(`gap orpo ${gOrpo.toFixed(4)} sft ${gSft.toFixed(4)}`);
  assert.ok(gOrpo > gSft + 0.05, `ORPO gap ${gOrpo.toFixed(4)} should exceed SFT gap ${gSft.toFixed(4)}`);
  assert.ok(mean(last(orpo), 'rewards/accuracies') > mean(last(sft), 'rewards/accuracies'), 'ORPO ranks more training pairs correctly');
});

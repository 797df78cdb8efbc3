// Issue 15, config: grid expansion (product and zip), the variant configs, and the validation of
// `sweep:` through the language service: every problem on its line, and the code lens with its estimate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyVariant, expandGrid, readSweep } from '../../common/sweep';
import { createProbe, getCodeLenses, memoryFileAccess, validateDocument, type ConfigDiagnostic } from './index';
import { textAt } from './testing';

const CFG = '/proj/exp.orpo.yaml';
const files = { '/proj/data/pairs.jsonl': '{"prompt":"Hi","chosen":" Hello!","rejected":" Go away."}\n' };
const BASE = 'name: t\ndata:\n  train: data/pairs.jsonl\ntrain:\n  max_steps: 10\n';
const run = (text: string) => validateDocument(text, { path: CFG, fs: createProbe(memoryFileAccess(files)) });

function only(text: string, at: string, pattern: RegExp, severity: ConfigDiagnostic['severity'] = 'error'): void {
  const ds = run(text).filter((d) => d.code?.startsWith('sweep') || d.code === 'range-warning' || d.code === 'type' || d.code === 'enum');
  assert.equal(ds.length, 1, JSON.stringify(ds.map((d) => [d.code, d.message])));
  const d = ds[0] as ConfigDiagnostic;
  assert.equal(textAt(text, d.range), at);
  assert.equal(d.severity, severity);
  assert.match(d.message, pattern);
}

void test('product grid: first axis outermost, every combination once', () => {
  const raw = { sweep: { lambda: [0.1, 0.5], method: ['orpo', 'sft'], seed: [1, 2, 3] } };
  const vs = expandGrid(readSweep(raw)!);
  assert.equal(vs.length, 12);
  assert.deepEqual(vs[0]!.values, { lambda: 0.1, method: 'orpo', seed: 1 });
  assert.deepEqual(vs[1]!.values, { lambda: 0.1, method: 'orpo', seed: 2 });
  assert.deepEqual(vs[3]!.values, { lambda: 0.1, method: 'sft', seed: 1 });
  assert.deepEqual(vs[11]!.values, { lambda: 0.5, method: 'sft', seed: 3 });
  assert.equal(new Set(vs.map((v) => v.name)).size, 12, 'names are unique');
  assert.equal(vs[0]!.name, 'lambda=0.1_method=orpo_seed=1');
});

void test('zip grid pairs the lists; variant configs set dotted paths and drop sweep', () => {
  const raw = { name: 'x', train: { max_steps: 5 }, sweep: { mode: 'zip', 'train.learning_rate': [1e-3, 3e-4], seed: [7, 8] } };
  const vs = expandGrid(readSweep(raw)!);
  assert.deepEqual(vs.map((v) => v.values), [{ 'train.learning_rate': 1e-3, seed: 7 }, { 'train.learning_rate': 3e-4, seed: 8 }]);
  assert.equal(vs[1]!.name, 'learning_rate=0.0003_seed=8');
  const cfg = applyVariant(raw, vs[1]!.values);
  assert.deepEqual(cfg, { name: 'x', train: { max_steps: 5, learning_rate: 3e-4 }, seed: 8 });
  assert.deepEqual(raw.train, { max_steps: 5 }, 'the base config is not modified');
});

void test('a valid sweep has no diagnostics', () => {
  assert.deepEqual(run(BASE + 'sweep:\n  lambda: [0.1, 0.25, 0.5, 1.0]\n  method: [orpo, orpo-pr, sft]\n  seed: [1, 2, 3]\n  train.learning_rate:\n    - 1.0e-3\n    - 3.0e-4\n'), []);
  assert.deepEqual(run(BASE + 'sweep:\n  mode: zip\n  lambda: [0.1, 0.5]\n  seed: [1, 2]\n'), []);
});

void test('each value is checked as if written in place, at its own line', () => {
  only(BASE + 'sweep:\n  lambda: [0.1, -1, 0.5]\n', '-1', /sweep\.lambda\[1\]: each value must be a number > 0, got -1/);
  only(BASE + 'sweep:\n  method:\n    - orpo\n    - orpp\n', 'orpp', /sweep\.method\[1\].*one of `orpo`.*did you mean "orpo"/);
  only(BASE + 'sweep:\n  train.batch_size: [8, 2.5]\n', '2.5', /an integer ≥ 1 and ≤ 4096, got 2\.5/);
  only(BASE + 'sweep:\n  seed: [1, two]\n', 'two', /sweep\.seed\[1\].*got "two"/);
  only(BASE + 'sweep:\n  lambda: [0.1, 20]\n', '20', /above 10/, 'warning');
});

void test('empty list, not a list, unknown path, a mapping and unsweepable keys', () => {
  only(BASE + 'sweep:\n  lambda: []\n', '[]', /sweep\.lambda is an empty list/);
  only(BASE + 'sweep:\n  lambda: 0.1\n', '0.1', /must be a list of values/);
  only(BASE + 'sweep:\n  lamda: [0.1]\n', 'lamda', /unknown config path "lamda"; did you mean "lambda"/);
  only(BASE + 'sweep:\n  train.nope: [1]\n', 'train.nope', /unknown config path "train\.nope"/);
  only(BASE + 'sweep:\n  model: [1]\n', 'model', /is a mapping; sweep one of its keys, e.g. model\./);
  only(BASE + 'sweep:\n  name: [a, b]\n', 'name', /cannot be swept/);
  only(BASE + 'sweep:\n  mode: zip\n', 'sweep', /has no lists/);
  only(BASE + 'sweep:\n  mode: grid\n  seed: [1]\n', 'grid', /sweep\.mode must be one of `product`, `zip`/);
  only(BASE + 'sweep: [1, 2]\n', '[1, 2]', /sweep must be a mapping/);
});

void test('zip lists of different lengths, and a grid over 1000 runs', () => {
  only(BASE + 'sweep:\n  mode: zip\n  lambda: [0.1, 0.5]\n  seed: [1, 2, 3]\n', 'zip', /same length: lambda has 2, seed has 3/);
  const big = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(', ')}]`;
  only(BASE + `sweep:\n  seed: ${big(101)}\n  train.batch_size: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n`, 'sweep', /1010 runs \(101 × 10\), more than the limit of 1000/);
  assert.deepEqual(run(BASE + `sweep:\n  seed: ${big(100)}\n  train.batch_size: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n`), [], 'exactly 1000 runs is allowed');
});

void test('a variant that breaks a cross-field rule is reported on the value that causes it', () => {
  only(BASE + 'sweep:\n  method: [orpo, dpo]\n  seed: [1, 2]\n', 'dpo', /sweep variant method=dpo_seed=1: method dpo needs beta/);
  only(BASE + 'sweep:\n  train.warmup_steps: [0, 20]\n', '20', /warmup_steps \(20\) must be less than train\.max_steps \(10\)/);
});

void test('code lens: grid size and a time estimate from the newest run of the config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-lens-'));
  const text = 'name: lens\ndata:\n  train: d.jsonl\ntrain:\n  max_steps: 100\nsweep:\n  lambda: [0.1, 0.25, 0.5, 1.0]\n  method: [orpo, orpo-pr, sft]\n  seed: [1, 2, 3]\n';
  const uri = pathToFileURL(join(dir, 'a.orpo.yaml')).href;
  const lens = () => getCodeLenses(text, uri).find((l) => l.command.command === 'orpoLab.startSweep');
  // No run yet: the documented default step time (0.12 s) × 36 runs × 100 steps = 432 s ≈ 7 min.
  assert.equal(lens()?.command.title, '▶ Start ORPO sweep: 36 runs, about 7 min (assuming 0.12 s/step)');
  assert.equal(lens()?.range.start.line, 5);
  // A measured run: 20 steps in 6 s → 0.3 s/step → 36 × 100 × 0.3 = 1080 s = 18 min.
  mkdirSync(join(dir, 'runs', 'lens-20260101-000000'), { recursive: true });
  writeFileSync(join(dir, 'runs', 'lens-20260101-000000', 'metrics.jsonl'), '{"step":10,"epoch":0,"time":4}\n{"step":20,"epoch":0,"time":6}\n{"step":2');
  assert.equal(lens()?.command.title, '▶ Start ORPO sweep: 36 runs, about 18 min');
  assert.equal(getCodeLenses('name: x\n', uri).length, 1, 'no sweep lens without sweep:');
});

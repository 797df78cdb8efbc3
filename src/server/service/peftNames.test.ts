// TRL's ModelConfig names for a LoRA adapter (issues 13 and 14): use_peft and lora_* as aliases of our
// adapter: section (TRL's defaults where use_peft creates it), one quick fix that rewrites them as our
// section, lora_* ignored without an adapter as TRL ignores them, and the ModelConfig fields we have no
// equivalent for: errors where they would change what trains, warnings otherwise. Names and defaults
// are checked against TRL 1.13.0's ModelConfig as recorded in test/fixtures/trl/fields.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LORA_FIELDS, MODEL_ONLY, TRL_LORA_DEFAULTS } from '../../common/peftAliases';
import { resolveConfig } from '../../common/config';
import { specAt } from '../../common/schema';
import { parseConfig } from './document';
import { createProbe, fixesOf, validateDocument, type ConfigDiagnostic } from './index';
import { applyEdits, textAt } from './testing';

const FIELDS = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../test/fixtures/trl/fields.json'), 'utf8')) as { ModelConfig: string[]; _ModelConfig_defaults: Record<string, unknown> };
const CFG = path.resolve(__dirname, '../../../test/fixtures/configs/exp.orpo.yaml');
const BASE = 'name: t\nmodel:\n  from: ../hf/tiny-llama\ndata:\n  train: data/explicit.jsonl\n  max_length: 32\n  max_prompt_length: 16\n';
const run = (text: string) => validateDocument(text, { path: CFG, fs: createProbe() }).filter((d) => d.code !== 'eval-size');
const adapterOf = (text: string) => resolveConfig(parseConfig(text).value).adapter;
const on = (text: string, ds: ConfigDiagnostic[], key: string) => ds.find((d) => textAt(text, d.range) === key) ?? assert.fail(`no diagnostic on ${key}`);
const fixOf = (d: ConfigDiagnostic) => fixesOf(d)[0] ?? assert.fail('no fix');

void test("every PEFT name is a field of TRL 1.13.0's ModelConfig, and use_peft's defaults are ModelConfig's", () => {
  const names = new Set(FIELDS.ModelConfig);
  for (const k of ['use_peft', ...Object.keys(LORA_FIELDS), ...Object.keys(MODEL_ONLY)]) assert.ok(names.has(k), `${k} is not a ModelConfig field`);
  for (const f of Object.values(LORA_FIELDS)) assert.ok(specAt(['adapter', f]), `adapter.${f} is not a key of ours`);
  const d = FIELDS._ModelConfig_defaults;
  assert.deepEqual(TRL_LORA_DEFAULTS, { r: d.lora_r, alpha: d.lora_alpha, dropout: d.lora_dropout });
  assert.equal(d.use_peft, false);
  for (const k of ['lora_task_type', 'use_rslora', 'use_dora']) assert.equal(MODEL_ONLY[k]?.inert?.(d[k]), true, `ModelConfig's default ${k} changes nothing here`);
});

void test('use_peft: true is our adapter with TRL\'s defaults; the fix rewrites it as an adapter: section that trains the same', () => {
  const text = `${BASE}use_peft: true\nlora_r: 8\nlora_target_modules: [q_proj, v_proj]\n`;
  const ds = run(text);
  assert.deepEqual(ds.map((d) => [d.severity, d.code]), [['info', 'alias'], ['info', 'alias'], ['info', 'alias']]);
  assert.match(on(text, ds, 'use_peft').message, /ModelConfig's defaults \(alpha 32, dropout 0\.05\)/);
  assert.match(on(text, ds, 'lora_r').message, /"lora_r" is TRL's name for adapter\.r/);
  const want = { type: 'lora', r: 8, alpha: 32, dropout: 0.05, target_modules: ['q_proj', 'v_proj'] };
  assert.deepEqual(adapterOf(text), want);
  const fixed = applyEdits(text, fixOf(on(text, ds, 'lora_target_modules')).edits);
  assert.equal(fixed, `${BASE}adapter:\n  type: lora\n  r: 8\n  alpha: 32\n  dropout: 0.05\n  target_modules: [q_proj, v_proj]\n`);
  assert.deepEqual(run(fixed), []);
  assert.deepEqual(adapterOf(fixed), want);
  // TRL's __post_init__ makes [all-linear] the keyword PEFT knows.
  assert.equal(adapterOf(`${BASE}use_peft: true\nlora_target_modules: [all-linear]\n`)?.target_modules, 'all-linear');
});

void test('lora_* beside an adapter: section move into it; use_peft: true there is redundant; both names is an error', () => {
  const text = `${BASE}lora_alpha: 16\nuse_peft: true\nadapter:\n  type: lora\n`;
  const ds = run(text);
  assert.deepEqual(ds.map((d) => d.code), ['alias', 'alias']);
  assert.match(on(text, ds, 'use_peft').message, /already gives; remove it/);
  assert.deepEqual(adapterOf(text), { type: 'lora', r: 8, alpha: 16, dropout: 0 }, "our section's own defaults (PEFT's) for the rest");
  let fixed = applyEdits(text, fixOf(on(text, ds, 'lora_alpha')).edits);
  fixed = applyEdits(fixed, fixOf(on(fixed, run(fixed), 'use_peft')).edits);
  assert.equal(fixed, `${BASE}adapter:\n  alpha: 16\n  type: lora\n`);
  assert.deepEqual(run(fixed), []);
  const both = `${BASE}lora_r: 4\nadapter:\n  type: lora\n  r: 16\n`;
  const c = on(both, run(both), 'lora_r');
  assert.equal(c.code, 'alias-conflict');
  assert.equal(adapterOf(both)?.r, 16, 'ours wins');
  const inside = `${BASE}adapter:\n  type: lora\n  lora_dropout: 0.1\n`;
  assert.equal(adapterOf(inside)?.dropout, 0.1);
  assert.equal(applyEdits(inside, fixOf(on(inside, run(inside), 'lora_dropout')).edits), `${BASE}adapter:\n  type: lora\n  dropout: 0.1\n`);
});

void test('without use_peft, lora_* are ignored as TRL ignores them: a warning, and every weight trains', () => {
  const text = `${BASE}lora_r: 32\n`;
  const d = on(text, run(text), 'lora_r');
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /no effect without use_peft: true, as in TRL: every weight trains/);
  assert.equal(adapterOf(text), undefined);
  assert.deepEqual(run(applyEdits(text, fixOf(d).edits)), []);
  const off = `${BASE}use_peft: false\nlora_r: 32\n`;
  assert.deepEqual(run(off).map((x) => [x.severity, x.code]), [['info', 'alias'], ['warning', 'peft-ignored']]);
  assert.equal(adapterOf(off), undefined);
  const contra = `${BASE}use_peft: false\nadapter:\n  type: lora\n`;
  assert.deepEqual(run(contra).map((x) => x.code), ['alias-conflict']);
  assert.equal(run(`${BASE}use_peft: yes please\n`)[0]?.message, 'use_peft must be true or false (TRL ModelConfig.use_peft), got "yes please"');
});

void test('ModelConfig settings ORPO Lab lacks: an error where they change what trains, a warning otherwise', () => {
  const text = `${BASE}use_peft: true\nuse_rslora: true\nuse_dora: true\nlora_task_type: SEQ_CLS\nlora_modules_to_save: [lm_head]\nload_in_4bit: true\ndtype: bfloat16\n`;
  const ds = run(text);
  for (const k of ['use_rslora', 'use_dora', 'lora_task_type', 'lora_modules_to_save']) assert.equal(on(text, ds, k).severity, 'error', k);
  for (const k of ['load_in_4bit', 'dtype']) assert.equal(on(text, ds, k).severity, 'warning', k);
  assert.match(on(text, ds, 'use_rslora').message, /alpha \/ √r is the same scaling as alpha · √r/);
  assert.match(on(text, ds, 'load_in_4bit').message, /does not quantize/);
  const inert = `${BASE}use_peft: true\nuse_rslora: false\nuse_dora: false\nlora_task_type: CAUSAL_LM\n`;
  const w = run(inert).filter((d) => d.code !== 'alias');
  assert.deepEqual(w.map((d) => d.severity), ['warning', 'warning', 'warning'], "TRL's defaults train as ORPO Lab does");
  const removed = applyEdits(inert, fixOf(on(inert, w, 'use_dora')).edits);
  assert.ok(!removed.includes('use_dora'));
});

void test('model_name_or_path is model.from', () => {
  const text = 'name: t\nmodel_name_or_path: ../hf/tiny-gpt2\ndata:\n  train: data/explicit.jsonl\n  max_length: 32\n  max_prompt_length: 16\n';
  assert.deepEqual(run(text).map((d) => d.code), ['alias']);
  assert.equal(resolveConfig(parseConfig(text).value).model.from, '../hf/tiny-gpt2');
});

// `orpo-lab export trl` (issue 14): the mapping against the field lists of the pinned TRL and
// transformers sources (test/fixtures/trl/fields.json), every key of ours accounted for, refusals, and
// for each of the four data formats: the exported pairs are the loader's pairs, every generated Python
// file compiles (python3 -m py_compile), and the callback's stdlib module passes its python3 tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRL_ONLY } from '../../common/aliases';
import { resolveConfig, type ExperimentConfig } from '../../common/config';
import { configSpec, specAt, specPaths } from '../../common/schema';
import { loadDataset } from '../data/dataset';
import { tokenizePair } from '../data/tokenize';
import { useCpu } from '../testing/tf';
import { ExportError, KEY_MAP, TRANSFORMERS_VERSION, TRL_VERSION, trlPlan } from '../export/trlMapping';
import { requirementsTxt, trainPy } from '../export/trlFiles';
import { engineOrder, main, pythonDir } from './export';
import { buildTokenizer } from './setup';

const root = join(__dirname, '..', '..', '..');
type Provenance = { trl: { version: string; files: Record<string, string> }; transformers: { version: string } };
const fx = JSON.parse(readFileSync(join(root, 'test/fixtures/trl/fields.json'), 'utf8')) as Record<string, string[]> & { _provenance: Provenance };
/** Every field of the pinned config class (dataclasses.fields: TrainingArguments' included). */
const fieldsOf = (cls: string) => new Set(fx[cls] ?? assert.fail(`no field list for ${cls}`));
const cfgOf = (over: Record<string, unknown>): ExperimentConfig => resolveConfig({ name: 'm', data: { train: 'x.jsonl' }, ...over });
const python = (args: string[], cwd?: string) => spawnSync('python3', args, { cwd, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });

void test('every kwarg of every trainer is a field of the pinned TRL config class or TrainingArguments', () => {
  assert.equal(fx._provenance.trl.version, TRL_VERSION, 'the fixture was read from the TRL version requirements.txt pins');
  assert.equal(fx._provenance.transformers.version, TRANSFORMERS_VERSION, 'the fixture was read from the transformers version requirements.txt pins');
  for (const cls of ['ORPOConfig', 'DPOConfig', 'SFTConfig']) for (const f of fx.TrainingArguments ?? []) assert.ok(fieldsOf(cls).has(f), `${cls} lacks TrainingArguments.${f}`);
  const passthrough = Object.fromEntries(Object.keys(TRL_ONLY).map((k) => [k, true]));
  const cases: Record<string, unknown>[] = [
    { method: 'orpo', lambda: 0.25, data: { train: 'x.jsonl', max_completion_length: 32 }, train: { warmup_ratio: 0.1, schedule: 'constant', epochs: 2 } },
    { method: 'dpo', beta: 0.1, train: { max_steps: 5, schedule: 'linear' } },
    { method: 'sft', nll_on_prompt: false },
  ];
  for (const c of cases) {
    const plan = trlPlan(cfgOf(c), passthrough, { engineOrder: true });
    const fields = fieldsOf(plan.configClass);
    for (const k of Object.keys(plan.kwargs)) assert.ok(fields.has(k), `${plan.configClass}: ${k} is not a field in TRL ${TRL_VERSION} / transformers ${TRANSFORMERS_VERSION}`);
    const file = fx._provenance.trl.files[plan.configClass] ?? assert.fail(`no provenance for ${plan.configClass}`);
    assert.equal(plan.module === 'trl' ? 'trl/trainer' : plan.module.replace(/\./g, '/'), file.replace(/\/[^/]+$/, ''), `${plan.configClass} is imported from where the fixture read it`);
  }
  const orpo = trlPlan(cfgOf(cases[0] as Record<string, unknown>));
  assert.equal(orpo.kwargs.beta, 0.25, "ORPO's lambda is TRL's beta");
  assert.equal(orpo.kwargs.lr_scheduler_type, 'constant_with_warmup');
  assert.equal(orpo.kwargs.warmup_steps, 0.1);
  assert.equal(orpo.kwargs.num_train_epochs, 2);
  assert.equal(trlPlan(cfgOf(cases[2] as Record<string, unknown>)).kwargs.completion_only_loss, true);
  assert.equal(orpo.kwargs.bf16, false, "float32 as ORPO Lab: TRL's configs default bf16 to True");
});

void test("--engine-order lists ORPO Lab's batches step by step: each epoch every training pair once, reshuffled; refused where batches cannot line up", () => {
  const pairs = Array.from({ length: 6 }, (_, i) => ({ prompt: `p${i}`, chosen: `c${i}`, rejected: `r${i}` }));
  const cfg = cfgOf({ seed: 5, train: { batch_size: 3, grad_accum: 2, max_steps: 4 } });
  const order = engineOrder(cfg, pairs);
  assert.equal(order.length, 4 * 2 * 3, 'max_steps × grad_accum × batch_size pairs');
  const epochs = [0, 1, 2, 3].map((e) => order.slice(e * 6, e * 6 + 6).map((p) => p.prompt));
  for (const e of epochs) assert.deepEqual([...e].sort(), pairs.map((p) => p.prompt), 'an epoch visits every pair once');
  assert.ok(new Set(epochs.map((e) => e.join())).size > 1, 'epochs are reshuffled');
  assert.equal(trlPlan(cfg, {}, { engineOrder: true }).kwargs.train_sampling_strategy, 'sequential');
  assert.equal(trlPlan(cfg).kwargs.train_sampling_strategy, undefined);
  assert.throws(() => engineOrder(cfgOf({ train: { batch_size: 4, max_steps: 2 } }), pairs), (e: unknown) => e instanceof ExportError && /6 training pairs do not split into batches of 4/.test(e.message));
  assert.throws(() => engineOrder(cfgOf({ train: { batch_size: 2, epochs: 1 } }), pairs), (e: unknown) => e instanceof ExportError && /needs train\.max_steps/.test(e.message));
});

void test('every key of the config spec says where it goes in the export', () => {
  for (const p of specPaths(configSpec)) {
    if (specAt(p)?.kind === 'object') continue;
    assert.ok(KEY_MAP[p.join('.')], `${p.join('.')} has no entry in KEY_MAP`);
  }
});

void test('a LoRA experiment exports as PEFT LoraConfig passed to the trainer; model.adapter is refused', () => {
  const plan = trlPlan(cfgOf({ model: { from: 'm' }, adapter: { type: 'lora', r: 16, alpha: 32, dropout: 0.05, target_modules: ['q_proj', 'v_proj'] } }));
  assert.deepEqual(plan.lora, { r: 16, lora_alpha: 32, lora_dropout: 0.05, target_modules: ['q_proj', 'v_proj'] });
  const py = trainPy(plan, { name: 'm', source: 'm.orpo.yaml', scale: 0.1, model: '/models/m' });
  assert.match(py, /^LORA = \{"r":16,"lora_alpha":32,"lora_dropout":0\.05,"target_modules":\["q_proj","v_proj"\]\}$/m);
  assert.match(py, /from peft import LoraConfig/);
  assert.match(py, /processing_class=tokenizer, peft_config=LoraConfig\(task_type="CAUSAL_LM", \*\*LORA\)\)/);
  const file = join(mkdtempSync(join(tmpdir(), 'orpo-export-')), 'train.py');
  writeFileSync(file, py);
  const r = python(['-m', 'py_compile', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(requirementsTxt(true), /^peft==0\.21\.0$/m);
  assert.doesNotMatch(trainPy(trlPlan(cfgOf({})), { name: 'm', source: 'm', scale: 0.1 }), /peft/);
  assert.throws(() => trlPlan(cfgOf({ model: { from: 'm', adapter: 'a' } })), (e: unknown) => e instanceof ExportError && /orpo-lab merge/.test(e.message));
});

void test("TRL's ModelConfig PEFT names export as the LoRA they stand for: LoraConfig fields, ModelConfig's defaults", () => {
  const peftFmt = JSON.parse(readFileSync(join(root, 'test/fixtures/peft/lora-format.json'), 'utf8')) as { config_keys: string[]; config_fields: Record<string, unknown> };
  const loraFields = new Set([...peftFmt.config_keys, ...Object.keys(peftFmt.config_fields)]);
  const trlStyle = trlPlan(cfgOf({ model: { from: 'm' }, use_peft: true, lora_r: 8, lora_target_modules: ['all-linear'] }));
  const d = (fx as unknown as { _ModelConfig_defaults: Record<string, number> })._ModelConfig_defaults;
  assert.deepEqual(trlStyle.lora, { r: 8, lora_alpha: d.lora_alpha, lora_dropout: d.lora_dropout, target_modules: 'all-linear' }, "what TRL's get_peft_config would build from the same names");
  for (const k of Object.keys(trlStyle.lora ?? {})) assert.ok(loraFields.has(k), `${k} is not a PEFT LoraConfig field`);
  for (const [k, v] of Object.entries(KEY_MAP)) for (const m of v.matchAll(/ModelConfig\.(\w+)/g)) assert.ok(fieldsOf('ModelConfig').has(m[1] ?? ''), `${k}: ModelConfig.${m[1] ?? ''} is not a field of TRL ${TRL_VERSION}`);
  assert.equal(trlPlan(cfgOf({ model: { from: 'm' }, lora_r: 8 })).lora, undefined, 'lora_r without use_peft trains every weight, as in TRL');
  const noted = trlPlan(cfgOf({ model: { from: 'm' }, adapter: { type: 'lora' } }), {}, { modelOnly: ['load_in_4bit'] });
  assert.ok(noted.notes.some((n) => /ModelConfig\.load_in_4bit is not exported/.test(n)));
  assert.ok(!('load_in_4bit' in noted.kwargs), 'a ModelConfig field is no TrainingArguments field');
});

void test('orpo-pr and ORPO without the prompt NLL are refused with a reason', () => {
  assert.throws(() => trlPlan(cfgOf({ method: 'orpo-pr' })), (e: unknown) => e instanceof ExportError && /no TRL trainer/.test(e.message));
  assert.throws(() => trlPlan(cfgOf({ nll_on_prompt: false })), (e: unknown) => e instanceof ExportError && /nll_on_prompt/.test(e.message));
});

void test("the callback's standard-library module passes its python3 tests", () => {
  const r = python(['-m', 'unittest', '-v', 'test_orpo_lab_run'], pythonDir());
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /Ran 9 tests/);
});

const FORMATS: [string, string, string][] = [
  ['explicit', 'explicit.json', 'orpo'],
  ['implicit', 'hh-implicit.jsonl', 'dpo'],
  ['conversational', 'conversational.jsonl', 'sft'],
  ['sharegpt', 'sharegpt.json', 'orpo'],
];

for (const [format, file, method] of FORMATS) {
  void test(`export of ${format} data (${method}): the loader's pairs, and every Python file compiles`, async () => {
    await useCpu();
    const dir = mkdtempSync(join(tmpdir(), 'orpo-export-'));
    const cfgPath = join(dir, 'e.orpo.yaml');
    writeFileSync(cfgPath, `name: e-${format}\nmethod: ${method}\n${method === 'dpo' ? 'beta: 0.1\n' : ''}model: { layers: 1, d_model: 16, heads: 2, context: 128 }\ndata: { train: ${join(root, 'test/fixtures/data', file)}, format: ${format}, eval: 0.3, max_length: 96, max_prompt_length: 48 }\ntrain: { batch_size: 2, max_steps: 3 }\n`);
    const out = join(dir, 'out');
    const code = await main(['trl', cfgPath, '--out', out]);
    assert.equal(code, 0);
    const cfg = resolveConfig({ ...(await import('yaml')).parse(readFileSync(cfgPath, 'utf8')) as object });
    const tok = await buildTokenizer(cfg, dir);
    const loaded = await loadDataset(cfg.data, { configDir: dir, seed: cfg.seed, tokenizer: tok, skipInvalid: false });
    for (const side of ['train', 'eval'] as const) {
      const rows = readFileSync(join(out, 'data', `${side}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const r of rows) assert.deepEqual(Object.keys(r), ['prompt', 'chosen', 'rejected']);
      const ids = rows.map((r) => tokenizePair({ prompt: r.prompt as string, chosen: r.chosen as string, rejected: r.rejected as string }, tok, { maxLength: 96, maxPromptLength: 48 }));
      assert.deepEqual(ids, loaded[side], `${side}: the exported pairs tokenize to exactly the loader's pairs`);
    }
    const py = readdirSync(out).filter((f) => f.endsWith('.py')).map((f) => join(out, f));
    assert.deepEqual(py.map((p) => p.slice(out.length + 1)).sort(), ['orpo_lab_callback.py', 'orpo_lab_run.py', 'train.py']);
    const r = python(['-m', 'py_compile', ...py]);
    assert.equal(r.status, 0, r.stderr);
    const train = readFileSync(join(out, 'train.py'), 'utf8');
    assert.match(train, new RegExp(`TRAINER = "${{ orpo: 'ORPOTrainer', dpo: 'DPOTrainer', sft: 'SFTTrainer' }[method] as string}"`));
    for (const f of ['single_gpu', 'multi_gpu', 'fsdp', 'deepspeed_zero3']) assert.ok(readFileSync(join(out, 'accelerate', `${f}.yaml`), 'utf8').includes('distributed_type:'));
    assert.match(readFileSync(join(out, 'requirements.txt'), 'utf8'), /^trl==1\.13\.0\ntransformers==5\.18\.0$/m);
    assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /--num_machines 2/);
    assert.equal(JSON.parse(readFileSync(join(out, 'model', 'tokenizer_config.json'), 'utf8')).bos_token, null);
    const mc = JSON.parse(readFileSync(join(out, 'model', 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([mc.bos_token_id, mc.eos_token_id, mc.pad_token_id], [null, 256, 256], "config.json declares the byte tokenizer's ids, not GPT2Config's 50256");
  });
}

void test('an existing non-empty --out is refused; orpo-pr exits 2 and writes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-export-'));
  const cfgPath = join(dir, 'e.orpo.yaml');
  writeFileSync(cfgPath, `name: pr\nmethod: orpo-pr\ndata: { train: ${join(root, 'test/fixtures/data/explicit.json')} }\n`);
  assert.equal(await main(['trl', cfgPath, '--out', join(dir, 'out')]), 2);
  assert.deepEqual(readdirSync(dir), ['e.orpo.yaml']);
  writeFileSync(join(dir, 'keep.txt'), 'x');
  assert.equal(await main(['trl', cfgPath, '--out', dir]), 1);
  await assert.rejects(main(['trl', cfgPath, '--out', join(dir, 'o'), '--bogus']), /unknown option --bogus\nusage: orpo-lab export trl CONFIG/);
});

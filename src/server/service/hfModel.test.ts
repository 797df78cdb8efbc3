// Hugging Face model directories as model.from: the real fixtures (test/fixtures/hf) pass; an unreadable
// config.json, an unsupported architecture and missing weights are errors naming what was found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { createProbe, memoryFileAccess, validateDocument as validateAll } from './index';

// The three-pair fixture's eval split is thin (fileChecks.ts warns, tested in validate.test.ts); not the subject here.
const validateDocument = (...a: Parameters<typeof validateAll>) => validateAll(...a).filter((d) => d.code !== 'eval-size');

const CFG = path.resolve(__dirname, '../../../test/fixtures/configs/exp.orpo.yaml');
const base = (from: string) => `name: t\nmodel:\n  from: ${from}\ndata:\n  train: data/explicit.jsonl\n  max_length: 32\n  max_prompt_length: 16\n`;

void test('the real tiny GPT-2, Llama and sharded Qwen2 directories are accepted', () => {
  for (const dir of ['tiny-gpt2', 'tiny-llama', 'tiny-llama-bf16', 'tiny-qwen2-sharded']) {
    assert.deepEqual(validateDocument(base(`../hf/${dir}`), { path: CFG, fs: createProbe() }), [], dir);
  }
});

void test('a directory without config.json is not a model', () => {
  const ds = validateDocument(base('data'), { path: CFG, fs: createProbe() });
  assert.equal(ds.length, 1);
  assert.match(ds[0]?.message ?? '', /has no config\.json/);
});

void test('unsupported architectures and unreadable config.json name what was found', () => {
  const fs = createProbe(memoryFileAccess({
    '/p/data/explicit.jsonl': '{"prompt":"a","chosen":"b","rejected":"c"}\n',
    '/p/bert/config.json': '{"architectures": ["BertForMaskedLM"], "model_type": "bert"}',
    '/p/bert/model.safetensors': 'x',
    '/p/broken/config.json': '{"architectures": [',
    '/p/noweights/config.json': '{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "max_position_embeddings": 16}',
  }));
  const run = (dir: string) => validateDocument(base(dir), { path: '/p/exp.orpo.yaml', fs });
  const bert = run('bert');
  assert.equal(bert.length, 1);
  assert.match(bert[0]?.message ?? '', /architectures\[0\] "BertForMaskedLM", model_type "bert"\); supported: GPT2LMHeadModel \(gpt2\), LlamaForCausalLM \(llama\), Qwen2ForCausalLM \(qwen2\)/);
  assert.match(run('broken')[0]?.message ?? '', /config\.json is not readable JSON/);
  const nw = run('noweights').map((d) => d.message);
  assert.equal(nw.length, 2);
  assert.match(nw.join('\n'), /no model\.safetensors/);
  assert.match(nw.join('\n'), /data\.max_length \(32\) must be at most 16/);
});

void test('scratch-only keys are flagged as ignored for a Hugging Face model', () => {
  const ds = validateDocument(base('../hf/tiny-gpt2') + 'model:\n  from: ../hf/tiny-gpt2\n  layers: 2\n', { path: CFG, fs: createProbe() });
  assert.ok(ds.some((d) => d.code === 'duplicate-key'));
  const ok = validateDocument('name: t\nmodel:\n  from: ../hf/tiny-gpt2\n  layers: 2\ndata:\n  train: data/explicit.jsonl\n  max_length: 32\n  max_prompt_length: 16\n', { path: CFG, fs: createProbe() });
  assert.deepEqual(ok.map((d) => [d.severity, d.message]), [['warning', 'model.layers is ignored: the architecture comes from ../hf/tiny-gpt2/config.json']]);
});

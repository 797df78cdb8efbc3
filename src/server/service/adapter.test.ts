// The `adapter:` section (issue 13, LoRA in PEFT's format) in the language service: a valid section on
// a Hugging Face model passes; a scratch model, a wrong type, a bad rank or dropout, a misspelt
// `all-linear`, a non-name in target_modules and an empty list are errors on their own line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { createProbe, validateDocument as validateAll } from './index';

const validateDocument = (...a: Parameters<typeof validateAll>) => validateAll(...a).filter((d) => d.code !== 'eval-size');
const CFG = path.resolve(__dirname, '../../../test/fixtures/configs/exp.orpo.yaml');
const doc = (model: string, adapter: string) => `name: t\nmodel:\n  from: ${model}\ndata:\n  train: data/explicit.jsonl\n  max_length: 32\n  max_prompt_length: 16\nadapter:\n${adapter}`;
const check = (text: string) => validateDocument(text, { path: CFG, fs: createProbe() }).map((d) => ({ line: d.range.start.line, severity: d.severity, message: d.message }));

void test('a LoRA adapter on a Hugging Face model validates, with a list or all-linear', () => {
  assert.deepEqual(check(doc('../hf/tiny-llama', '  type: lora\n  r: 16\n  alpha: 32\n  dropout: 0.05\n  target_modules: [q_proj, v_proj]\n')), []);
  assert.deepEqual(check(doc('../hf/tiny-gpt2', '  type: lora\n  target_modules: all-linear\n')), []);
});

void test('adapter errors name the key and sit on its line', () => {
  const scratch = check(doc('scratch', '  type: lora\n')).filter((d) => !/exceed max_length/.test(d.message));
  assert.equal(scratch.length, 1);
  assert.equal(scratch[0]?.line, 7);
  assert.match(scratch[0]?.message ?? '', /^adapter needs model\.from: a Hugging Face model directory/);
  const bad = check(doc('../hf/tiny-gpt2', '  type: lorra\n  r: 0\n  dropout: 1\n  target_modules: all-lineer\n'));
  assert.deepEqual(bad.map((d) => d.line), [8, 9, 10, 11]);
  assert.match(bad[0]?.message ?? '', /adapter\.type must be one of `lora`, got "lorra"/);
  assert.match(bad[1]?.message ?? '', /adapter\.r must be an integer ≥ 1/);
  assert.match(bad[2]?.message ?? '', /adapter\.dropout must be a number ≥ 0 and ≤ 0\.99, got 1/);
  assert.match(bad[3]?.message ?? '', /did you mean "all-linear"/);
  const item = check(doc('../hf/tiny-gpt2', '  type: lora\n  target_modules: [c_attn, 3]\n'));
  assert.deepEqual(item, [{ line: 9, severity: 'error', message: 'adapter.target_modules[1] must be a name (a string), got 3' }]);
  assert.match(check(doc('../hf/tiny-gpt2', '  type: lora\n  target_modules: []\n'))[0]?.message ?? '', /adapter\.target_modules must list at least one name/);
  assert.match(check(doc('../hf/tiny-gpt2', '  r: 4\n'))[0]?.message ?? '', /missing required key "type" in adapter/);
});

void test('model.adapter must be a PEFT adapter directory', () => {
  const text = (adapter: string) => `name: t\nmodel:\n  from: ../hf/tiny-gpt2\n  adapter: ${adapter}\ndata:\n  train: data/explicit.jsonl\n  max_length: 32\n  max_prompt_length: 16\n`;
  const notAdapter = check(text('../hf/tiny-llama'));
  assert.equal(notAdapter.length, 1);
  assert.equal(notAdapter[0]?.line, 3);
  assert.match(notAdapter[0]?.message ?? '', /^model\.adapter: .*tiny-llama has no adapter_config\.json/);
  const gone = check(text('../hf/nowhere'));
  assert.equal(gone.length, 1, 'one problem, not one per check');
  assert.match(gone[0]?.message ?? '', /model\.adapter: directory not found/);
});

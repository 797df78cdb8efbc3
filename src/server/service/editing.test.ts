// Completion, hover, code actions and the code lens, on inline YAML with a `<|>` cursor marker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { CompletionKind, createProbe, getCodeActions, getCodeLenses, getCompletions, getHover, validateDocument } from './index';
import { applyEdits, withCursor } from './testing';

const CFG = path.resolve(__dirname, '../../../test/fixtures/configs/exp.orpo.yaml');
const complete = (marked: string) => {
  const { text, pos } = withCursor(marked);
  return { text, items: getCompletions(text, pos, { path: CFG, fs: createProbe() }) };
};
const labels = (marked: string) => complete(marked).items.map((i) => i.label);
const hover = (marked: string) => {
  const { text, pos } = withCursor(marked);
  return getHover(text, pos, { path: CFG, fs: createProbe() })?.contents.value ?? '';
};

void test('completion: top-level keys not yet written, with docs and defaults', () => {
  const { items, text } = complete('name: x\nme<|>\n');
  const names = items.map((i) => i.label);
  assert.ok(names.includes('method') && names.includes('data') && names.includes('train'));
  assert.ok(!names.includes('name'), 'an existing key is not offered again');
  assert.ok(!names.includes('learning_rate'), 'nested keys are not offered at the top');
  const method = items.find((i) => i.label === 'method');
  assert.equal(method?.kind, CompletionKind.Property);
  assert.equal(method?.detail, 'default: orpo');
  assert.match(method?.documentation?.value ?? '', /Training objective/);
  assert.equal(applyEdits(text, [method?.textEdit ?? assert.fail()]), 'name: x\nmethod: \n');
  const data = items.find((i) => i.label === 'data');
  assert.equal(applyEdits(text, [data?.textEdit ?? assert.fail()]), 'name: x\ndata:\n  \n');
});

void test('completion: keys inside a block', () => {
  const names = labels('name: x\ntrain:\n  batch_size: 4\n  <|>\n  max_steps: 3\nbackend: auto\n');
  assert.ok(names.includes('learning_rate') && names.includes('warmup_steps'));
  assert.ok(!names.includes('batch_size') && !names.includes('max_steps'), 'siblings are excluded');
  assert.ok(!names.includes('method'));
  assert.deepEqual(labels('tokenizer:\n  <|>\n'), ['train']);
  assert.deepEqual(labels('name: x\nseed: 3\n  <|>\n'), [], 'no keys under a scalar');
});

void test('completion: enum and boolean values, and the default', () => {
  assert.deepEqual(labels('method: <|>\n'), ['orpo', 'sft', 'dpo', 'orpo-pr']);
  assert.deepEqual(labels('train:\n  schedule: co<|>\n'), ['cosine', 'linear', 'constant']);
  assert.deepEqual(labels('nll_on_prompt: <|>'), ['true', 'false']);
  assert.deepEqual(labels('backend: <|>'), ['auto', 'tensorflow', 'webgpu', 'native', 'wasm', 'cpu']);
  assert.deepEqual(labels('train:\n  learning_rate: <|>'), ['0.0003']);
  const { text, items } = complete('method: or<|>\n');
  const pr = items.find((i) => i.label === 'orpo-pr');
  assert.equal(applyEdits(text, [pr?.textEdit ?? assert.fail()]), 'method: orpo-pr\n');
});

void test('completion: file paths for data, tokenizer and model, relative to the config', () => {
  const data = labels('data:\n  train: data/<|>\n');
  assert.ok(data.includes('explicit.jsonl') && data.includes('implicit.jsonl.gz') && data.includes('sharegpt.json'), data.join());
  const root = labels('data:\n  train: <|>\n');
  assert.ok(root.includes('data/'), root.join());
  assert.ok(!root.includes('valid.orpo.yaml'), 'only dataset files are offered');
  const { text, items } = complete('data:\n  eval: "data/imp<|>"\n');
  const gz = items.find((i) => i.label === 'implicit.jsonl.gz');
  assert.equal(gz?.kind, CompletionKind.File);
  assert.equal(applyEdits(text, [gz?.textEdit ?? assert.fail()]), 'data:\n  eval: "data/implicit.jsonl.gz"\n');
  const model = labels('model:\n  from: ../hf/<|>\n');
  assert.deepEqual(model.filter((l) => l.startsWith('tiny')).sort(), ['tiny-gpt2/', 'tiny-llama-bf16/', 'tiny-llama/', 'tiny-qwen2-sharded/'].sort());
  assert.ok(labels('model:\n  from: <|>\n').includes('scratch'));
  const tok = labels('tokenizer: <|>\n');
  assert.ok(tok.includes('bytes') && tok.includes('data/'));
});

void test('hover: documentation, default and valid range; lambda adds the paper values', () => {
  const lambda = hover('lam<|>bda: 0.1\n');
  assert.match(lambda, /\*\*lambda\*\* · number/);
  assert.match(lambda, /Default: `0\.1`/);
  assert.match(lambda, /Valid: a number > 0 \(warning above 10\)/);
  assert.match(lambda, /0\.1 for Mistral-ORPO-α, 0\.25 for Phi-2, 0\.2 for Llama-2/);
  assert.match(lambda, /Hong et al\. 2024/);
  const bs = hover('train:\n  batch_size: 1<|>6\n');
  assert.match(bs, /\*\*train\.batch_size\*\* · integer/);
  assert.match(bs, /Valid: an integer ≥ 1/);
  assert.match(hover('da<|>ta:\n  train: x\n'), /Keys: `train`, `eval`/);
  assert.equal(hover('unknown_ke<|>y: 1\n'), '');
  assert.equal(hover('# comm<|>ent\n'), '');
});

void test('hover on a data file: format and pair count', () => {
  const h = hover('name: t\ndata:\n  train: data/implicit.jso<|>nl.gz\n');
  assert.match(h, /\*\*data\.train\*\*/);
  assert.match(h, /Format: `implicit` \(detected\)/);
  assert.match(h, /Pairs: 5/);
  assert.match(hover('data:\n  train: data/none<|>.jsonl\n'), /not found/);
});

void test('code actions: only for diagnostics at the requested range', () => {
  const text = 'name: t\ndata:\n  train: data/explicit.jsonl\nmethod: sfft\ntrain:\n  btach_size: 4\n';
  const diags = validateDocument(text, { path: CFG, fs: createProbe() });
  const at = (line: number) => getCodeActions(text, { start: { line, character: 9 }, end: { line, character: 9 } }, { path: CFG, diagnostics: diags });
  assert.deepEqual(at(3).map((a) => a.title), ['Change to "sft"']);
  assert.deepEqual(at(5).map((a) => a.title), ['Change to "batch_size"']);
  assert.deepEqual(at(0), []);
  const fixed = applyEdits(applyEdits(text, at(5)[0]?.edits ?? []), at(3)[0]?.edits ?? []);
  assert.deepEqual(validateDocument(fixed, { path: CFG, fs: createProbe() }), []);
});

void test('code lens: "▶ Start ORPO run" at the top, running orpoLab.startRun with the document URI', () => {
  const uri = 'file:///w/exp.orpo.yaml';
  assert.deepEqual(getCodeLenses('name: t\n', uri), [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, command: { title: '▶ Start ORPO run', command: 'orpoLab.startRun', arguments: [uri] } }]);
});

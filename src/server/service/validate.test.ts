// Service tests for every diagnostic of issue 3, on inline YAML: each problem is reported once, on the
// exact key or value at fault, with the right severity, and quick fixes produce a config without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProbe, memoryFileAccess, validateDocument, fixesOf, getCodeActions, type ConfigDiagnostic } from './index';
import { applyEdits, textAt } from './testing';

const CFG = '/proj/exp.orpo.yaml';
const files = {
  '/proj/data/pairs.jsonl': '{"prompt":"Hi","chosen":" Hello!","rejected":" Go away."}\n',
  '/proj/data/eval.jsonl': '{"chosen":"H: hi A: hello","rejected":"H: hi A: no"}\n',
  '/proj/tok/tokenizer.json': '{"model":{"type":"BPE"}}',
};
const fsNone = () => createProbe(memoryFileAccess(files));
const BASE = 'name: t\ndata:\n  train: data/pairs.jsonl\n';
const run = (text: string, fs = fsNone()) => validateDocument(text, { path: CFG, fs });

/** The single diagnostic matching `code`, asserting where it points. */
function one(text: string, code: string, at: string, severity: ConfigDiagnostic['severity'] = 'error', fs = fsNone()): ConfigDiagnostic {
  const ds = run(text, fs);
  const hits = ds.filter((d) => d.code === code);
  assert.equal(hits.length, 1, `expected one ${code}, got: ${JSON.stringify(ds.map((d) => [d.code, d.message]))}`);
  const d = hits[0] as ConfigDiagnostic;
  assert.equal(textAt(text, d.range), at);
  assert.equal(d.severity, severity);
  return d;
}

void test('a complete config has no diagnostics', () => {
  assert.deepEqual(run(BASE + 'method: orpo\nlambda: 0.25\ntrain:\n  max_steps: 10\n  warmup_steps: 2\ntokenizer: tok/tokenizer.json\n'), []);
});

void test('YAML syntax errors, duplicate keys, custom tags and alias bombs', () => {
  assert.match(one(BASE + 'seed: a: b\n', 'yaml-syntax', 'a').message, /^YAML syntax error: Nested mappings/);
  assert.match(one(BASE + '\tseed: 1\n', 'yaml-syntax', '\t').message, /Tabs/);
  assert.ok(run(BASE + 'seed: [1, 2\n').some((d) => d.code === 'yaml-syntax'), 'an unclosed flow sequence is reported');
  one(BASE + 'seed: 1\nseed: 2\n', 'duplicate-key', 'seed');
  one(BASE + 'seed: !!js/function "f"\n', 'yaml-tag', '!!js/function');
  const bomb = 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
  const d = run(bomb).find((x) => x.code === 'yaml-alias');
  assert.ok(d, 'alias bomb refused');
  assert.match(d.message, /alias/);
});

void test('Red Hat YAML coexistence: syntax problems can be left to the other extension', () => {
  const text = BASE + 'seed: 1\nseed: 2\n';
  assert.equal(validateDocument(text, { path: CFG, fs: fsNone(), yamlSyntax: false }).filter((d) => d.code === 'duplicate-key').length, 0);
});

void test('wrong types, integers and non-finite numbers', () => {
  assert.match(one(BASE + 'train:\n  batch_size: eight\n', 'type', 'eight').message, /train\.batch_size must be an integer ≥ 1 and ≤ 4096, got "eight"/);
  one(BASE + 'train:\n  batch_size: 8.5\n', 'type', '8.5');
  one(BASE + 'nll_on_prompt: yes\n', 'type', 'yes');
  one(BASE + 'model: 5\n', 'type', '5');
  assert.match(one(BASE + 'train:\n  learning_rate: .nan\n', 'type', '.nan').message, /finite number/);
  one(BASE + 'lambda: .inf\n', 'type', '.inf');
  assert.match(one('- a\n- b\n', 'type', '- a\n- b\n').message, /mapping/);
});

void test('missing required keys, with a quick fix that adds them', () => {
  const text = 'name: t\ndata:\n  format: auto\n';
  const d = one(text, 'required', 'data');
  assert.match(d.message, /missing required key "train" in data/);
  const [fix] = fixesOf(d);
  assert.ok(fix);
  const fixed = applyEdits(text, fix.edits);
  assert.equal(fixed, 'name: t\ndata:\n  train: data/train.jsonl\n  format: auto\n');
  assert.equal(run(fixed).filter((x) => x.code === 'required').length, 0);

  const noName = '# header\ndata:\n  train: data/pairs.jsonl\n';
  const dn = one(noName, 'required', '# header');
  const fixedName = applyEdits(noName, (fixesOf(dn)[0] ?? assert.fail('no fix')).edits);
  assert.equal(fixedName, '# header\nname: exp\ndata:\n  train: data/pairs.jsonl\n');
  assert.deepEqual(run(fixedName), []);
});

void test('an empty document gets fixes for every required key', () => {
  let text = '';
  assert.deepEqual(run(text).map((d) => d.code), ['required', 'required']);
  // Apply one fix at a time, as an editor does (each edit is computed on the current text).
  for (let i = 0; i < 3; i++) {
    const d = run(text).find((x) => x.code === 'required');
    if (!d) break;
    text = applyEdits(text, (fixesOf(d)[0] ?? assert.fail('no fix')).edits);
  }
  assert.equal(text, 'name: exp\ndata:\n  train: data/train.jsonl\n');
});

void test('enum values outside their set, with did-you-mean', () => {
  const d = one(BASE + 'method: orpp\n', 'enum', 'orpp');
  assert.match(d.message, /method must be one of `orpo`, `sft`, `dpo`, `orpo-pr`, got "orpp"; did you mean "orpo"\?/);
  assert.equal(fixesOf(d)[0]?.edits[0]?.newText, 'orpo');
  one(BASE + 'backend: gpu\n', 'enum', 'gpu');
  one(BASE + 'data:\n  train: data/pairs.jsonl\n  format: sharegtp\n'.replace(BASE.slice(8), '').replace('name: t\n', 'name: t\n'), 'enum', 'sharegtp');
});

void test('unknown keys: did you mean, a quick fix, or where the key belongs', () => {
  const text = BASE + 'train:\n  learning_rat: 0.001\n';
  const d = one(text, 'unknown-key', 'learning_rat');
  assert.match(d.message, /unknown key "learning_rat" in train; did you mean "learning_rate"\?/);
  const [action] = getCodeActions(text, d.range, { path: CFG, fs: fsNone() });
  assert.ok(action);
  assert.equal(action.title, 'Change to "learning_rate"');
  assert.deepEqual(run(applyEdits(text, action.edits)), []);
  assert.match(one(BASE + 'batch_size: 4\n', 'unknown-key', 'batch_size').message, /belongs under train/);
  assert.match(one(BASE + 'zzzzzzzz: 4\n', 'unknown-key', 'zzzzzzzz').message, /valid keys: name, seed/);
});

void test('numeric ranges: lambda and learning_rate errors and warnings', () => {
  assert.match(one(BASE + 'lambda: 0\n', 'range', '0').message, /lambda must be a number > 0, got 0/);
  one(BASE + 'lambda: -1\n', 'range', '-1');
  assert.match(one(BASE + 'lambda: 12\n', 'range-warning', '12', 'warning').message, /0\.1 for Mistral-ORPO-α/);
  assert.equal(run(BASE + 'lambda: 10\n').length, 0);
  one(BASE + 'train:\n  learning_rate: 0\n', 'range', '0');
  one(BASE + 'train:\n  learning_rate: 5.0e-2\n', 'range-warning', '5.0e-2', 'warning');
  assert.equal(run(BASE + 'train:\n  learning_rate: 1.0e-2\n').length, 0);
});

void test('batch sizes, steps and dimensions must be positive integers', () => {
  for (const [key, parent] of [['batch_size', 'train'], ['grad_accum', 'train'], ['max_steps', 'train'], ['layers', 'model'], ['d_model', 'model'], ['heads', 'model'], ['context', 'model'], ['max_length', 'data']] as const) {
    const text = parent === 'data' ? `name: t\ndata:\n  train: data/pairs.jsonl\n  ${key}: 0\n` : `${BASE}${parent}:\n  ${key}: 0\n`;
    assert.match(one(text, 'range', '0').message, new RegExp(`${parent}\\.${key} must be an integer ≥ 1`));
  }
  one(BASE + 'train:\n  max_steps: -3\n', 'range', '-3');
});

void test('cross-field rules', () => {
  assert.match(one(BASE + 'model:\n  d_model: 130\n  heads: 4\n', 'cross-field', '130').message, /divisible by model\.heads \(4\)/);
  assert.equal(run(BASE + 'model:\n  d_model: 128\n  heads: 8\n').length, 0);
  one(`name: t\ndata:\n  train: data/pairs.jsonl\n  max_length: 128\n  max_prompt_length: 128\n`, 'cross-field', '128\n'.trim());
  assert.match(one(`name: t\nmodel:\n  context: 128\ndata:\n  train: data/pairs.jsonl\n  max_length: 200\n  max_prompt_length: 64\n`, 'cross-field', '200').message, /at most model\.context \(128\)/);
  one(BASE + 'train:\n  max_steps: 10\n  warmup_steps: 10\n', 'cross-field', '10\n'.trim());
  assert.match(one(BASE + 'train:\n  max_steps: 10\n  epochs: 2\n', 'cross-field', '2').message, /not both/);
  const dpo = BASE + 'method: dpo\n';
  const d = one(dpo, 'cross-field', 'dpo');
  assert.match(d.message, /needs beta/);
  assert.deepEqual(run(applyEdits(dpo, (fixesOf(d)[0] ?? assert.fail('no fix')).edits)), []);
});

void test('backend tensorflow without tfjs-node names the backend that will run', () => {
  assert.match(one(BASE + 'backend: tensorflow\n', 'backend', 'tensorflow', 'warning').message, /train` will fail.*wasm/);
  const cpuOnly = createProbe(memoryFileAccess(files, ['@tensorflow/tfjs-node']));
  assert.match(one(BASE + 'backend: tensorflow\n', 'backend', 'tensorflow', 'warning', cpuOnly).message, /runs on the CPU through @tensorflow\/tfjs-node/);
  const gpu = createProbe(memoryFileAccess(files, ['@tensorflow/tfjs-node-gpu']));
  assert.equal(run(BASE + 'backend: tensorflow\n', gpu).length, 0);
  // On this machine neither package installs: the real resolver agrees.
  assert.equal(validateDocument(BASE + 'backend: tensorflow\n', { path: CFG, fs: createProbe() }).filter((x) => x.code === 'backend').length, 1);
});

void test('unions: tokenizer and data.eval keep only the errors of the matching variant', () => {
  assert.match(one(BASE + 'tokenizer:\n  train: 100\n', 'range', '100').message, /tokenizer\.train must be an integer ≥ 260/);
  assert.match(one(BASE + 'tokenizer: 5\n', 'type', '5').message, /`bytes` or a path to a file, or a mapping/);
  one(`name: t\ndata:\n  train: data/pairs.jsonl\n  eval: 1.5\n`, 'range', '1.5');
  assert.deepEqual(run(`name: t\ndata:\n  train: data/pairs.jsonl\n  eval: data/eval.jsonl\n`).map((d) => d.code), ['eval-size'], 'a one-pair eval file is thin, and valid');
});

void test('files resolve relative to the config', () => {
  assert.match(one('name: t\ndata:\n  train: data/nope.jsonl\n', 'file', 'data/nope.jsonl').message, /file not found: \/proj\/data\/nope\.jsonl/);
  assert.match(one('name: t\ndata:\n  train: data\n', 'file', 'data').message, /is a directory/);
  one(BASE + 'tokenizer: tok/missing.json\n', 'file', 'tok/missing.json');
  one(BASE + 'model:\n  from: models/none\n', 'file', 'models/none');
  one(`name: t\ndata:\n  train: data/pairs.jsonl\n  eval: data/missing.jsonl\n`, 'file', 'data/missing.jsonl');
  one(BASE + 'output_dir: data/pairs.jsonl\n', 'file', 'data/pairs.jsonl');
});

void test('stats and sniffs are cached, and invalidated on change', () => {
  let reads = 0;
  let clock = 0;
  const contents: Record<string, string> = { ...files };
  const base = memoryFileAccess(contents);
  const access = { ...base, readHead: (p: string, n: number) => (reads++, Buffer.from(contents[p] ?? '').subarray(0, n)), stat: (p: string) => ({ ...base.stat(p), size: (contents[p] ?? '').length }) };
  const fs = createProbe(access, { now: () => clock });
  assert.equal(run(BASE, fs).length, 0);
  const first = reads;
  assert.equal(run(BASE, fs).length, 0);
  assert.equal(reads, first, 'second validation reuses the sniff and the whole-file counts');
  contents['/proj/data/pairs.jsonl'] = '{"prompt":"Hi","chosen":" Same","rejected":" Same"}\n';
  clock += 100;
  assert.equal(run(BASE, fs).length, 0, 'stat still cached within its TTL');
  fs.invalidate('/proj/data/pairs.jsonl');
  const after = run(BASE, fs);
  assert.equal(after.length, 1);
  assert.match(after[0]?.message ?? '', /identical/);
});

void test('data that is cut or thin: truncated pairs counted in bytes, an eval split under 16 pairs', () => {
  // Explicit pairs: prompt 10 bytes, longer response 20 / 5 / 40 / 2 bytes (+ EOS): totals 31, 16, 51, 13.
  const row = (c: number) => JSON.stringify({ prompt: 'p'.repeat(10), chosen: 'c'.repeat(c), rejected: 'r' });
  const many = (n: number) => Array.from({ length: n }, (_, i) => row([20, 5, 40, 2][i % 4] as number)).join('\n') + '\n';
  const fs = createProbe(memoryFileAccess({ '/proj/data/four.jsonl': many(4), '/proj/data/hundred.jsonl': many(100), '/proj/data/four-hundred.jsonl': many(400), '/proj/data/ev.jsonl': many(12) }));
  const cut = run('name: t\ndata:\n  train: data/four.jsonl\n  eval: data/four-hundred.jsonl\n  max_length: 20\n  max_prompt_length: 8\n', fs);
  assert.deepEqual(cut.map((d) => [d.code, d.severity]), [['truncation', 'info']]);
  assert.match(cut[0]?.message ?? '', /^2 of 4 pairs exceed max_length 20 \(byte tokenizer; median 16, 90th percentile 51 bytes\): their prompts are cut from the left to max_prompt_length 8, then the responses to 12$/);
  const most = run('name: t\ndata:\n  train: data/four.jsonl\n  eval: data/four-hundred.jsonl\n  max_length: 15\n  max_prompt_length: 8\n', fs);
  assert.equal(most[0]?.severity, 'warning', '3 of 4 cut: a warning');
  assert.match(most[0]?.message ?? '', /^3 of 4 pairs exceed max_length 15/);
  assert.equal(textAt('name: t\ndata:\n  train: data/four.jsonl\n  eval: data/four-hundred.jsonl\n  max_length: 15\n  max_prompt_length: 8\n', most[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }), '15');
  assert.deepEqual(run('name: t\ndata:\n  train: data/four.jsonl\n  eval: data/four-hundred.jsonl\n  max_length: 64\n  max_prompt_length: 8\n', fs), []);
  // A Hugging Face tokenizer's lengths are not bytes: no count.
  assert.deepEqual(run('name: t\ntokenizer: tok/tokenizer.json\ndata:\n  train: data/four.jsonl\n  eval: data/four-hundred.jsonl\n  max_length: 15\n  max_prompt_length: 8\n', createProbe(memoryFileAccess({ ...files, '/proj/data/four.jsonl': many(4), '/proj/data/four-hundred.jsonl': many(400) }))).map((d) => d.code), []);

  const thin = run('name: t\ndata:\n  train: data/hundred.jsonl\n  eval: 0.05\n  max_length: 64\n  max_prompt_length: 8\n', fs);
  assert.deepEqual(thin.map((d) => [d.code, d.severity]), [['eval-size', 'warning']]);
  assert.match(thin[0]?.message ?? '', /^the eval split has 5 pairs \(0\.05 of 100 pairs; eval: 0\.16 gives 16\)/);
  assert.deepEqual(run('name: t\ndata:\n  train: data/four-hundred.jsonl\n  eval: 0.05\n  max_length: 64\n  max_prompt_length: 8\n', fs), [], '20 eval pairs');
  assert.deepEqual(run('name: t\ndata:\n  train: data/four-hundred.jsonl\n  limit: 200\n  eval: 0.05\n  max_length: 64\n  max_prompt_length: 8\n', fs).map((d) => d.message.slice(0, 40)), ['the eval split has 10 pairs (0.05 of 200'], 'limit applies first');
  assert.match(run('name: t\ndata:\n  train: data/four-hundred.jsonl\n  eval: data/ev.jsonl\n  max_length: 64\n  max_prompt_length: 8\n', fs)[0]?.message ?? '', /^the eval split has 12 pairs \(ev\.jsonl\)/);
});

void test('chat_template: a .jinja file must exist and parse, an inline template must parse; a name is left to the run', () => {
  const fs = createProbe(memoryFileAccess({ ...files, '/proj/ok.jinja': '{% for m in messages %}{{ m.content }}{% endfor %}', '/proj/bad.jinja': '{% for m in messages %}{{ m.content }' }));
  const only = (text: string) => run(BASE + text, fs).filter((d) => d.code === 'chat-template' || /chat_template/.test(d.message));
  assert.deepEqual(only('chat_template: ok.jinja\n'), []);
  assert.deepEqual(only('chat_template: tool_use\n'), []);
  assert.deepEqual(only("chat_template: '{{ messages[0].content }}'\n"), []);
  const bad = only('chat_template: bad.jinja\n');
  assert.equal(bad.length, 1);
  assert.match(bad[0]?.message ?? '', /^\/proj\/bad\.jinja: the chat template does not parse as Jinja: /);
  assert.equal(bad[0]?.severity, 'error');
  assert.match(only("chat_template: '{% if %}'\n")[0]?.message ?? '', /^chat_template: the chat template does not parse as Jinja/);
  assert.match(only('chat_template: gone.jinja\n')[0]?.message ?? '', /chat_template: file not found: \/proj\/gone\.jinja/);
  assert.match(only('chat_template: 3\n')[0]?.message ?? '', /chat_template/);
});

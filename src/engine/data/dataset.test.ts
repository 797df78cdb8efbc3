// Tests for loadDataset (dataset.ts) on the shipped example slices and the fixtures: format detection,
// the seeded eval split, a separate eval file, limit, skip_invalid counting, dropped-pair counting
// (checked against an independent byte count) and evalPrompts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { DataConfig } from '../../common/config';
import { ByteTokenizer } from '../tokenizer/bytes';
import { DataError } from './errors';
import { loadDataset, splitEval } from './dataset';
import type { TokenizedPair } from './tokenize';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIX = join(ROOT, 'test', 'fixtures', 'data');
const tokenizer = new ByteTokenizer();
const cfg = (over: Partial<DataConfig>): DataConfig => ({
  train: 'hh-implicit.jsonl', eval: 0.05, format: 'auto', max_length: 256, max_prompt_length: 128, skip_invalid: false, ...over,
});
const key = (p: TokenizedPair) => JSON.stringify(p);

void test('the shipped HH-RLHF slice: 256 short implicit pairs, a seeded 5% eval split, nothing dropped', async () => {
  const configDir = join(ROOT, 'examples');
  const c = cfg({ train: 'data/hh-rlhf-tiny.jsonl.gz', max_length: 512, max_prompt_length: 400 });
  const a = await loadDataset(c, { configDir, seed: 42, tokenizer, skipInvalid: false });
  assert.equal(a.format, 'implicit');
  assert.deepEqual(a.rows, { train: 243, eval: 13 }); // round(256 * 0.05) = 13
  assert.equal(a.train.length + a.eval.length, 256);
  assert.equal(a.dropped, 0);
  assert.deepEqual(a.warnings, []);
  // Every pair is under 400 characters in all, so it fits max_length 512 whole.
  for (const p of [...a.train, ...a.eval]) assert.ok(p.prompt.length + Math.max(p.chosen.length, p.rejected.length) <= 512);
  // Same seed, same split and order; another seed, another split; the union is always the whole file.
  const b = await loadDataset(c, { configDir, seed: 42, tokenizer, skipInvalid: false });
  assert.deepEqual(b, a);
  const other = await loadDataset(c, { configDir, seed: 43, tokenizer, skipInvalid: false });
  assert.notDeepEqual(other.eval.map(key), a.eval.map(key));
  assert.deepEqual([...other.train, ...other.eval].map(key).sort(), [...a.train, ...a.eval].map(key).sort());
  // evalPrompts are the first eval pairs' prompts.
  assert.equal(a.evalPrompts.length, 4);
  a.evalPrompts.forEach((text, i) => assert.equal(text, tokenizer.decode(a.eval[i]?.prompt ?? [])));
  assert.ok(a.evalPrompts.every((t) => t.startsWith('\n\nHuman:') && t.endsWith('\n\nAssistant:')));
});

void test('dropped pairs are counted: max_prompt_length = max_length keeps only pairs that fit whole', async () => {
  // Independent count from the raw file: prompt bytes + longer response bytes + EOS <= 200.
  const rows = gunzipSync(readFileSync(join(ROOT, 'examples', 'data', 'hh-rlhf-tiny.jsonl.gz'))).toString('utf8').split('\n').filter((l) => l !== '');
  let fit = 0;
  for (const l of rows) {
    const r = JSON.parse(l) as { chosen: string; rejected: string };
    const k = r.chosen.lastIndexOf('\n\nAssistant:') + 12;
    const len = (s: string) => Buffer.byteLength(s, 'utf8');
    if (len(r.chosen.slice(0, k)) + Math.max(len(r.chosen.slice(k)), len(r.rejected.slice(k))) + 1 <= 200) fit++;
  }
  assert.ok(fit > 10 && fit < 256);
  const d = await loadDataset(cfg({ train: 'data/hh-rlhf-tiny.jsonl.gz', max_length: 200, max_prompt_length: 200 }), { configDir: join(ROOT, 'examples'), seed: 1, tokenizer, skipInvalid: false });
  assert.equal(d.dropped, 256 - fit);
  assert.equal(d.train.length + d.eval.length, fit);
  await assert.rejects(
    loadDataset(cfg({ max_length: 8, max_prompt_length: 8 }), { configDir: FIX, seed: 1, tokenizer, skipInvalid: false }),
    /^DataError: hh-implicit\.jsonl: expected at least one training pair after truncation, but all 5 were dropped/,
  );
});

void test('skip_invalid turns each bad row into a counted warning; without it the first bad row is the error', async () => {
  const c = cfg({ train: 'bad-rows.jsonl', eval: 0.5 });
  const d = await loadDataset(c, { configDir: FIX, seed: 3, tokenizer, skipInvalid: true });
  assert.equal(d.train.length + d.eval.length, 2);
  assert.equal(d.warnings.length, 5);
  assert.equal(d.skipped, 5);
  const expected = [
    /^bad-rows\.jsonl:2: invalid JSON: .*; expected one JSON object per line$/,
    /^bad-rows\.jsonl:3: rejected: expected a string, got nothing \(the field is missing\)$/,
    /^bad-rows\.jsonl:4: rejected: expected a string, got a number$/,
    /^bad-rows\.jsonl:5: chosen: expected a non-empty response, got only whitespace$/,
    /^bad-rows\.jsonl:6: rejected: expected a response different from chosen, got an identical one$/,
  ];
  d.warnings.forEach((w, i) => assert.match(w, expected[i] as RegExp));
  await assert.rejects(loadDataset(c, { configDir: FIX, seed: 3, tokenizer, skipInvalid: false }), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.equal(e.file, 'bad-rows.jsonl');
    assert.equal(e.line, 2);
    assert.match(e.message, expected[0] as RegExp);
    return true;
  });
});

void test('a separate eval file (its own format detected), limit, and .json array indices in errors', async () => {
  const d = await loadDataset(cfg({ train: 'explicit.json.gz', eval: 'hh-implicit.jsonl', limit: 4 }), { configDir: FIX, seed: 5, tokenizer, skipInvalid: false, evalPromptCount: 2 });
  assert.equal(d.format, 'explicit');
  assert.deepEqual(d.rows, { train: 4, eval: 6 });
  assert.equal(d.evalPrompts.length, 2);
  // The eval file is read in file order: its first prompt is the first fixture row's.
  const first = JSON.parse(readFileSync(join(FIX, 'hh-implicit.jsonl'), 'utf8').split('\n')[0] ?? '') as { chosen: string };
  assert.equal(d.evalPrompts[0], first.chosen.slice(0, first.chosen.lastIndexOf('\n\nAssistant:') + 12));
  // The same rows as implicit and as explicit tokenize identically.
  const asImplicit = await loadDataset(cfg({ train: 'hh-implicit.jsonl.gz', eval: 'explicit.json' }), { configDir: FIX, seed: 5, tokenizer, skipInvalid: false });
  assert.deepEqual(asImplicit.eval, asImplicit.train);
  // A forced format that does not match names the array element and field.
  await assert.rejects(
    loadDataset(cfg({ train: 'explicit.json', format: 'sharegpt' }), { configDir: FIX, seed: 5, tokenizer, skipInvalid: false }),
    /^DataError: explicit\.json:2: \[0\]\.conversations: expected a list of \{from, value\} messages, got nothing \(the field is missing\)$/,
  );
  await assert.rejects(
    loadDataset(cfg({ train: 'missing.jsonl' }), { configDir: FIX, seed: 5, tokenizer, skipInvalid: false }),
    /^DataError: missing\.jsonl: cannot read: file not found$/,
  );
});

void test('the shipped sharegpt slice loads as sharegpt', async () => {
  const d = await loadDataset(cfg({ train: 'data/dpo-en-sharegpt.json', eval: 0.1, max_length: 1024, max_prompt_length: 512 }), { configDir: join(ROOT, 'examples'), seed: 42, tokenizer, skipInvalid: false });
  assert.equal(d.format, 'sharegpt');
  assert.deepEqual(d.rows, { train: 36, eval: 4 });
  assert.ok(d.evalPrompts.every((p) => p.endsWith('<|im_start|>assistant\n')));
});

void test('splitEval: seeded, disjoint, at least one pair on each side', () => {
  const items = Array.from({ length: 20 }, (_, i) => i);
  const s = splitEval(items, 0.25, 9);
  assert.equal(s.eval.length, 5);
  assert.deepEqual([...s.train, ...s.eval].sort((a, b) => a - b), items);
  assert.deepEqual(splitEval(items, 0.25, 9), s);
  assert.equal(splitEval(items, 0.001, 9).eval.length, 1);
  assert.equal(splitEval([1, 2], 0.9, 9).train.length, 1);
  assert.throws(() => splitEval([1], 0.5, 9), /at least 2 pairs/);
});

void test('invalid UTF-8 in a data file is a warning naming the file and the lines', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { readPairs } = await import('./dataset');
  const dir = mkdtempSync(join(tmpdir(), 'orpo-utf8-'));
  const row = (p: string) => Buffer.from(`{"prompt":"${p}","chosen":" yes","rejected":" no"}\n`);
  // Line 2 holds a Latin-1 "é" (0xe9), not valid UTF-8; line 3 a valid "é" (0xc3 0xa9).
  const latin1 = Buffer.concat([row('a'), Buffer.from('{"prompt":"caf'), Buffer.from([0xe9]), Buffer.from('","chosen":" yes","rejected":" no"}\n'), row('café'), row('b')]);
  writeFileSync(join(dir, 'd.jsonl'), latin1);
  const r = await readPairs(join(dir, 'd.jsonl'), 'data/d.jsonl', { format: 'auto', skipInvalid: false });
  assert.equal(r.pairs.length, 4, 'the rows are still read');
  assert.deepEqual(r.warnings, []);
  assert.equal(r.notices.length, 1);
  assert.match(r.notices[0] as string, /^data\/d\.jsonl:2: invalid UTF-8 .* in 1 row, at line 2; the file must be UTF-8/);
  writeFileSync(join(dir, 'ok.jsonl'), Buffer.concat([row('café'), row('b')]));
  assert.deepEqual((await readPairs(join(dir, 'ok.jsonl'), 'ok.jsonl', { format: 'auto', skipInvalid: false })).notices, []);
});

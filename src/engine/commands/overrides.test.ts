// KEY=VALUE overrides of `orpo-lab train`: read as YAML values, set in the config's document, and
// validated by the language server's checks; a problem an override brings names that override.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../args';
import { applyOverrides, parseOverride, preflightConfig } from './overrides';

// 80 pairs: eval 0.25 holds out 20, above the thin-eval warning's 16, so the file alone has no problem.
function configFile(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-ovr-'));
  writeFileSync(join(dir, 'pairs.jsonl'), Array.from({ length: 80 }, (_, i) => JSON.stringify({ prompt: `Q${i}`, chosen: `A${i}`, rejected: `B${i}` })).join('\n') + '\n');
  const p = join(dir, 'x.orpo.yaml');
  writeFileSync(p, body);
  return p;
}
const BODY = `name: x   # a comment
method: orpo
data:
  train: pairs.jsonl
  eval: 0.25
train:
  max_steps: 10
  warmup_steps: 2
`;

test('KEY=VALUE reads dotted paths and YAML values', () => {
  assert.deepEqual(parseOverride('train.max_steps=50'), { text: 'train.max_steps=50', path: ['train', 'max_steps'], value: 50 });
  assert.equal(parseOverride('lambda=0.5').value, 0.5);
  assert.equal(parseOverride('name=hello world').value, 'hello world');
  assert.deepEqual(parseOverride('tokenizer={train: 500}').value, { train: 500 });
  assert.equal(parseOverride('data.limit=').value, null);
  for (const bad of ['max_steps', '=5', 'train..x=1', 'a b=1', 'x=[1']) assert.throws(() => parseOverride(bad), UsageError, bad);
});

test('overrides change only their keys and keep the rest of the document', () => {
  const out = applyOverrides(BODY, [parseOverride('train.max_steps=50'), parseOverride('lambda=0.5'), parseOverride('data.limit=4')]);
  assert.deepEqual(out.problems, []);
  const v = parse(out.text) as Record<string, Record<string, unknown>>;
  assert.equal(v.train?.max_steps, 50);
  assert.equal(v.train?.warmup_steps, 2);
  assert.equal(v.lambda as unknown, 0.5);
  assert.equal(v.data?.limit, 4);
  assert.ok(out.text.includes('# a comment'));
  assert.match(applyOverrides(BODY, [parseOverride('name.x=1')]).problems[0] ?? '', /override name\.x=1: error: name is not a mapping/);
});

test('valid overrides give the overridden value; the file alone stays as it is', () => {
  const p = configFile(BODY);
  const base = preflightConfig(p, []);
  assert.deepEqual(base.lines, []);
  assert.equal((base.value as { train: { max_steps: number } }).train.max_steps, 10);
  const r = preflightConfig(p, [parseOverride('train.max_steps=50'), parseOverride('lambda=0.5')]);
  assert.deepEqual(r.lines, []);
  const v = r.value as { lambda: number; train: { max_steps: number } };
  assert.equal(v.train.max_steps, 50);
  assert.equal(v.lambda, 0.5);
});

test('an invalid override is refused like a bad line, and the message names it', () => {
  const p = configFile(BODY);
  const r = preflightConfig(p, [parseOverride('train.max_steps=abc'), parseOverride('lambda=-1'), parseOverride('trian.x=1'), parseOverride('data.train=missing.jsonl')]);
  assert.equal(r.value, undefined);
  const text = r.lines.join('\n');
  assert.match(text, /^override train\.max_steps=abc: error: .*max_steps.*/m);
  assert.match(text, /^override lambda=-1: error: .*lambda/m);
  assert.match(text, /^override trian\.x=1: error: .*"trian".*"train"/m);
  assert.match(text, /^override data\.train=missing\.jsonl: error: .*missing\.jsonl/m, 'file checks run on overridden paths');
  // A cross-field rule the override breaks: warmup_steps (2) must stay below max_steps.
  const cross = preflightConfig(p, [parseOverride('train.max_steps=2')]);
  assert.equal(cross.value, undefined);
  assert.match(cross.lines.join('\n'), /^override train\.max_steps=2: error: .*warmup_steps/m);
});

test("the file's own errors keep file:line:col and stop before the overrides", () => {
  const p = configFile(BODY.replace('max_steps: 10', 'max_steps: -3'));
  const r = preflightConfig(p, [parseOverride('lambda=0.5')]);
  assert.equal(r.value, undefined);
  assert.equal(r.lines.length, 1);
  assert.ok(r.lines[0]?.startsWith(`${p}:7:14: error:`), r.lines[0]);
});

// The experiment template must be a config the schema knows: every key it writes exists in configSpec
// (src/common/schema.ts) and every value fits the key's kind, enum and range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { configSpec, type FieldSpec } from '../common/schema';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureData } from './dataStats';
import { experimentName, experimentTemplate, sizeFromData } from './template';

function check(spec: FieldSpec, value: unknown, path: string, problems: string[]): void {
  switch (spec.kind) {
    case 'object':
      if (typeof value !== 'object' || value === null) { problems.push(`${path}: expected an object`); return; }
      for (const [k, v] of Object.entries(value)) {
        const sub = spec.fields[k];
        if (!sub) problems.push(`${path}.${k}: unknown key`);
        else check(sub, v, `${path}.${k}`, problems);
      }
      for (const [k, sub] of Object.entries(spec.fields)) if (sub.required && !(k in value)) problems.push(`${path}.${k}: missing`);
      return;
    case 'number':
      if (typeof value !== 'number') problems.push(`${path}: expected a number`);
      else if ((spec.integer && !Number.isInteger(value)) || (spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max) || (spec.exclusiveMin !== undefined && value <= spec.exclusiveMin)) problems.push(`${path}: ${value} out of range`);
      return;
    case 'string':
      if (typeof value !== 'string') problems.push(`${path}: expected a string`);
      else if (spec.enum && !spec.enum.includes(value)) problems.push(`${path}: ${value} not in enum`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path}: expected a boolean`);
      return;
    case 'list':
      if (!Array.isArray(value)) problems.push(`${path}: expected a list`);
      else value.forEach((x, i) => check(spec.items, x, `${path}[${i}]`, problems));
      return;
    case 'union': {
      const tries = spec.variants.map((v) => { const p: string[] = []; check(v, value, path, p); return p; });
      if (tries.every((p) => p.length > 0)) problems.push(`${path}: fits no variant`);
      return;
    }
    default: {
      const never: never = spec;
      throw new Error(String(never));
    }
  }
}

void test('the template only uses known keys with valid values', () => {
  const cfg = parse(experimentTemplate({ name: 'hh-small', dataPath: 'data/pairs.jsonl.gz' })) as Record<string, unknown>;
  const problems: string[] = [];
  check(configSpec, cfg, 'config', problems);
  assert.deepEqual(problems, []);
  assert.equal((cfg.data as Record<string, unknown>).train, 'data/pairs.jsonl.gz');
  const model = cfg.model as { d_model: number; heads: number };
  assert.equal(model.d_model % model.heads, 0);
});

void test('names and paths that YAML would misread are quoted', () => {
  const cfg = parse(experimentTemplate({ name: 'yes', dataPath: 'my data/#1.jsonl' })) as Record<string, unknown>;
  assert.equal(cfg.name, 'yes');
  assert.equal((cfg.data as Record<string, unknown>).train, 'my data/#1.jsonl');
});

void test('experimentName derives a clean name from the data file', () => {
  assert.equal(experimentName('/x/data/hh rlhf.train.jsonl.gz'), 'hh-rlhf.train');
  assert.equal(experimentName('C:\\d\\pairs.json'), 'pairs');
  assert.equal(experimentName('###.jsonl'), 'experiment');
});

void test('the scaffold sizes lengths from the data: the shipped HH-RLHF example gives its measured 256 / 128', () => {
  const stats = measureData(join(__dirname, '../../examples/data/hh-rlhf-tiny.jsonl.gz'));
  assert.equal(stats?.pairs, 256);
  assert.equal(stats?.total.length, 256, 'every implicit HH-RLHF pair is measured');
  const cfg = parse(experimentTemplate({ name: 'hh', dataPath: 'data/hh.jsonl.gz', ...(stats ? { stats } : {}) })) as { lambda: number; model: { context: number }; data: { max_length: number; max_prompt_length: number; eval: number }; train: { learning_rate: number; max_steps: number } };
  assert.deepEqual([cfg.data.max_length, cfg.data.max_prompt_length, cfg.model.context], [256, 128, 256]);
  assert.equal(cfg.data.eval, 0.125, '32 of 256 pairs held out');
  assert.deepEqual([cfg.lambda, cfg.train.learning_rate, cfg.train.max_steps], [1, 2e-3, 300]);
});

void test('sizeFromData on hand-made lengths: two thirds fit in max_length, prompts capped at half of it', () => {
  // 30 pairs: totals 10, 20, ..., 300 bytes; prompts 5, 10, ..., 150.
  const total = Array.from({ length: 30 }, (_, i) => 10 * (i + 1));
  const prompt = total.map((t) => t / 2);
  // 2/3 quantile (nearest rank 20) = 200 -> 192; 0.9 quantile of prompts (rank 27) = 135 -> 128 -> min(96, 128) = 96.
  const s = sizeFromData({ pairs: 30, total, prompt });
  assert.deepEqual([s.maxLength, s.maxPromptLength], [192, 96]);
  assert.equal(s.eval, 0.2, 'at most a fifth held out');
  assert.match(s.note, /19 of 30 pairs fit in 192/);
  const none = sizeFromData({ pairs: 1000, total: [], prompt: [] });
  assert.deepEqual([none.maxLength, none.maxPromptLength, none.eval], [256, 128, 0.032]);
});

void test('measureData reads .jsonl and .json arrays; explicit rows count prompt + longer response + EOS in UTF-8 bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-stats-'));
  const rows = [{ prompt: 'héllo', chosen: 'ab', rejected: 'abcd' }, { prompt: 'x', chosen: 'yy', rejected: 'z' }];
  writeFileSync(join(dir, 'a.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n\n');
  writeFileSync(join(dir, 'b.json'), JSON.stringify(rows));
  for (const f of ['a.jsonl', 'b.json']) {
    const s = measureData(join(dir, f));
    assert.deepEqual(s, { pairs: 2, prompt: [6, 1], total: [6 + 4 + 1, 1 + 2 + 1] }, f);
  }
  assert.equal(measureData(join(dir, 'missing.jsonl')), undefined);
});

void test('measureData reads .parquet as the .json it was written from (test/fixtures/data/parquet)', () => {
  const fix = join(__dirname, '../../test/fixtures/data');
  const fromJson = measureData(join(fix, 'explicit.json'));
  assert.ok(fromJson && fromJson.pairs === 6 && fromJson.total.length === 6);
  assert.deepEqual(measureData(join(fix, 'parquet/explicit.parquet')), fromJson);
});

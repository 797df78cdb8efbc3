// The experiment template must be a config the schema knows: every key it writes exists in configSpec
// (src/common/schema.ts) and every value fits the key's kind, enum and range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { configSpec, type FieldSpec } from '../common/schema';
import { experimentName, experimentTemplate } from './template';

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

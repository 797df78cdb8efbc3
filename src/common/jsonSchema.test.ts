// The JSON Schema derived from configSpec: it names every key of the spec (no second list), compiles
// in ajv's strict mode, and accepts or rejects configs as the spec says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { configJsonSchema, type JsonSchema } from './jsonSchema';
import { configSpec, specPaths } from './schema';

function schemaPaths(s: JsonSchema, prefix: string[] = []): string[][] {
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const variants = (s.anyOf ?? []) as JsonSchema[];
  return [
    ...Object.entries(props).flatMap(([k, sub]) => [[...prefix, k], ...schemaPaths(sub, [...prefix, k])]),
    ...variants.flatMap((v) => schemaPaths(v, prefix)),
  ];
}

void test('the JSON Schema has exactly the keys of configSpec', () => {
  const fromSchema = schemaPaths(configJsonSchema()).map((p) => p.join('.')).sort();
  const fromSpec = specPaths(configSpec).map((p) => p.join('.')).sort();
  assert.deepEqual(fromSchema, fromSpec);
  assert.ok(fromSpec.includes('train.learning_rate') && fromSpec.includes('tokenizer.train'));
});

void test('it compiles in strict mode and encodes types, ranges, enums and required keys', () => {
  const validate = new Ajv({ strict: true, allErrors: true }).compile(configJsonSchema());
  const ok = { name: 'x', data: { train: 'a.jsonl', eval: 0.1 }, tokenizer: { train: 1000 }, train: { learning_rate: 3e-4, batch_size: 8 } };
  assert.equal(validate(ok), true, JSON.stringify(validate.errors));
  const cases: [unknown, string][] = [
    [{ data: { train: 'a' } }, 'required'],
    [{ ...ok, lambda: 0 }, 'exclusiveMinimum'],
    [{ ...ok, method: 'ppo' }, 'enum'],
    [{ ...ok, train: { batch_size: 1.5 } }, 'type'],
    [{ ...ok, extra: 1 }, 'additionalProperties'],
    [{ ...ok, data: { train: 'a', eval: 0.95 } }, 'maximum'],
  ];
  for (const [cfg, keyword] of cases) {
    assert.equal(validate(cfg), false);
    assert.ok(validate.errors?.some((e) => e.keyword === keyword), `${keyword}: ${JSON.stringify(validate.errors)}`);
  }
});

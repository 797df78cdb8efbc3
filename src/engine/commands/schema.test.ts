// `orpo-lab schema`: prints a JSON Schema that another validator (ajv here, as Red Hat's YAML
// extension would use it) accepts the shipped examples with and rejects a broken config by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/engine/cli.ts', 'schema', ...args], { cwd: ROOT, encoding: 'utf8' });

void test('the printed schema validates the examples and rejects out-of-range and unknown keys', () => {
  const r = cli();
  assert.equal(r.status, 0, r.stderr);
  const schema = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  const check = new Ajv({ allErrors: true }).compile(schema);
  for (const f of ['hh-rlhf-tiny', 'hh-rlhf-tiny-sft', 'hh-rlhf-tiny-dpo']) {
    const cfg = parse(readFileSync(path.join(ROOT, 'examples', `${f}.orpo.yaml`), 'utf8')) as unknown;
    assert.ok(check(cfg), `${f}: ${JSON.stringify(check.errors)}`);
  }
  const bad = parse('name: x\nmodel: { from: scratch, layers: 0 }\ntrain: { learning_rat: 1 }\ndata: { train: a.jsonl }\n') as unknown;
  assert.equal(check(bad), false);
  const paths = (check.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
  assert.ok(paths.includes('/model/layers minimum'), paths.join('; '));
  assert.ok(paths.includes('/train additionalProperties'), paths.join('; '));
});

void test('--out writes the file; an unknown flag is a usage error', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'orpo-schema-')), 'sub', 's.json');
  const r = cli('--out', file);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).title, 'ORPO Lab experiment (*.orpo.yaml)');
  const bad = cli('--outt', file);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /outt/);
});

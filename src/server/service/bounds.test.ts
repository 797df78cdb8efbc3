// Bounds that keep every run stoppable and every name writable (issue 12 §8): each count in the spec
// has a maximum, a huge grad_accum and a 300-character name are refused at validation, and an
// output_dir under /dev, /proc or /sys (e.g. a config read through process substitution) is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSpec, specAt, specPaths, type FieldSpec } from '../../common/schema';
import { createProbe, memoryFileAccess, validateDocument } from './index';

const files = { '/proj/data/pairs.jsonl': '{"prompt":"Hi","chosen":" Hello!","rejected":" Go away."}\n' };
const BASE = 'name: t\ndata:\n  train: data/pairs.jsonl\n';
const errors = (text: string, path = '/proj/exp.orpo.yaml') =>
  validateDocument(text, { path, fs: createProbe(memoryFileAccess(files)) }).filter((d) => d.severity === 'error').map((d) => d.message);

test('every integer count in the spec has a maximum', () => {
  const unbounded = specPaths(configSpec)
    .map((p) => [p.join('.'), specAt(p)] as [string, FieldSpec | undefined])
    .filter(([, s]) => s?.kind === 'number' && s.integer && s.max === undefined)
    .map(([k]) => k);
  assert.deepEqual(unbounded, []);
});

test('a huge grad_accum, max_steps or batch_size is refused with the bound named', () => {
  assert.match(errors(BASE + 'train:\n  grad_accum: 99999999999999999999\n').join('\n'), /train\.grad_accum must be an integer ≥ 1 and ≤ 4096/);
  assert.match(errors(BASE + 'train:\n  max_steps: 1000000000\n').join('\n'), /train\.max_steps must be an integer ≥ 1 and ≤ 10000000/);
  assert.match(errors(BASE + 'train:\n  batch_size: 100000\n').join('\n'), /train\.batch_size must be .*≤ 4096/);
  assert.deepEqual(errors(BASE + 'train:\n  grad_accum: 4096\n  max_steps: 10000000\n'), []);
});

test('a 300-character name is refused; 128 characters pass', () => {
  assert.match(errors(BASE.replace('name: t', `name: ${'n'.repeat(300)}`)).join('\n'), /name.*(128|more than)/);
  assert.deepEqual(errors(BASE.replace('name: t', `name: ${'n'.repeat(128)}`)), []);
});

test('output_dir under /dev, /proc or /sys is refused, also when relative to a config in /dev/fd', () => {
  assert.match(errors(BASE + 'output_dir: /proc/self/runs\n').join('\n'), /output_dir: \/proc\/self\/runs is under \/proc/);
  assert.match(errors(BASE.replace('data/pairs.jsonl', '/proj/data/pairs.jsonl'), '/dev/fd/63').join('\n'), /output_dir: \/dev\/fd\/runs is under \/dev/);
  assert.match(errors(BASE + 'output_dir: /sys/kernel\n').join('\n'), /under \/sys/);
  assert.deepEqual(errors(BASE + 'output_dir: /devices/runs\n'), []);
});

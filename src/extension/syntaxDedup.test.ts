// The Red Hat YAML coexistence rule, with diagnostics from the real validation service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateDocument } from '../server/service';
import { dropDuplicateSyntax } from './syntaxDedup';

const text = 'name: x\nname: y\nlambda: -1\ndata: {train: [unclosed\n';
const diags = validateDocument(text, { path: '/tmp/dup.orpo.yaml' });

test('the service reports syntax and schema problems for this text', () => {
  assert.ok(diags.some((d) => d.code === 'duplicate-key' || d.code === 'yaml-syntax'), JSON.stringify(diags.map((d) => d.code)));
});

test('orpo-yaml documents keep every problem, with or without Red Hat YAML', () => {
  assert.equal(dropDuplicateSyntax('orpo-yaml', true, diags).length, diags.length);
  assert.equal(dropDuplicateSyntax('yaml', false, diags).length, diags.length);
});

test('a yaml document with Red Hat YAML active drops only the syntax problems Red Hat reports too', () => {
  const kept = dropDuplicateSyntax('yaml', true, diags);
  assert.ok(kept.length < diags.length);
  assert.ok(kept.every((d) => !['yaml-syntax', 'duplicate-key', 'yaml-tag'].includes(String(d.code))));
  assert.deepEqual(kept, diags.filter((d) => !['yaml-syntax', 'duplicate-key', 'yaml-tag'].includes(String(d.code))));
});

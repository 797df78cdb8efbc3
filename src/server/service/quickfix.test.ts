// Quick fixes beyond typos (issue 12 §5): each fix, applied, leaves the config without the problem it
// fixes; the missing-file fix is a command the client runs (the extension's file picker); completion
// offers neither key of a mutually exclusive pair once the other is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { specAt, type NumberSpec } from '../../common/schema';
import { createProbe, getCodeActions, getCompletions, memoryFileAccess, validateDocument, type ConfigDiagnostic } from './index';
import { applyEdits, textAt, withCursor } from './testing';

const CFG = '/proj/exp.orpo.yaml';
const row = (i: number) => JSON.stringify({ prompt: `q${i}`, chosen: ` yes ${i}`, rejected: ` no ${i}` });
const good = Array.from({ length: 400 }, (_, i) => row(i)).join('\n') + '\n';
const files = { '/proj/data/pairs.jsonl': good, '/proj/data/bad.jsonl': `${row(0)}\n{"prompt": "q", "chosen": "x"}\n${row(1)}\n` };
const validate = (text: string) => validateDocument(text, { path: CFG, fs: createProbe(memoryFileAccess(files)) });
const BASE = 'name: t\ndata:\n  train: data/pairs.jsonl\n';

/** The quick fixes offered for the diagnostic with `code`, at its range. */
function actionsFor(text: string, code: string): { d: ConfigDiagnostic; actions: ReturnType<typeof getCodeActions> } {
  const diags = validate(text);
  const d = diags.find((x) => x.code === code) ?? assert.fail(`no ${code} diagnostic in ${JSON.stringify(diags.map((x) => x.message))}`);
  return { d, actions: getCodeActions(text, d.range, { path: CFG, diagnostics: [d] }) };
}

const errors = (text: string) => validate(text).filter((d) => d.severity === 'error').map((d) => d.message);

void test('out-of-range values: the broken bound and the default, each fixing the value', () => {
  const lr = specAt(['train', 'learning_rate']) as NumberSpec;
  const cases: [string, string[]][] = [
    ['model:\n  layers: 0\n', ['Change to 1', `Change to ${String((specAt(['model', 'layers']) as NumberSpec).default)} (the default)`]],
    ['model:\n  layers: 500\n', ['Change to 96', `Change to ${String((specAt(['model', 'layers']) as NumberSpec).default)} (the default)`]],
    ['train:\n  learning_rate: -0.5\n', [`Change to ${String(lr.default)} (the default)`]],
    ['train:\n  weight_decay: 3\n', ['Change to 1', 'Change to 0 (the default)']],
  ];
  for (const [tail, titles] of cases) {
    const text = BASE + tail;
    const { actions } = actionsFor(text, 'range');
    assert.deepEqual(actions.map((a) => a.title), titles, tail);
    for (const a of actions) assert.deepEqual(errors(applyEdits(text, a.edits)), [], `${tail} after "${a.title}"`);
  }
});

void test('max_prompt_length ≥ max_length: halve the prompt budget, or double max_length', () => {
  const text = BASE + '  max_length: 64\n  max_prompt_length: 64\n';
  const { actions } = actionsFor(text, 'cross-field');
  assert.deepEqual(actions.map((a) => a.title), ['Change data.max_prompt_length to 32', 'Change data.max_length to 128']);
  assert.match(applyEdits(text, actions[0]?.edits ?? []), /max_length: 64\n  max_prompt_length: 32\n/);
  for (const a of actions) assert.deepEqual(errors(applyEdits(text, a.edits)), [], a.title);
  // max_prompt_length left at its default (128): the fix writes the key into the data block.
  const implicit = BASE + '  max_length: 100\n';
  const fix = actionsFor(implicit, 'cross-field').actions[0] ?? assert.fail('no fix');
  assert.equal(fix.title, 'Change data.max_prompt_length to 50');
  const after = applyEdits(implicit, fix.edits);
  assert.match(after, /\n {2}max_prompt_length: 50\n/);
  assert.deepEqual(errors(after), []);
});

void test('a missing file: a command fix that lets the client pick one, pointing at the value', () => {
  const text = BASE.replace('data/pairs.jsonl', 'data/nope.jsonl') + 'model:\n  from: models/gone\n';
  const { d, actions } = actionsFor(text, 'file');
  assert.equal(actions.length, 1);
  const a = actions[0] ?? assert.fail('no fix');
  assert.equal(a.title, 'Choose a file…');
  assert.deepEqual(a.edits, []);
  assert.equal(a.command?.command, 'orpoLab.pickFile');
  const arg = a.command?.arguments[0] as { range: ConfigDiagnostic['range']; kind: string; configPath: string };
  assert.equal(textAt(text, arg.range), 'data/nope.jsonl');
  assert.deepEqual([arg.kind, arg.configPath], ['file', CFG]);
  assert.equal(textAt(text, d.range), 'data/nope.jsonl');
  const dir = validate(text).find((x) => x.message.startsWith('model.from')) ?? assert.fail('no model.from diagnostic');
  const pickDir = getCodeActions(text, dir.range, { path: CFG, diagnostics: [dir] })[0];
  assert.equal(pickDir?.title, 'Choose a folder…');
  assert.equal((pickDir?.command?.arguments[0] as { kind: string }).kind, 'dir');
});

void test('epochs together with max_steps: remove either line', () => {
  const text = BASE + 'train:\n  max_steps: 50   # short\n  epochs: 2\n  batch_size: 4\n';
  const { actions } = actionsFor(text, 'cross-field');
  assert.deepEqual(actions.map((a) => a.title), ['Remove train.epochs (keep max_steps)', 'Remove train.max_steps (keep epochs)']);
  assert.equal(applyEdits(text, actions[0]?.edits ?? []), BASE + 'train:\n  max_steps: 50   # short\n  batch_size: 4\n');
  assert.equal(applyEdits(text, actions[1]?.edits ?? []), BASE + 'train:\n  epochs: 2\n  batch_size: 4\n');
  for (const a of actions) assert.deepEqual(errors(applyEdits(text, a.edits)), [], a.title);
});

void test('a bad data row: turn on data.skip_invalid (inserted, or false replaced)', () => {
  const text = 'name: t\ndata:\n  train: data/bad.jsonl\n  eval: data/pairs.jsonl\n';
  const { actions } = actionsFor(text, 'data-row');
  assert.deepEqual(actions.map((a) => a.title), ['Skip invalid rows (data.skip_invalid: true)']);
  const after = applyEdits(text, actions[0]?.edits ?? []);
  assert.match(after, /\n {2}skip_invalid: true\n/);
  assert.deepEqual(errors(after), []);
  assert.ok(validate(after).some((d) => d.code === 'data-row' && d.severity === 'warning'), 'the bad row is still named, as a warning');
  const off = text + '  skip_invalid: false\n';
  const replaced = applyEdits(off, actionsFor(off, 'data-row').actions[0]?.edits ?? []);
  assert.equal(replaced, text + '  skip_invalid: true\n');
});

void test('completion offers neither of max_steps and epochs once the other is written', () => {
  const labels = (marked: string) => {
    const { text, pos } = withCursor(marked);
    return getCompletions(text, pos, { path: CFG, fs: createProbe(memoryFileAccess(files)) }).map((i) => i.label);
  };
  const both = labels(BASE + 'train:\n  batch_size: 4\n  <|>\n');
  assert.ok(both.includes('max_steps') && both.includes('epochs'), both.join(', '));
  const withSteps = labels(BASE + 'train:\n  max_steps: 10\n  <|>\n');
  assert.ok(!withSteps.includes('epochs') && !withSteps.includes('max_steps'), withSteps.join(', '));
  assert.ok(withSteps.includes('batch_size'));
  const withEpochs = labels(BASE + 'train:\n  <|>\n  epochs: 3\n');
  assert.ok(!withEpochs.includes('max_steps') && !withEpochs.includes('epochs'), withEpochs.join(', '));
});

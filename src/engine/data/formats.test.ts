// Tests for format detection and the text formats (formats.ts, implicit.ts) on real HH-RLHF rows, and
// for every kind of bad row with its `file:line: field: expected` message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from './errors';
import { detectFormat, normalizeRow, resolveFormat, type PreferencePair } from './formats';
import { sharedPromptEnd } from './implicit';

const FIX = fileURLToPath(new URL('../../../test/fixtures/data/', import.meta.url));
const hhRows = readFileSync(join(FIX, 'hh-implicit.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { chosen: string; rejected: string });
const ctx = (line: number, index?: number) => ({ file: 'd.jsonl', line, ...(index === undefined ? {} : { index }) });

function throwsData(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

void test('detectFormat recognises each format by shape', () => {
  assert.equal(detectFormat({ prompt: 'p', chosen: 'a', rejected: 'b' }), 'explicit');
  assert.equal(detectFormat({ chosen: 'a', rejected: 'b' }), 'implicit');
  assert.equal(detectFormat({ prompt: [], chosen: [{ role: 'assistant', content: 'a' }], rejected: [] }), 'conversational');
  assert.equal(detectFormat({ chosen: [{ role: 'user', content: 'a' }], rejected: [] }), 'conversational');
  assert.equal(detectFormat({ conversations: [], chosen: { from: 'gpt', value: 'a' } }), 'sharegpt');
  assert.equal(detectFormat({ text: 'x' }), undefined);
  assert.equal(detectFormat([1, 2]), undefined);
  // Detection goes by keys; a wrong type is then reported on its field, not as an unknown format.
  assert.equal(detectFormat({ prompt: 3, chosen: 'a' }), 'explicit');
  assert.throws(() => normalizeRow(resolveFormat('auto', { prompt: 3, chosen: 'a', rejected: 'b' }, ctx(1)), { prompt: 3, chosen: 'a', rejected: 'b' }, ctx(1)), /^DataError: d\.jsonl:1: prompt/);
  assert.equal(resolveFormat('sharegpt', { chosen: 'a' }, ctx(1)), 'sharegpt');
  assert.throws(() => resolveFormat('auto', { text: 'x' }, ctx(1)), /^DataError: d\.jsonl:1: cannot detect the data format from the first row: expected one of the formats explicit/);
});

void test('implicit: real HH-RLHF rows split at the last shared "\\n\\nAssistant:" (TRL extract_anthropic_prompt)', () => {
  assert.equal(hhRows.length, 6);
  hhRows.forEach((row, i) => {
    assert.equal(detectFormat(row), 'implicit');
    const pair = normalizeRow('implicit', row, ctx(i + 1));
    // Independent reference: these rows diverge only in the final assistant turn, so TRL's rule (the
    // text up to the last "\n\nAssistant:" of chosen) gives the prompt.
    const k = row.chosen.lastIndexOf('\n\nAssistant:') + '\n\nAssistant:'.length;
    assert.deepEqual(pair, { prompt: row.chosen.slice(0, k), chosen: row.chosen.slice(k), rejected: row.rejected.slice(k) });
    assert.ok(pair.chosen.startsWith(' ') && pair.rejected.startsWith(' '));
  });
});

void test('implicit: a common prefix that ends mid-word is cut back to the turn boundary', () => {
  // Real fixture rows whose responses share their first characters (the raw prefix ends mid-word).
  const midWord = hhRows.filter((r) => {
    const k = r.chosen.lastIndexOf('\n\nAssistant:') + 12;
    return r.chosen.slice(k, k + 3) === r.rejected.slice(k, k + 3);
  });
  assert.ok(midWord.length >= 2, 'fixture must hold rows whose responses share a prefix');
  const handmade = { chosen: '\n\nHuman: Can you help?\n\nAssistant: I can help you.', rejected: '\n\nHuman: Can you help?\n\nAssistant: I cannot.' };
  const pair = normalizeRow('implicit', handmade, ctx(1));
  assert.deepEqual(pair, { prompt: '\n\nHuman: Can you help?\n\nAssistant:', chosen: ' I can help you.', rejected: ' I cannot.' });
  for (const r of midWord) {
    const p = normalizeRow('implicit', r, ctx(1));
    assert.ok(p.prompt.endsWith('\n\nAssistant:'));
    assert.equal(p.prompt + p.chosen, r.chosen);
    assert.equal(p.prompt + p.rejected, r.rejected);
  }
});

void test('implicit: texts that diverge before the last turn keep the later turns in the responses', () => {
  const row = {
    chosen: '\n\nHuman: a?\n\nAssistant: b\n\nHuman: c?\n\nAssistant: d',
    rejected: '\n\nHuman: a?\n\nAssistant: x',
  };
  assert.deepEqual(normalizeRow('implicit', row, ctx(1)), { prompt: '\n\nHuman: a?\n\nAssistant:', chosen: ' b\n\nHuman: c?\n\nAssistant: d', rejected: ' x' });
  // A marker only partly shared ("\n\nAssist") does not count.
  assert.equal(sharedPromptEnd('\n\nHuman: a\n\nAssistant: b', '\n\nHuman: a\n\nAssistance'), -1);
  // ChatML text is split at its own marker.
  assert.equal(sharedPromptEnd('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nyes', '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nno'), 52);
});

void test('explicit: the fixture holds the same real rows pre-split; explicit rows pass through unchanged', () => {
  const explicit = JSON.parse(readFileSync(join(FIX, 'explicit.json'), 'utf8')) as PreferencePair[];
  assert.equal(explicit.length, hhRows.length);
  explicit.forEach((row, i) => {
    assert.equal(detectFormat(row), 'explicit');
    assert.deepEqual(normalizeRow('explicit', row, ctx(1, i)), row);
    assert.deepEqual(normalizeRow('implicit', hhRows[i], ctx(1)), row);
  });
  // An empty prompt is allowed (pure response preference); extra keys are ignored.
  assert.deepEqual(normalizeRow('explicit', { prompt: '', chosen: 'a', rejected: 'b', id: 7 }, ctx(1)), { prompt: '', chosen: 'a', rejected: 'b' });
});

void test('bad rows name the file, the line and the field', () => {
  const real = hhRows[0] as { chosen: string; rejected: string };
  throwsData(() => normalizeRow('implicit', { chosen: real.chosen }, ctx(3)), 'd.jsonl:3: rejected: expected a string, got nothing (the field is missing)');
  throwsData(() => normalizeRow('implicit', { chosen: real.chosen, rejected: 42 }, ctx(4)), 'd.jsonl:4: rejected: expected a string, got a number');
  throwsData(() => normalizeRow('implicit', { chosen: '', rejected: real.rejected }, ctx(5)), 'd.jsonl:5: chosen: expected a non-empty response, got an empty string');
  throwsData(() => normalizeRow('implicit', { chosen: real.chosen, rejected: real.chosen }, ctx(6)), 'd.jsonl:6: rejected: expected a response different from chosen, got an identical one');
  throwsData(
    () => normalizeRow('implicit', { chosen: real.chosen, rejected: real.chosen.slice(0, sharedPromptEnd(real.chosen, real.rejected)) + ' \n' }, ctx(7)),
    'd.jsonl:7: rejected: expected a non-empty response, got only whitespace',
  );
  throwsData(
    () => normalizeRow('implicit', { chosen: 'Q: hi A: yes', rejected: 'Q: hi A: no' }, ctx(8)),
    'd.jsonl:8: chosen: expected chosen and rejected to share a prompt ending with an assistant turn marker ("\\n\\nAssistant:"); their common prefix contains none',
  );
  throwsData(() => normalizeRow('explicit', ['a'], ctx(9)), 'd.jsonl:9: expected a JSON object {prompt, chosen, rejected}, got an array');
  throwsData(() => normalizeRow('explicit', { prompt: null, chosen: 'a', rejected: 'b' }, ctx(10)), 'd.jsonl:10: prompt: expected a string, got null');
  // In a .json array the element index leads the field path.
  throwsData(() => normalizeRow('explicit', { prompt: 'p', chosen: 'a', rejected: 'a' }, ctx(41, 3)), 'd.jsonl:41: [3].rejected: expected a response different from chosen, got an identical one');
  throwsData(() => normalizeRow('explicit', 5, ctx(2, 0)), 'd.jsonl:2: [0]: expected a JSON object {prompt, chosen, rejected}, got a number');
});

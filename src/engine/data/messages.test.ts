// Tests for the message-list formats (messages.ts): TRL conversational rows built from real HH-RLHF rows
// and real LLaMA-Factory sharegpt rows, rendered with the default ChatML template and with a
// tokenizer-style template; the expected text is assembled by hand in the test, not by the template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from './errors';
import { detectFormat, normalizeRow } from './formats';

const FIX = fileURLToPath(new URL('../../../test/fixtures/data/', import.meta.url));
type Msg = { role: string; content: string };
const lines = (f: string) => readFileSync(join(FIX, f), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
const conv = lines('conversational.jsonl') as { prompt: Msg[]; chosen: Msg[]; rejected: Msg[] }[];
const sharegpt = JSON.parse(readFileSync(join(FIX, 'sharegpt.json'), 'utf8')) as { conversations: { from: string; value: string }[]; chosen: { value: string }; rejected: { value: string } }[];
const ctx = (line: number, index?: number) => ({ file: 'c.json', line, ...(index === undefined ? {} : { index }) });

const chatml = (m: Msg) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;

function throwsData(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof DataError && e.message === message, message);
}

void test('conversational (TRL): real HH-RLHF turns rendered with the default ChatML template', () => {
  assert.equal(conv.length, 6);
  assert.ok(conv.some((r) => r.prompt.length > 1), 'fixture holds multi-turn prompts');
  conv.forEach((row, i) => {
    assert.equal(detectFormat(row), 'conversational');
    const pair = normalizeRow('conversational', row, ctx(i + 1));
    assert.deepEqual(pair, {
      prompt: row.prompt.map(chatml).join('') + '<|im_start|>assistant\n',
      chosen: `${row.chosen[0]?.content}<|im_end|>\n`,
      rejected: `${row.rejected[0]?.content}<|im_end|>\n`,
    });
  });
});

void test('conversational without a prompt: the shared leading messages become the prompt (TRL extract_prompt)', () => {
  const implicit = lines('conversational-implicit.jsonl');
  implicit.forEach((row, i) => {
    assert.equal(detectFormat(row), 'conversational');
    assert.deepEqual(normalizeRow('conversational', row, ctx(i + 1)), normalizeRow('conversational', conv[i], ctx(i + 1)));
  });
});

void test("conversational: the tokenizer's own template and special tokens are used when given", () => {
  const template = "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}{{ eos_token }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";
  const row = conv[1] as { prompt: Msg[]; chosen: Msg[]; rejected: Msg[] };
  const pair = normalizeRow('conversational', row, ctx(1), { template, bosToken: '<s>', eosToken: '</s>' });
  const turn = (m: Msg) => `<|${m.role}|>\n${m.content}</s>\n`;
  assert.deepEqual(pair, {
    prompt: '<s>' + row.prompt.map(turn).join('') + '<|assistant|>\n',
    chosen: `${row.chosen[0]?.content}</s>\n`,
    rejected: `${row.rejected[0]?.content}</s>\n`,
  });
});

void test('sharegpt (LLaMA-Factory): real rows, human/gpt/system mapped to roles and rendered', () => {
  assert.equal(sharegpt.length, 4);
  assert.ok(sharegpt.some((r) => r.conversations[0]?.from === 'system'), 'fixture holds rows with a system message');
  const roles: Record<string, string> = { human: 'user', gpt: 'assistant', system: 'system' };
  sharegpt.forEach((row, i) => {
    assert.equal(detectFormat(row), 'sharegpt');
    const pair = normalizeRow('sharegpt', row, ctx(2, i));
    const prompt = row.conversations.map((m) => chatml({ role: roles[m.from] ?? '?', content: m.value })).join('') + '<|im_start|>assistant\n';
    assert.deepEqual(pair, { prompt, chosen: `${row.chosen.value}<|im_end|>\n`, rejected: `${row.rejected.value}<|im_end|>\n` });
  });
  // A top-level `system` string (LLaMA-Factory's column) becomes the first message.
  const withSystem = { ...sharegpt[0], system: 'Be brief.' };
  assert.ok(normalizeRow('sharegpt', withSystem, ctx(1)).prompt.startsWith('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n'));
});

void test('bad message rows name the field path', () => {
  const row = conv[1] as { prompt: Msg[]; chosen: Msg[]; rejected: Msg[] };
  throwsData(() => normalizeRow('conversational', { ...row, prompt: 'hi' }, ctx(3)), 'c.json:3: prompt: expected a list of {role, content} messages, got a string');
  throwsData(() => normalizeRow('conversational', { ...row, prompt: [{ role: 'user' }] }, ctx(3)), 'c.json:3: prompt[0].content: expected a string, got nothing (the field is missing)');
  throwsData(() => normalizeRow('conversational', { ...row, chosen: [{ role: 'assistant', content: 7 }] }, ctx(4, 2)), 'c.json:4: [2].chosen[0].content: expected a string, got a number');
  throwsData(() => normalizeRow('conversational', { ...row, chosen: [] }, ctx(5)), 'c.json:5: chosen: expected a non-empty list of {role, content} messages, got an empty list');
  throwsData(() => normalizeRow('conversational', { ...row, rejected: [{ role: 'assistant', content: ' ' }] }, ctx(6)), 'c.json:6: rejected: expected a non-empty response, got only whitespace');
  throwsData(() => normalizeRow('conversational', { ...row, rejected: row.chosen }, ctx(7)), 'c.json:7: rejected: expected a response different from chosen, got an identical one');
  throwsData(() => normalizeRow('conversational', { chosen: row.chosen, rejected: row.chosen }, ctx(7)), 'c.json:7: rejected: expected a response different from chosen, got an identical one');
  throwsData(
    () => normalizeRow('conversational', row, ctx(8), { template: "{{ raise_exception('roles must alternate') }}" }),
    'c.json:8: expected a conversation the chat template accepts: chat template failed to render: roles must alternate',
  );

  const sg = sharegpt[0] as Record<string, unknown>;
  throwsData(() => normalizeRow('sharegpt', { ...sg, conversations: undefined }, ctx(9, 0)), 'c.json:9: [0].conversations: expected a list of {from, value} messages, got nothing (the field is missing)');
  throwsData(() => normalizeRow('sharegpt', { ...sg, conversations: [] }, ctx(9)), 'c.json:9: conversations: expected a non-empty list of {from, value} messages, got an empty list');
  throwsData(() => normalizeRow('sharegpt', { ...sg, conversations: [{ from: 'bot', value: 'x' }] }, ctx(10)), 'c.json:10: conversations[0].from: expected one of human, gpt, system (or user, assistant), got "bot"');
  throwsData(() => normalizeRow('sharegpt', { ...sg, chosen: 'text' }, ctx(11)), 'c.json:11: chosen: expected a {from, value} message, got a string');
  throwsData(() => normalizeRow('sharegpt', { ...sg, chosen: { from: 'human', value: 'x' } }, ctx(12)), 'c.json:12: chosen.from: expected "gpt" (the assistant\'s reply), got a user message');
  throwsData(() => normalizeRow('sharegpt', { ...sg, rejected: { from: 'gpt' } }, ctx(13)), 'c.json:13: rejected.value: expected a string, got nothing (the field is missing)');
  throwsData(() => normalizeRow('sharegpt', { ...sg, rejected: { from: 'gpt', value: '' } }, ctx(14)), 'c.json:14: rejected.value: expected a non-empty response, got an empty string');
  throwsData(() => normalizeRow('sharegpt', { ...sg, rejected: sg.chosen }, ctx(15)), 'c.json:15: rejected: expected a response different from chosen, got an identical one');
  throwsData(() => normalizeRow('sharegpt', { ...sg, system: 3 }, ctx(16)), 'c.json:16: system: expected a string, got a number');
});

void test('an unknown role such as "wizard" is refused with file:line and the field', () => {
  const row = conv[0] as { prompt: Msg[]; chosen: Msg[]; rejected: Msg[] };
  throwsData(() => normalizeRow('conversational', { ...row, chosen: [{ role: 'wizard', content: 'Abracadabra.' }] }, ctx(3)), 'c.json:3: chosen[0].role: expected a role of system, user, assistant, tool, got "wizard"');
  throwsData(() => normalizeRow('conversational', { ...row, prompt: [{ role: 'Wizard', content: 'hi' }] }, ctx(4)), 'c.json:4: prompt[0].role: expected a role of system, user, assistant, tool, got "Wizard"');
});

void test('implicit prompt when one list is a prefix of the other: all but its last message, as TRL extract_prompt', () => {
  const u: Msg = { role: 'user', content: 'Hi?' };
  const a: Msg = { role: 'assistant', content: 'Hello.' };
  const u2: Msg = { role: 'user', content: 'And?' };
  const b: Msg = { role: 'assistant', content: 'Bye.' };
  // TRL: no differing index among the first 2, so idx stays 1: prompt [u], chosen [a], rejected [a, u2, b].
  const pair = normalizeRow('conversational', { chosen: [u, a], rejected: [u, a, u2, b] }, ctx(1));
  assert.deepEqual(pair, {
    prompt: chatml(u) + '<|im_start|>assistant\n',
    chosen: 'Hello.<|im_end|>\n',
    rejected: `Hello.<|im_end|>\n${chatml(u2)}${chatml(b)}`,
  });
});

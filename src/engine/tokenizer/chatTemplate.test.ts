// Chat templates as transformers finds them (chatTemplate.ts): chat_template.jinja over
// tokenizer_config.json, a list of {name, template} resolved to "default", the config's chat_template:
// (file, inline, name), and unusable templates as errors naming their file, never a silent ChatML; ChatML
// only without any template, with a warning. Expected renderings are written out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../../common/config';
import { readSplit } from '../data/dataset';
import { saveByteTokenizer } from './bytesJson';
import { ByteTokenizer } from './bytes';
import { pickTemplate, readChatTemplates, withChatTemplate } from './chatTemplate';
import { renderChat } from './chat';
import { HfTokenizer } from './hf';

const FIX = fileURLToPath(new URL('../../../test/fixtures/data/', import.meta.url));
const USER = '{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}';
const SHOUT = '{% for m in messages %}{{ m.role | upper }}: {{ m.content }};{% endfor %}';
const msgs = [{ role: 'user', content: 'Hi' }];

/** A tokenizer directory: the byte tokenizer's tokenizer.json, a tokenizer_config.json and extra files. */
async function tokDir(config: Record<string, unknown>, files: Record<string, string> = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-chat-'));
  await saveByteTokenizer(dir);
  const base = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ ...base, ...config }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const render = (t: string | undefined) => renderChat(msgs, { ...(t === undefined ? {} : { template: t }), addGenerationPrompt: false });

void test('chat_template.jinja takes priority over tokenizer_config.json; the string form alone works too', async () => {
  assert.equal(render((await HfTokenizer.load(await tokDir({ chat_template: SHOUT }))).chatTemplate), 'USER: Hi;');
  const both = await HfTokenizer.load(await tokDir({ chat_template: SHOUT }, { 'chat_template.jinja': USER }));
  assert.equal(render(both.chatTemplate), '[user] Hi\n');
  // Saved as it was read: the .jinja file, which a reload (and transformers) prefers.
  const out = mkdtempSync(join(tmpdir(), 'orpo-chat-save-'));
  await both.save(out);
  assert.equal(readFileSync(join(out, 'chat_template.jinja'), 'utf8'), USER);
  assert.equal((await HfTokenizer.load(out)).chatTemplate, USER);
});

void test('the list form [{name, template}] uses "default"; without one it is an error naming the file and the names', async () => {
  const listed = await HfTokenizer.load(await tokDir({ chat_template: [{ name: 'tool_use', template: SHOUT }, { name: 'default', template: USER }] }));
  assert.equal(listed.chatTemplate, USER);
  const dir = await tokDir({ chat_template: [{ name: 'rag', template: USER }, { name: 'tool_use', template: SHOUT }] });
  const none = await HfTokenizer.load(dir);
  assert.equal(none.chatTemplate, undefined);
  assert.equal(none.chatTemplateError, `${join(dir, 'tokenizer_config.json')}: the tokenizer has several chat templates and none named "default" (rag, tool_use); choose one with chat_template: NAME in the config`);
  // chat_template: NAME picks one of them.
  assert.equal(render(withChatTemplate(none, 'tool_use', dir).chatTemplate), 'USER: Hi;');
  assert.throws(() => withChatTemplate(none, 'chatml', dir), /chat_template: "chatml" is not one of the tokenizer's chat templates \(rag, tool_use, in .*tokenizer_config\.json\)/);
  await assert.rejects(HfTokenizer.load(await tokDir({ chat_template: [{ name: 'x' }] })), /tokenizer_config\.json: chat_template: expected a string or a list of \{name, template\}, got entry \[0\] without a string name and template/);
  assert.deepEqual(readChatTemplates(await tokDir({}, { 'additional_chat_templates/rag.jinja': USER }), {})?.byName, { rag: USER });
});

void test('a template that does not parse is an error naming its file when conversations are rendered, even with skip_invalid', async () => {
  const dir = await tokDir({}, { 'chat_template.jinja': '{% for m in messages %}{{ m.content }' });
  const tok = await HfTokenizer.load(dir);
  assert.match(tok.chatTemplateError ?? '', new RegExp(`^${join(dir, 'chat_template.jinja').replace(/[.]/g, '\\.')}: the chat template does not parse as Jinja: `));
  const data = resolveConfig({ name: 't', data: { train: 'conversational.jsonl', eval: 0.5, skip_invalid: true } }).data;
  await assert.rejects(readSplit(data, { configDir: FIX, seed: 1, tokenizer: tok, skipInvalid: true }), (e: unknown) => e instanceof Error && e.message === tok.chatTemplateError);
  // Explicit rows need no template: the same tokenizer reads them.
  const explicit = resolveConfig({ name: 't', data: { train: 'explicit.json', eval: 0.5 } }).data;
  assert.equal((await readSplit(explicit, { configDir: FIX, seed: 1, tokenizer: tok, skipInvalid: false })).notices.length, 0);
});

void test('chat_template: a .jinja file or an inline template overrides, is saved with the tokenizer, and is checked', async () => {
  const cfgDir = mkdtempSync(join(tmpdir(), 'orpo-chat-cfg-'));
  writeFileSync(join(cfgDir, 'mine.jinja'), SHOUT);
  const bytes = new ByteTokenizer();
  const fromFile = withChatTemplate(bytes, 'mine.jinja', cfgDir);
  assert.equal(render(fromFile.chatTemplate), 'USER: Hi;');
  assert.deepEqual(fromFile.encode('hé'), bytes.encode('hé'));
  assert.equal(fromFile.eosId, bytes.eosId);
  const out = mkdtempSync(join(tmpdir(), 'orpo-chat-out-'));
  await fromFile.save(out);
  assert.equal(readFileSync(join(out, 'chat_template.jinja'), 'utf8'), SHOUT);
  assert.equal((await HfTokenizer.load(out)).chatTemplate, SHOUT);
  assert.equal(withChatTemplate(bytes, USER, cfgDir).chatTemplate, USER);
  assert.throws(() => withChatTemplate(bytes, 'gone.jinja', cfgDir), new RegExp(`^Error: chat_template: ${join(cfgDir, 'gone.jinja').replace(/[.]/g, '\\.')} not found`));
  writeFileSync(join(cfgDir, 'bad.jinja'), '{% if %}');
  assert.throws(() => withChatTemplate(bytes, 'bad.jinja', cfgDir), /bad\.jinja: the chat template does not parse as Jinja/);
  assert.throws(() => withChatTemplate(bytes, '{{ messages[0 }}', cfgDir), /^Error: chat_template \(inline in the config\): the chat template does not parse as Jinja/);
  assert.throws(() => withChatTemplate(bytes, 'default', cfgDir), /"default" is neither a \.jinja file, an inline template, nor the name of one of the tokenizer's chat templates \(it has none\)/);
});

void test('without any template conversations use ChatML, and the loader says so', async () => {
  const data = resolveConfig({ name: 't', data: { train: 'conversational.jsonl', eval: 0.5 } }).data;
  const r = await readSplit(data, { configDir: FIX, seed: 1, tokenizer: new ByteTokenizer(), skipInvalid: false });
  assert.ok(r.train[0]?.prompt.includes('<|im_start|>user\n'));
  assert.deepEqual(r.notices.map((n) => /rendered with ChatML/.test(n)), [true]);
  const withTpl = await readSplit(data, { configDir: FIX, seed: 1, tokenizer: withChatTemplate(new ByteTokenizer(), USER, FIX), skipInvalid: false });
  assert.equal(withTpl.notices.length, 0);
  assert.ok(withTpl.train[0]?.prompt.startsWith('[user] '));
  assert.deepEqual(pickTemplate({ byName: { default: USER }, file: 'f' }), { template: USER });
});

// Tests of the tokenizer.json wrapper: GPT-2's real tokenizer (built from OpenAI's files) must give the
// same ids as gpt-tokenizer's r50k_base, an independent implementation; the byte tokenizer's
// tokenizer.json must give ByteTokenizer's ids through @huggingface/tokenizers; save → load keeps all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as HfLib } from '@huggingface/tokenizers';
import { encode as r50kEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { writeGpt2Tokenizer } from '../../../test/fixtures/gpt2-tokenizer/build';
import { HfTokenizer } from './hf';
import { ByteTokenizer } from './bytes';

const VARIED_TEXTS = [
  'Hello world',
  "I'm sure they'll say it's fine, we've done what you'd've done.",
  '  leading spaces,   runs of    spaces, trailing  ',
  'tabs\tand\nnew\n\nlines\r\n',
  'Numbers: 3.14159, 1,000,000 and 2024-11-27; 12345678901234567890',
  'Unicode: café naïve Ünïcödé — “quotes” … 日本語のテキスト 中文 한국어 Ελληνικά русский',
  'Emoji 👍🏽 🇫🇷 👨‍👩‍👧 and symbols ∑∫√ ±§¶ €',
  'code: function f(x) { return x ** 2; } // comment <tag attr="v">',
  "CAPS AND MiXeD CaSe, don't DON'T 'quoted'",
  '',
  ' ',
];

void test("GPT-2's tokenizer.json gives gpt-tokenizer's r50k_base ids", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gpt2-tok-'));
  try {
    writeGpt2Tokenizer(dir);
    const tok = await HfTokenizer.load(dir);
    assert.equal(tok.vocabSize, 50257);
    assert.equal(tok.eosId, 50256);
    for (const text of VARIED_TEXTS) {
      const ids = tok.encode(text);
      assert.deepEqual(ids, r50kEncode(text), `ids of ${JSON.stringify(text)}`);
      assert.equal(tok.decode(ids), text);
    }
    // The end-of-text token written in text is the special token, as in transformers.
    assert.deepEqual(tok.encode('a<|endoftext|>b'), [64, 50256, 65]);
  } finally {
    await rm(dir, { recursive: true });
  }
});

void test('the byte tokenizer.json gives ByteTokenizer ids through @huggingface/tokenizers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bytes-tok-'));
  try {
    const bytes = new ByteTokenizer();
    await bytes.save(dir);
    const lib = new HfLib(JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(await readFile(join(dir, 'tokenizer_config.json'), 'utf8')));
    const wrapped = await HfTokenizer.load(dir);
    assert.equal(wrapped.vocabSize, 257);
    assert.equal(wrapped.eosId, 256);
    assert.equal(wrapped.padId, 256);
    // The end-of-text token written in text is the special token, as transformers 5.17 reads this file
    // (checked on the GPU machine: docs/measurements/gpu-h100-2026-11-27.jsonl).
    assert.deepEqual(lib.encode('a<|endoftext|>b', { add_special_tokens: false }).ids, [97, 256, 98]);
    assert.deepEqual(bytes.encode('a<|endoftext|>b'), [97, 256, 98]);
    for (const text of VARIED_TEXTS) {
      const expected = [...Buffer.from(text, 'utf8')]; // id i = byte i, computed by Node's own UTF-8 encoder
      assert.deepEqual(lib.encode(text, { add_special_tokens: false }).ids, expected, `ids of ${JSON.stringify(text)}`);
      assert.deepEqual(bytes.encode(text), expected);
      if (expected.length > 0) assert.equal(lib.decode(expected), text);
      assert.equal(wrapped.decode(wrapped.encode(text)), text);
    }
    assert.deepEqual(lib.encode('x<|endoftext|>', { add_special_tokens: false }).ids, [120, 256]);
  } finally {
    await rm(dir, { recursive: true });
  }
});

void test('special tokens and chat template come from tokenizer_config.json, and save → load keeps them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cfg-tok-'));
  try {
    await new ByteTokenizer().save(dir);
    const json = JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8'));
    // Add two specials the way a chat model's tokenizer.json has them.
    json.model.vocab['<s>'] = 257;
    json.model.vocab['<pad>'] = 258;
    json.added_tokens.push({ id: 257, content: '<s>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false });
    json.added_tokens.push({ id: 258, content: '<pad>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false });
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(json));
    const template = '{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}';
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ bos_token: { content: '<s>' }, eos_token: '<|endoftext|>', pad_token: '<pad>', chat_template: template }));
    const tok = await HfTokenizer.load(join(dir, 'tokenizer.json'));
    assert.deepEqual([tok.vocabSize, tok.bosId, tok.eosId, tok.padId, tok.chatTemplate], [259, 257, 256, 258, template]);
    assert.deepEqual(tok.encode('<s>hi<pad>'), [257, 104, 105, 258]);
    const out = join(dir, 'saved');
    await tok.save(out);
    const again = await HfTokenizer.load(out);
    assert.deepEqual([again.vocabSize, again.bosId, again.eosId, again.padId, again.chatTemplate], [259, 257, 256, 258, template]);
    assert.deepEqual(again.encode('<s>hi<pad>'), [257, 104, 105, 258]);
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<missing>' }));
    await assert.rejects(HfTokenizer.load(dir), /eos_token "<missing>".*not in the vocabulary/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

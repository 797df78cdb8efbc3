// Tests for tokenizePair (tokenize.ts): EOS, BOS and TRL's truncation and drop rules. Expected ids are
// written out by hand from the byte values of ASCII text (id = char code) and the rules in the header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteTokenizer } from '../tokenizer/bytes';
import { byteLevelTokenizerJson, bytesToUnicode } from '../tokenizer/byteLevel';
import { HfTokenizer } from '../tokenizer/hf';
import { tokenizePair } from './tokenize';

const bytes = new ByteTokenizer();
const EOS = 256;
const ids = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** A real byte-level tokenizer.json with <s> (256) as BOS and </s> (257) as EOS. */
function bosTokenizer(): HfTokenizer {
  const json = byteLevelTokenizerJson({ vocab: [...bytesToUnicode(), '<s>', '</s>'], merges: [], specialIds: [256, 257] });
  return new HfTokenizer(json, { bos_token: '<s>', eos_token: '</s>' });
}

void test('EOS is appended to each response; nothing is truncated when the pair fits', () => {
  const t = tokenizePair({ prompt: 'ab', chosen: 'cd', rejected: 'e' }, bytes, { maxLength: 100, maxPromptLength: 50 });
  assert.deepEqual(t, { prompt: [97, 98], chosen: [99, 100, EOS], rejected: [101, EOS] });
});

void test('the prompt is truncated from the left to max_prompt_length when the pair is too long', () => {
  // prompt 10 + longer response 4 (abc+EOS) = 14 > 10: keep the prompt's last 4 tokens; 4 + 4 fits.
  const t = tokenizePair({ prompt: '0123456789', chosen: 'abc', rejected: 'x' }, bytes, { maxLength: 10, maxPromptLength: 4 });
  assert.deepEqual(t, { prompt: ids('6789'), chosen: [...ids('abc'), EOS], rejected: [...ids('x'), EOS] });
});

void test('a prompt over max_prompt_length is kept whole when prompt + responses fit max_length (TRL)', () => {
  const t = tokenizePair({ prompt: '0123456789', chosen: 'a', rejected: 'b' }, bytes, { maxLength: 20, maxPromptLength: 4 });
  assert.deepEqual(t?.prompt, ids('0123456789'));
});

void test('then both responses are truncated from the right to max_length - max_prompt_length', () => {
  // prompt 2 + longer 9 (abcdefgh+EOS) = 11 > 8; the prompt is already under 3; still 11 > 8, so the
  // responses keep 8 - 3 = 5 tokens: chosen loses its tail and its EOS, rejected (3) is unchanged.
  const t = tokenizePair({ prompt: 'pp', chosen: 'abcdefgh', rejected: 'xy' }, bytes, { maxLength: 8, maxPromptLength: 3 });
  assert.deepEqual(t, { prompt: ids('pp'), chosen: ids('abcde'), rejected: [...ids('xy'), EOS] });
  assert.ok((t?.prompt.length ?? 0) + (t?.chosen.length ?? 0) <= 8);
});

void test('both steps together: a long prompt and a long response', () => {
  // 12 + 7 = 19 > 10 → prompt keeps its last 4 ("89AB"); 4 + 7 = 11 > 10 → responses keep 10 - 4 = 6.
  const t = tokenizePair({ prompt: '0123456789AB', chosen: 'abcdef', rejected: 'uvw' }, bytes, { maxLength: 10, maxPromptLength: 4 });
  assert.deepEqual(t, { prompt: ids('89AB'), chosen: ids('abcdef'), rejected: [...ids('uvw'), EOS] });
});

void test('a pair whose response is empty after truncation is dropped (null)', () => {
  // max_prompt_length = max_length leaves responses 0 tokens.
  assert.equal(tokenizePair({ prompt: 'pppp', chosen: 'a', rejected: 'b' }, bytes, { maxLength: 4, maxPromptLength: 4 }), null);
  // A pair that fits is kept even with max_prompt_length = max_length.
  assert.notEqual(tokenizePair({ prompt: 'p', chosen: 'a', rejected: 'b' }, bytes, { maxLength: 4, maxPromptLength: 4 }), null);
  assert.throws(() => tokenizePair({ prompt: 'p', chosen: 'a', rejected: 'b' }, bytes, { maxLength: 0, maxPromptLength: 4 }), /expected positive integer lengths/);
});

void test('with a BOS token: prepended once to the prompt; EOS already present is not doubled', () => {
  const tok = bosTokenizer();
  assert.equal(tok.bosId, 256);
  assert.equal(tok.eosId, 257);
  const t = tokenizePair({ prompt: 'hi', chosen: 'yo', rejected: 'no</s>' }, tok, { maxLength: 64, maxPromptLength: 32 });
  assert.deepEqual(t, { prompt: [256, ...ids('hi')], chosen: [...ids('yo'), 257], rejected: [...ids('no'), 257] });
  const again = tokenizePair({ prompt: '<s>hi', chosen: 'yo', rejected: 'no' }, tok, { maxLength: 64, maxPromptLength: 32 });
  assert.deepEqual(again?.prompt, [256, ...ids('hi')]);
  // Left truncation may cut BOS away, as TRL's keep_end does.
  const cut = tokenizePair({ prompt: 'abcdef', chosen: 'yo', rejected: 'no' }, tok, { maxLength: 6, maxPromptLength: 3 });
  assert.deepEqual(cut?.prompt, ids('def'));
});

void test('max_completion_length cuts each response (EOS included) from the right before max_length applies', () => {
  const t = tokenizePair({ prompt: 'ab', chosen: 'cdefg', rejected: 'xy' }, bytes, { maxLength: 100, maxPromptLength: 50, maxCompletionLength: 3 });
  assert.deepEqual(t, { prompt: ids('ab'), chosen: ids('cde'), rejected: [...ids('xy'), EOS] });
});

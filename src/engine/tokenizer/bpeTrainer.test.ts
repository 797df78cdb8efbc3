// The BPE trainer: its first merge is the most frequent adjacent byte pair (counted here by brute
// force), its tokenizer.json loads in @huggingface/tokenizers from disk, and encode/decode round-trips
// any text, seen or not; loadTokenizer dispatches the three settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as HfLib } from '@huggingface/tokenizers';
import { trainBpe, trainByteLevelTokenizer } from './bpeTrainer';
import { loadTokenizer } from './load';
import { ByteTokenizer } from './bytes';
import { HfTokenizer } from './hf';

function corpus(): string[] {
  const subjects = ['The cat', 'A dog', 'My neighbour', 'The old robot', 'Une fille', 'Der Hund'];
  const verbs = ['chases', 'watches', 'ignores', 'draws', 'mange', 'sieht'];
  const objects = ['the ball.', 'a red kite!', 'the moon at 9:30 pm', 'its own shadow', 'le gâteau', 'die Katze'];
  const out: string[] = [];
  let s = 7;
  const r = (n: number) => ((s = (s * 48271) % 2147483647) % n);
  for (let i = 0; i < 400; i++) out.push(`${subjects[r(6)]} ${verbs[r(6)]} ${objects[r(6)]} ${i}`);
  return out;
}

void test('the first merge is the most frequent pair of bytes within GPT-2 pre-tokens', () => {
  const texts = corpus();
  const counts = new Map<string, number>();
  for (const t of texts) {
    for (const piece of t.match(/'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu) ?? []) {
      const b = [...Buffer.from(piece, 'utf8')];
      for (let i = 0; i + 1 < b.length; i++) counts.set(`${b[i]},${b[i + 1]}`, (counts.get(`${b[i]},${b[i + 1]}`) ?? 0) + 1);
    }
  }
  const best = Math.max(...counts.values());
  const winners = [...counts].filter(([, c]) => c === best).map(([k]) => k.split(',').map(Number));
  const { vocab, merges } = trainBpe(texts, 300);
  assert.equal(vocab.length, 300);
  assert.equal(vocab[256], '<|endoftext|>');
  const [a, b] = merges[0]!;
  assert.ok(winners.some(([x, y]) => vocab[x!] === a && vocab[y!] === b), `first merge ${a}+${b} is a most frequent pair`);
  assert.equal(vocab[257], a + b);
});

void test('a trained tokenizer saves a tokenizer.json that loads and round-trips text', async () => {
  const texts = corpus();
  const tok = trainByteLevelTokenizer(texts, 400);
  assert.equal(tok.vocabSize, 400);
  assert.equal(tok.eosId, 256);
  const dir = await mkdtemp(join(tmpdir(), 'bpe-'));
  try {
    await tok.save(dir);
    const lib = new HfLib(JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(await readFile(join(dir, 'tokenizer_config.json'), 'utf8')));
    const loaded = await HfTokenizer.load(dir);
    const samples = [...texts.slice(0, 20), 'unseen: ½ café 日本 👍🏽\n\ttabs', "don't  stop", '', '<|endoftext|> end'];
    let trained = 0;
    let bytes = 0;
    for (const t of samples) {
      const ids = loaded.encode(t);
      assert.deepEqual(ids, tok.encode(t));
      assert.deepEqual(lib.encode(t, { add_special_tokens: false }).ids, ids);
      assert.equal(loaded.decode(ids), t);
      assert.ok(ids.every((i) => i >= 0 && i < 400));
      trained += ids.length;
      bytes += Buffer.byteLength(t);
    }
    assert.ok(trained < 0.6 * bytes, `compresses the training text: ${trained} tokens for ${bytes} bytes`);
  } finally {
    await rm(dir, { recursive: true });
  }
});

void test('loadTokenizer: bytes, a tokenizer.json path relative to the config, {train}, a model directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tokload-'));
  try {
    assert.ok((await loadTokenizer('bytes', { configDir: dir })) instanceof ByteTokenizer);
    const trained = await loadTokenizer({ train: 300 }, { configDir: dir, trainTexts: corpus });
    assert.equal(trained.vocabSize, 300);
    await trained.save(join(dir, 'tok'));
    const byPath = await loadTokenizer('tok/tokenizer.json', { configDir: dir });
    assert.deepEqual(byPath.encode('The cat chases the ball.'), trained.encode('The cat chases the ball.'));
    const fromModel = await loadTokenizer('bytes', { configDir: dir, modelDir: join(dir, 'tok') });
    assert.equal(fromModel.vocabSize, 300);
    await assert.rejects(loadTokenizer('missing.json', { configDir: dir }), /missing\.json does not exist/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

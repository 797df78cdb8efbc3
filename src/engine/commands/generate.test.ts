// `orpo-lab generate`: a saved model directory (random Llama + byte tokenizer) gives on stdout the
// completion generateText computes directly; bad flags are usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCpu } from '../testing/tf';
import { createLlama } from '../model/llama';
import { saveModelDir } from '../hf/save';
import { ByteTokenizer } from '../tokenizer/bytes';
import { generateText } from '../generate/generate';
import { UsageError } from '../args';
import { main } from './generate';

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  let out = '';
  process.stdout.write = ((chunk: string) => { out += chunk; return true; }) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return { code: await fn(), out };
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
}

void test('generate prints the completion of a saved model', async () => {
  await useCpu();
  const dir = await mkdtemp(join(tmpdir(), 'gen-cli-'));
  const model = createLlama({
    architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 257, hidden_size: 32, intermediate_size: 48,
    num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64, initializer_range: 0.5,
  }, undefined, 9);
  try {
    await saveModelDir(model, new ByteTokenizer(), join(dir, 'm'));
    const expected = await generateText(model, new ByteTokenizer(), 'Hello', { maxNewTokens: 6, decoding: { kind: 'sample', temperature: 0.8, topP: 0.95 }, seed: 3 });
    const r = await capture(() => main([join(dir, 'm'), '--prompt', 'Hello', '--max-new-tokens', '6', '--temperature', '0.8', '--top-p', '0.95', '--seed', '3', '--backend', 'cpu']));
    assert.equal(r.code, 0);
    assert.equal(r.out, expected.text + '\n');
    assert.ok(expected.ids.length > 0);
    await assert.rejects(main([join(dir, 'm'), '--prompt', 'x', '--greedy', '--temperature', '1']), UsageError);
    await assert.rejects(main([join(dir, 'm')]), UsageError);
    await assert.rejects(main([join(dir, 'm'), '--prompt', 'x', '--bogus', '1']), /unknown option --bogus/);
  } finally {
    model.dispose();
    await rm(dir, { recursive: true });
  }
});

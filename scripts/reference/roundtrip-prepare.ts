// Writes checkpoints and tokenizers saved by ORPO Lab, plus the ids/logits ORPO Lab computes, for
// check.py to compare against transformers on the GPU machine. Run from the repo root:
//   node --import tsx scripts/reference/roundtrip-prepare.ts OUT_DIR [TRAINED_CHECKPOINT]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelDir } from '../../src/engine/hf/load';
import { saveModelDir } from '../../src/engine/hf/save';
import { ByteTokenizer } from '../../src/engine/tokenizer/bytes';
import { trainByteLevelTokenizer } from '../../src/engine/tokenizer/bpeTrainer';
import { writeGpt2Tokenizer } from '../../test/fixtures/gpt2-tokenizer/build';
import type { Tokenizer } from '../../src/engine/tokenizer/types';

const TEXTS = ['Hello world', "I'm sure they'll say it's fine.", '  spaces   and\ttabs\n', 'café 日本語 👍🏽', 'a<|endoftext|>b', '12345 + 678'];
(async () => {
  await tf.setBackend('cpu');
  const out = process.argv[2]!;
  for (const name of ['tiny-gpt2', 'tiny-llama', 'tiny-llama-bf16', 'tiny-qwen2-sharded']) {
    const { model } = await loadModelDir(join('test/fixtures/hf', name));
    await saveModelDir(model, undefined, join(out, 'models', name));
    model.dispose();
  }
  // A checkpoint ORPO Lab trained itself, with the logits our forward pass gives on fixed ids.
  const trained = process.argv[3];
  if (trained) {
    const { model, tokenizer } = await loadModelDir(trained);
    const dir = join(out, 'models', 'trained-checkpoint');
    await saveModelDir(model, tokenizer, dir);
    const ids = [[10, 72, 101, 108, 108, 111, 32, 116, 104, 101, 114, 101], [65, 115, 115, 105, 115, 116, 97, 110, 116, 58, 32, 73]];
    const logits = tf.tidy(() => model.forward(tf.tensor2d(ids, undefined, 'int32')));
    writeFileSync(join(dir, 'reference.json'), JSON.stringify({ input_ids: ids, shape: logits.shape, logits: Array.from(await logits.data()), made_by: 'ORPO Lab forward pass (cpu backend)' }));
    logits.dispose();
    model.dispose();
  }
  const toks: [string, Tokenizer][] = [['bytes', new ByteTokenizer()], ['trained', trainByteLevelTokenizer(Array.from({ length: 200 }, (_, i) => `The cat ${i} sat on the mat. Café au lait ${i * 7}!`), 300)]];
  for (const [name, tok] of toks) {
    await tok.save(join(out, 'tokenizers', name));
    writeFileSync(join(out, 'tokenizers', name, 'expected_ids.json'), JSON.stringify(Object.fromEntries(TEXTS.map((t) => [t, tok.encode(t)]))));
  }
  writeGpt2Tokenizer(join(out, 'tokenizers', 'gpt2'));
  const { HfTokenizer } = await import('../../src/engine/tokenizer/hf');
  const g = await HfTokenizer.load(join(out, 'tokenizers', 'gpt2'));
  writeFileSync(join(out, 'tokenizers', 'gpt2', 'expected_ids.json'), JSON.stringify(Object.fromEntries(TEXTS.map((t) => [t, g.encode(t)]))));
})();

// Loads the reference checkpoints made by Hugging Face transformers (test/fixtures/hf, see its README)
// and compares our forward pass with transformers' float32 logits; then saves and reloads each model.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, cp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadModelDir } from './load';
import { saveModelDir } from './save';
import { readSafetensorsHeader } from './safetensors';
import { ByteTokenizer } from '../tokenizer/bytes';
import type { CausalLM } from '../model/types';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'hf');

interface Reference { input_ids: number[][]; shape: number[]; logits: number[] }

void before(async () => {
  await tf.setBackend('cpu');
});

async function maxDiff(model: CausalLM, ref: Reference): Promise<number> {
  const logits = tf.tidy(() => model.forward(tf.tensor2d(ref.input_ids, undefined, 'int32')));
  assert.deepEqual(logits.shape, ref.shape);
  const got = await logits.data();
  logits.dispose();
  let m = 0;
  ref.logits.forEach((v, i) => { m = Math.max(m, Math.abs(v - (got[i] as number))); });
  return m;
}

for (const name of ['tiny-gpt2', 'tiny-llama', 'tiny-llama-bf16', 'tiny-qwen2-sharded']) {
  void test(`${name}: logits match transformers to 1e-4, and survive save → load`, async () => {
    const dir = join(FIXTURES, name);
    const ref = JSON.parse(await readFile(join(dir, 'reference.json'), 'utf8')) as Reference;
    const { model } = await loadModelDir(dir);
    const out = await mkdtemp(join(tmpdir(), 'hf-save-'));
    try {
      const diff = await maxDiff(model, ref);
      assert.ok(diff < 1e-4, `max |logit difference| ${diff}`);
      // A from-scratch-like save: config.json, model.safetensors (the source dtype, transformers layout), tokenizer.
      const target = join(out, 'ckpt');
      await saveModelDir(model, new ByteTokenizer(), target);
      assert.deepEqual((await readdir(target)).sort(), ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
      const header = await readSafetensorsHeader(join(target, 'model.safetensors'));
      const original = name.endsWith('sharded') ? undefined : await readSafetensorsHeader(join(dir, 'model.safetensors'));
      if (original) {
        // Same names, shapes and dtypes as transformers wrote (a bf16 checkpoint is saved bf16 again).
        const shapes = (h: typeof header) => [...h.tensors].map(([n, t]) => `${n}:${t.shape.join('x')}:${t.dtype}`).sort();
        assert.deepEqual(shapes(header), shapes(original));
      }
      assert.deepEqual(header.metadata, { format: 'pt' });
      assert.equal(JSON.parse(await readFile(join(target, 'config.json'), 'utf8')).dtype, name.endsWith('bf16') ? 'bfloat16' : 'float32');
      const again = await loadModelDir(target);
      try {
        assert.equal(await maxDiff(again.model, ref), diff, 'reloaded model gives identical logits');
        assert.equal(again.tokenizer?.vocabSize, 257);
      } finally {
        again.model.dispose();
      }
    } finally {
      model.dispose();
      await rm(out, { recursive: true });
    }
  });
}

void test('an unsupported architecture is named in the error, with the supported ones', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hf-bad-'));
  try {
    await cp(join(FIXTURES, 'tiny-llama', 'config.json'), join(dir, 'config.json'));
    const c = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...c, architectures: ['MistralForCausalLM'], model_type: 'mistral' }));
    await assert.rejects(loadModelDir(dir), (e: Error) =>
      e.message.includes('config.json') && e.message.includes('"MistralForCausalLM"') && e.message.includes('LlamaForCausalLM') && e.message.includes('GPT2LMHeadModel') && e.message.includes('Qwen2ForCausalLM'));
  } finally {
    await rm(dir, { recursive: true });
  }
});

void test('a directory without weights names what is missing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hf-empty-'));
  try {
    await cp(join(FIXTURES, 'tiny-llama', 'config.json'), join(dir, 'config.json'));
    await assert.rejects(loadModelDir(dir), /no model\.safetensors or model\.safetensors\.index\.json/);
    await rm(join(dir, 'config.json'));
    await assert.rejects(loadModelDir(dir), /config\.json: cannot read/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

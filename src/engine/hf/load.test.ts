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

void test("a scratch byte-tokenizer model's directory declares the tokenizer's special ids: no BOS, EOS and pad 256", async () => {
  const { createScratchGpt2, specialIdsOf } = await import('../model/gpt');
  const tok = new ByteTokenizer();
  const model = createScratchGpt2({ from: 'scratch', layers: 1, d_model: 8, heads: 2, context: 16 }, tok.vocabSize, tok.eosId, 3, specialIdsOf(tok));
  const dir = await mkdtemp(join(tmpdir(), 'orpo-ids-'));
  try {
    await saveModelDir(model, tok, join(dir, 'final'));
    model.dispose();
    const read = async (f: string) => JSON.parse(await readFile(join(dir, 'final', f), 'utf8')) as Record<string, unknown>;
    const [config, gen, tc, tj] = await Promise.all(['config.json', 'generation_config.json', 'tokenizer_config.json', 'tokenizer.json'].map(read));
    // The tokenizer files' tokens as ids, read from tokenizer.json's added tokens (as transformers resolves them).
    const added = new Map(((tj?.added_tokens ?? []) as { id: number; content: string }[]).map((t) => [t.content, t.id]));
    const idOf = (t: unknown) => (t === null || t === undefined ? null : added.get(t as string) ?? assert.fail(`${String(t)} is no added token`));
    const declared = { bos: idOf(tc?.bos_token), eos: idOf(tc?.eos_token), pad: idOf(tc?.pad_token) };
    assert.deepEqual(declared, { bos: null, eos: 256, pad: 256 });
    // config.json says the same, explicitly: an absent bos_token_id would be GPT2Config's default 50256, outside the vocabulary.
    assert.ok(config && 'bos_token_id' in config);
    assert.deepEqual({ bos: config.bos_token_id, eos: config.eos_token_id, pad: config.pad_token_id }, declared);
    assert.deepEqual({ bos: gen?.bos_token_id ?? null, eos: gen?.eos_token_id, pad: gen?.pad_token_id }, declared);
    // Our loader reads the directory back with the same ids, and adds no BOS.
    const back = await loadModelDir(join(dir, 'final'));
    assert.deepEqual({ bos: back.tokenizer?.bosId ?? null, eos: back.tokenizer?.eosId, pad: back.tokenizer?.padId }, declared);
    assert.deepEqual({ bos: back.model.config.bos_token_id, eos: back.model.config.eos_token_id, pad: back.model.config.pad_token_id }, declared);
    back.model.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// A bf16 checkpoint through the CLI (issue 13 §4): a LoRA run on the native backend with
// model.frozen_dtype auto (the base's matrices 16-bit) gives the losses of the same run with
// frozen_dtype float32 (1e-5: the same weight values, float32 summation order only; see
// src/engine/hf/loraHalf.test.ts); `merge` writes the merged model in BF16; a full fine-tune writes
// BF16 checkpoints and final model (AdamW moments F32), and resumes from them; a DPO run's reference
// keeps its matrices 16-bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCpu } from '../../src/engine/testing/tf';
import { createGpt2 } from '../../src/engine/model/gpt';
import { saveModelDir } from '../../src/engine/hf/save';
import { readSafetensorsHeader } from '../../src/engine/hf/safetensors';
import { ByteTokenizer } from '../../src/engine/tokenizer/bytes';
import { runCli } from './cli';

const pairs = (n: number, tag: string) => Array.from({ length: n }, (_, i) => JSON.stringify({ prompt: `Q ${tag}${i}: ${i} + ${i}?`, chosen: ` ${2 * i}.`, rejected: ` ${i}${i}, maybe.` })).join('\n') + '\n';
const losses = (run: string) => readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss?: number }).filter((r) => r.loss !== undefined).map((r) => r.loss as number);
const dtypes = async (file: string) => new Set([...(await readSafetensorsHeader(file)).tensors.values()].map((t) => t.dtype));
const dtypeOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { dtype: string }).dtype;

void test('a bf16 base: LoRA with 16-bit frozen weights trains as with float32 ones; merged, checkpoints and final model are BF16', async () => {
  await useCpu();
  const dir = mkdtempSync(join(tmpdir(), 'orpo-bf16-'));
  const base = join(dir, 'base');
  const gpt = createGpt2({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: 257, n_positions: 96, n_embd: 16, n_layer: 2, n_head: 2, tie_word_embeddings: true });
  gpt.sourceDtype = 'BF16';
  await saveModelDir(gpt, new ByteTokenizer(), base);
  gpt.dispose();
  assert.deepEqual(await dtypes(join(base, 'model.safetensors')), new Set(['BF16']));
  writeFileSync(join(dir, 'train.jsonl'), pairs(5, "t"));
  const cfg = (frozen: string, adapter: string) => `name: bf16\nseed: 3\nmodel: { from: ${base}, frozen_dtype: ${frozen} }\ndata: { train: train.jsonl, eval: 0.25, max_length: 48, max_prompt_length: 24 }\ntrain: { batch_size: 2, max_steps: 2, learning_rate: 0.02, eval_every: 1000, save_every: 1, eval_samples: 0 }\n${adapter}backend: native\n`;
  const lora = 'adapter: { type: lora, r: 4, alpha: 8, target_modules: all-linear }\n';
  const runs: Record<string, string> = {};
  for (const frozen of ['auto', 'float32']) {
    writeFileSync(join(dir, `${frozen}.orpo.yaml`), cfg(frozen, lora));
    runs[frozen] = join(dir, frozen);
    const r = await runCli(['train', join(dir, `${frozen}.orpo.yaml`), '--out', runs[frozen] as string]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(/^\[orpo-lab\] frozen weights: [\d,]+ parameters kept bf16/m.test(r.stderr), frozen === 'auto', r.stderr);
  }
  const [h, f] = [losses(runs.auto as string), losses(runs.float32 as string)];
  assert.equal(h.length, 2);
  h.forEach((l, i) => assert.ok(Math.abs(l - (f[i] as number)) <= 1e-5 * Math.max(1, Math.abs(f[i] as number)), `step ${i + 1}: ${l} (16-bit) vs ${f[i]} (float32)`));

  const merged = join(dir, 'merged');
  const m = await runCli(['merge', join(runs.auto as string, 'checkpoints', 'checkpoint-2'), '--out', merged]);
  assert.equal(m.code, 0, m.stderr);
  assert.deepEqual(await dtypes(join(merged, 'model.safetensors')), new Set(['BF16']));
  assert.equal(dtypeOf(merged), 'bfloat16');

  writeFileSync(join(dir, 'full.orpo.yaml'), cfg('auto', '').replace('max_steps: 2', 'max_steps: 1'));
  const full = join(dir, 'full');
  const r1 = await runCli(['train', join(dir, 'full.orpo.yaml'), '--out', full]);
  assert.equal(r1.code, 0, r1.stderr);
  const ck = join(full, 'checkpoints', 'checkpoint-1');
  assert.deepEqual(await dtypes(join(ck, 'model.safetensors')), new Set(['BF16']), 'a full fine-tune checkpoint of a bf16 source is BF16');
  assert.deepEqual(await dtypes(join(ck, 'optimizer.safetensors')), new Set(['F32']), 'AdamW moments stay F32');
  assert.equal(dtypeOf(ck), 'bfloat16');
  const r2 = await runCli(['train', join(full, 'config.yaml'), '--resume', full, '--max-steps', '2']);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(losses(full).length, 2, 'resumed from the BF16 checkpoint to step 2');
  assert.deepEqual(await dtypes(join(full, 'final', 'model.safetensors')), new Set(['BF16']), 'the final model is BF16');

  // DPO: the policy trains in float32; its frozen reference keeps the 16-bit matrices.
  writeFileSync(join(dir, 'dpo.orpo.yaml'), cfg('auto', 'method: dpo\nbeta: 0.1\n').replace('max_steps: 2', 'max_steps: 1'));
  const dpo = await runCli(['train', join(dir, 'dpo.orpo.yaml'), '--out', join(dir, 'dpo')]);
  assert.equal(dpo.code, 0, dpo.stderr);
  assert.match(dpo.stderr, /DPO reference: frozen weights: [\d,]+ parameters kept bf16/);
  assert.doesNotMatch(dpo.stderr, /^\[orpo-lab\] frozen weights:/m, 'the policy is float32');
  assert.ok(Number.isFinite(losses(join(dir, 'dpo'))[0]), 'a finite DPO loss');
});

// LoRA through the CLI (issue 13 §2): `train` with an `adapter:` section on a saved GPT-2 leaves the base
// directory untouched and writes PEFT adapter checkpoints (no base weights, AdamW moments only for the
// adapter); a resumed LoRA run and a run continued with `model.adapter:` see the same weights (equal
// losses); the final model is the adapter; `merge` writes a transformers directory whose logits are those of base + adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../../src/engine/testing/tf';
import { createGpt2 } from '../../src/engine/model/gpt';
import { saveModelDir } from '../../src/engine/hf/save';
import { loadModelDir } from '../../src/engine/hf/load';
import { loadAdapterDir } from '../../src/engine/hf/adapter';
import { readSafetensorsHeader } from '../../src/engine/hf/safetensors';
import { ByteTokenizer } from '../../src/engine/tokenizer/bytes';
import { runCli } from './cli';

const pairs = (n: number, tag: string) => Array.from({ length: n }, (_, i) => JSON.stringify({ prompt: `Q ${tag}${i}: ${i} + ${i}?`, chosen: ` ${2 * i}.`, rejected: ` ${i}${i}, maybe.` })).join('\n') + '\n';
const lossAt = (run: string, step: number) => (readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss?: number }).find((r) => r.step === step && r.loss !== undefined) ?? assert.fail(`no loss at step ${step}`)).loss as number;
const digest = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));

void test('a LoRA run writes PEFT adapter checkpoints, resumes, continues from model.adapter, and merges', async () => {
  await useCpu();
  const dir = mkdtempSync(join(tmpdir(), 'orpo-lora-'));
  const base = join(dir, 'base');
  const gpt = createGpt2({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: 257, n_positions: 96, n_embd: 16, n_layer: 2, n_head: 2, tie_word_embeddings: true });
  await saveModelDir(gpt, new ByteTokenizer(), base);
  gpt.dispose();
  const before = digest(base);
  writeFileSync(join(dir, 'train.jsonl'), pairs(4, 't'));
  writeFileSync(join(dir, 'eval.jsonl'), pairs(2, 'e'));
  const cfg = (model: string, adapter: string) => `name: lora\nseed: 3\nmodel: ${model}\ndata: { train: train.jsonl, eval: eval.jsonl, max_length: 48, max_prompt_length: 24 }\ntrain: { batch_size: 4, max_steps: 1, learning_rate: 0.02, eval_every: 1000, save_every: 1, eval_samples: 0 }\n${adapter}backend: cpu\n`;
  writeFileSync(join(dir, 'a.orpo.yaml'), cfg(`{ from: ${base} }`, 'adapter: { type: lora, r: 4, alpha: 8, target_modules: all-linear }\n'));
  const a = join(dir, 'a');
  const first = await runCli(['train', join(dir, 'a.orpo.yaml'), '--out', a]);
  assert.equal(first.code, 0, first.stderr);
  const ck1 = join(a, 'checkpoints', 'checkpoint-1');
  assert.ok(existsSync(join(ck1, 'adapter_model.safetensors')) && existsSync(join(ck1, 'adapter_config.json')));
  assert.ok(!existsSync(join(ck1, 'model.safetensors')), 'a LoRA checkpoint holds no base weights');
  const moments = [...(await readSafetensorsHeader(join(ck1, 'optimizer.safetensors'))).tensors.keys()];
  assert.equal(moments.length, 2 * 2 * 8, 'two moments of lora_A and lora_B on 4 layers × 2 blocks');
  assert.ok(moments.every((k) => /\.lora_[AB]\.weight\.exp_avg(_sq)?$/.test(k)), moments.join());

  const resumed = await runCli(['train', join(a, 'config.yaml'), '--resume', a, '--max-steps', '2']);
  assert.equal(resumed.code, 0, resumed.stderr);
  writeFileSync(join(dir, 'b.orpo.yaml'), cfg(`{ from: ${base}, adapter: ${ck1} }`, ''));
  const b = join(dir, 'b');
  const cont = await runCli(['train', join(dir, 'b.orpo.yaml'), '--out', b]);
  assert.equal(cont.code, 0, cont.stderr);
  const [viaResume, viaAdapter] = [lossAt(a, 2), lossAt(b, 1)];
  assert.ok(Math.abs(viaResume - viaAdapter) < 1e-5, `loss after --resume ${viaResume}, after model.adapter ${viaAdapter}`);
  assert.notEqual(lossAt(a, 1), viaResume, 'the adapter trained');
  assert.deepEqual(digest(base), before, 'the base model directory is untouched');
  // The final model of a LoRA run is its adapter (as TRL saves a PEFT model): the last step's weights.
  const final = join(a, 'final');
  assert.deepEqual(readdirSync(final).filter((f) => f.endsWith('.safetensors')), ['adapter_model.safetensors'], 'final/ holds the adapter, not base weights');
  assert.equal(digest(final)['adapter_model.safetensors'], digest(join(a, 'checkpoints', 'checkpoint-2'))['adapter_model.safetensors'], "final/ is step 2's adapter");

  const merged = join(dir, 'merged');
  const m = await runCli(['merge', join(a, 'checkpoints', 'checkpoint-2'), '--out', merged]);
  assert.equal(m.code, 0, m.stderr);
  const full = await loadModelDir(merged);
  const lora = await loadAdapterDir(join(a, 'checkpoints', 'checkpoint-2'));
  const plain = await loadModelDir(base);
  const ids = tf.tensor2d([[72, 105, 33, 10, 200, 7]], undefined, 'int32');
  const [x, y, z] = [full, lora, plain].map((r) => tf.tidy(() => Array.from(r.model.forward(ids).dataSync())));
  const worst = (p: number[], q: number[]) => p.reduce((w, v, i) => Math.max(w, Math.abs(v - (q[i] as number))), 0);
  assert.ok(worst(x as number[], y as number[]) < 1e-5, `merged vs base + adapter: ${worst(x as number[], y as number[])}`);
  assert.ok(worst(x as number[], z as number[]) > 1e-4, 'the merged weights differ from the base');
  assert.ok(full.tokenizer, 'the merged directory has the tokenizer');
  for (const r of [full, lora, plain]) r.model.dispose();
  ids.dispose();
});

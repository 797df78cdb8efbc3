// LoRA adapters exchanged with real Hugging Face PEFT 0.21.0 (issue 13 §2). Fixtures made by
// scripts/reference/peft_fixtures.py (provenance in each peft_logits.json, see test/fixtures/peft/README.md):
// <model>-lora/ was made and saved by PEFT itself (tiny-llama-lora-bf16/ in bfloat16), ours-<model>/ was saved by ORPO Lab and loaded by
// PeftModel.from_pretrained with no missing or unexpected key. In both cases PEFT computed the logits
// (float64); our loader must give them, and they must differ from the base model's, so the adapter counts.
// Merged into the base weights (mergeLora, as `orpo-lab merge` does; GPT-2's Conv1D transposed) they must too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../../src/engine/testing/tf';
import { loadAdapterDir, writeAdapterFiles } from '../../src/engine/hf/adapter';
import { loadModelDir } from '../../src/engine/hf/load';
import { mergeLora } from '../../src/engine/model/lora';

const peftDir = new URL('../fixtures/peft/', import.meta.url).pathname;
interface Recorded { input_ids: number[][]; shape: number[]; logits: number[]; base_logits: number[]; keys: string[] }
const worst = (p: ArrayLike<number>, q: ArrayLike<number>) => Array.from(p).reduce((w, v, i) => Math.max(w, Math.abs(v - (q[i] as number))), 0);

for (const name of ['tiny-gpt2-lora', 'tiny-llama-lora', 'tiny-llama-lora-bf16', 'ours-tiny-gpt2', 'ours-tiny-llama']) {
  void test(`${name}: our loader gives PEFT's logits, with the adapter attached and merged`, async () => {
    await useCpu();
    const dir = join(peftDir, name);
    const rec = JSON.parse(readFileSync(join(dir, 'peft_logits.json'), 'utf8')) as Recorded;
    const { model, base } = await loadAdapterDir(dir); // the base from adapter_config.json's relative base_model_name_or_path
    const plain = await loadModelDir(base);
    const ids = tf.tensor2d(rec.input_ids, undefined, 'int32');
    try {
      const [ours, ourBase] = [model, plain.model].map((m) => tf.tidy(() => {
        const y = m.forward(ids);
        assert.deepEqual(y.shape, rec.shape);
        return y.dataSync().slice();
      })) as [Float32Array, Float32Array];
      assert.equal(ours.length, rec.logits.length);
      assert.ok(worst(ours, rec.logits) < 1e-5, `${name}: |ours − PEFT| = ${worst(ours, rec.logits)}`);
      assert.ok(worst(ourBase, rec.base_logits) < 1e-5, `${name}: base |ours − transformers| = ${worst(ourBase, rec.base_logits)}`);
      assert.ok(worst(rec.logits, rec.base_logits) > 1e-2, `${name}: the adapter changes the logits (${worst(rec.logits, rec.base_logits)})`);
      assert.equal(model.adapter?.params.size, rec.keys.length, 'every tensor PEFT saved or loaded is in the adapter');
      mergeLora(model);
      const merged = tf.tidy(() => model.forward(ids).dataSync().slice());
      assert.ok(worst(merged, rec.logits) < 1e-5, `${name}: merged |ours − PEFT| = ${worst(merged, rec.logits)}`);
    } finally {
      ids.dispose();
      model.dispose();
      plain.model.dispose();
    }
  });
}

// PEFT's verdict on ours-<model>/ holds for what the writer writes today: re-saving the loaded adapter gives the same bytes.
for (const name of ['ours-tiny-gpt2', 'ours-tiny-llama']) {
  void test(`${name}: the writer still writes the adapter PEFT loaded`, async () => {
    await useCpu();
    const dir = join(peftDir, name);
    const { model } = await loadAdapterDir(dir);
    const out = mkdtempSync(join(tmpdir(), 'peft-ours-'));
    try {
      const saved = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8')) as { base_model_name_or_path: string };
      await writeAdapterFiles(model, out, saved.base_model_name_or_path);
      for (const f of ['adapter_model.safetensors', 'adapter_config.json']) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(dir, f))), `${f} differs from the committed one`);
    } finally {
      model.dispose();
    }
  });
}

// LoRA adapters on disk (hf/adapter.ts) against PEFT's format as its source defines it:
// test/fixtures/peft/lora-format.json (key names, shapes and config fields derived by hand from PEFT's
// save_and_load.py, lora/layer.py, lora/config.py; provenance inside). Also: what we write reads back
// to the same tensors and logits, and adapters we do not implement are refused naming the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../testing/tf';
import { attachLora, createLora, type Lora } from '../model/lora';
import { adapterConfigJson, loadAdapterDir, readAdapter, writeAdapterFiles } from './adapter';
import { loadModelDir } from './load';
import { readSafetensorsHeader } from './safetensors';

const fixtures = new URL('../../../test/fixtures/', import.meta.url).pathname;
interface Family { layer0_all_linear: Record<string, [string, string]>; fan_in_fan_out: boolean }
const format = JSON.parse(readFileSync(fixtures + 'peft/lora-format.json', 'utf8')) as {
  files: { weights: string; config: string }; gpt2: Family; llama: Family; config_fields: Record<string, unknown>; config_keys: string[];
};

/** A fixture shape term such as "3*n_embd" or "num_key_value_heads*head_dim", from the model's config.json. */
const size = (term: string, c: Record<string, unknown>, r: number): number =>
  term.split('*').reduce((acc, t) => acc * (t === 'r' ? r : /^\d+$/.test(t) ? Number(t) : (c[t] as number)), 1);

for (const [name, family] of [['tiny-gpt2', 'gpt2'], ['tiny-llama', 'llama']] as const) {
  void test(`${name}: adapter_model.safetensors keys and shapes, adapter_config.json fields as PEFT saves them`, async () => {
    await useCpu();
    const base = fixtures + 'hf/' + name;
    const { model } = await loadModelDir(base);
    const dir = mkdtempSync(join(tmpdir(), 'adapter-'));
    try {
      const r = 4;
      attachLora(model, createLora(model, { r, alpha: 8, dropout: 0.05, targets: 'all-linear' }, 1));
      await writeAdapterFiles(model, dir, base);
      const header = await readSafetensorsHeader(join(dir, format.files.weights));
      const want = format[family].layer0_all_linear;
      const layer0 = [...header.tensors.keys()].filter((k) => /\.(h|layers)\.0\./.test(k)).sort();
      assert.deepEqual(layer0, Object.keys(want).sort());
      assert.equal(header.tensors.size, 2 * Object.keys(want).length, 'every layer, the same modules');
      for (const [k, [a, b]] of Object.entries(want)) {
        assert.deepEqual(header.tensors.get(k)?.shape, [size(a, model.config, r), size(b, model.config, r)], k);
        assert.equal(header.tensors.get(k)?.dtype, 'F32');
      }
      const cfg = JSON.parse(readFileSync(join(dir, format.files.config), 'utf8')) as Record<string, unknown>;
      for (const [k, v] of Object.entries(format.config_fields)) assert.deepEqual(cfg[k], v, k);
      for (const k of format.config_keys) assert.ok(k in cfg, `adapter_config.json has "${k}"`);
      assert.equal(cfg.fan_in_fan_out, format[family].fan_in_fan_out);
      assert.deepEqual([cfg.r, cfg.lora_alpha, cfg.lora_dropout, cfg.base_model_name_or_path], [4, 8, 0.05, base]);
      assert.deepEqual(cfg.target_modules, family === 'gpt2' ? ['c_attn', 'c_fc', 'c_proj'] : ['down_proj', 'gate_proj', 'k_proj', 'o_proj', 'q_proj', 'up_proj', 'v_proj']);
    } finally {
      model.dispose();
    }
  });
}

void test('an adapter we wrote reads back to the same tensors and, on its base, the same logits', async () => {
  await useCpu();
  const base = fixtures + 'hf/tiny-llama';
  const { model } = await loadModelDir(base);
  const dir = mkdtempSync(join(tmpdir(), 'adapter-'));
  const ids = tf.tensor2d([[4, 8, 15, 16, 23, 42]], undefined, 'int32');
  try {
    const plain = tf.tidy(() => model.forward(ids).dataSync());
    const lora = createLora(model, { r: 2, alpha: 4, dropout: 0, targets: ['q_proj', 'o_proj'] }, 5);
    for (const m of lora.modules) { const B = (lora.pair(m) as { B: tf.Variable }).B; B.assign(tf.randomNormal(B.shape, 0, 0.5, 'float32', 11)); }
    attachLora(model, lora);
    const want = tf.tidy(() => model.forward(ids).dataSync());
    await writeAdapterFiles(model, dir, base);
    const back = await readAdapter(dir, model);
    for (const [n, v] of lora.params) assert.deepEqual(Array.from((back.params.get(n) as tf.Variable).dataSync()), Array.from(v.dataSync()), n);
    assert.deepEqual([back.settings.r, back.settings.alpha, back.scaling], [2, 4, 2]);
    back.dispose();
    const loaded = await loadAdapterDir(dir); // the base from base_model_name_or_path
    const got = tf.tidy(() => loaded.model.forward(ids).dataSync());
    assert.deepEqual(Array.from(got), Array.from(want));
    assert.notDeepEqual(Array.from(want), Array.from(plain), 'the adapter changes the logits');
    loaded.model.dispose();
  } finally {
    ids.dispose();
    model.dispose();
  }
});

void test('adapters ORPO Lab does not implement are refused, naming the file and the field', async () => {
  await useCpu();
  const base = fixtures + 'hf/tiny-gpt2';
  const { model } = await loadModelDir(base);
  const dir = mkdtempSync(join(tmpdir(), 'adapter-'));
  try {
    attachLora(model, createLora(model, { r: 2, alpha: 2, dropout: 0 }, 2));
    await writeAdapterFiles(model, dir, base);
    const cfgPath = join(dir, 'adapter_config.json');
    const good = adapterConfigJson(model.adapter as Lora, base);
    const refuse = async (patch: Record<string, unknown>, pattern: RegExp) => {
      writeFileSync(cfgPath, JSON.stringify({ ...good, ...patch }));
      await assert.rejects(readAdapter(dir, model), (e: Error) => e.message.startsWith(dir) && pattern.test(e.message));
    };
    await refuse({ peft_type: 'PREFIX_TUNING' }, /only LoRA adapters/);
    await refuse({ use_dora: true }, /"use_dora" is true/);
    await refuse({ r: 0 }, /"r" must be an integer ≥ 1/);
    await refuse({ modules_to_save: ['lm_head'] }, /"modules_to_save" is set/);
    await refuse({ r: 3 }, /expected rank 3/);
  } finally {
    model.dispose();
  }
});

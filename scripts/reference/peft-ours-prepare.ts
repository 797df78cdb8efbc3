// Writes LoRA adapters made by ORPO Lab onto the tiny fixture models, for peft_fixtures.py to load with
// real PEFT (PeftModel.from_pretrained) and record PEFT's logits: test/fixtures/peft/ours-<model>/.
// A and B are seeded (B non-zero, so the adapter changes the logits); saved by saveAdapterDir as any
// LoRA checkpoint is, base_model_name_or_path relative to the adapter directory. Run from the repo root:
//   node --import tsx scripts/reference/peft-ours-prepare.ts
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { join, relative } from 'node:path';
import { loadModelDir } from '../../src/engine/hf/load';
import { saveAdapterDir } from '../../src/engine/hf/adapter';
import { attachLora, Lora, linearModules, resolveTargets, type LoraSettings } from '../../src/engine/model/lora';
import { paramSeed } from '../../src/engine/model/seed';

/** GPT-2: every Conv1D (all-linear); Llama: a named subset covering attention and MLP. */
const SETTINGS: Record<string, LoraSettings> = {
  'tiny-gpt2': { r: 4, alpha: 8, dropout: 0, targets: 'all-linear' },
  'tiny-llama': { r: 4, alpha: 8, dropout: 0, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'up_proj', 'down_proj'] },
};

(async () => {
  await tf.setBackend('cpu');
  for (const [name, s] of Object.entries(SETTINGS)) {
    const base = join('test/fixtures/hf', name);
    const out = join('test/fixtures/peft', `ours-${name}`);
    const { model } = await loadModelDir(base);
    const sizes = linearModules(model);
    const weights = new Map<string, { A: tf.Tensor; B: tf.Tensor }>();
    resolveTargets(model, s.targets).forEach((m, i) => {
      const { in: n, out: o } = sizes.get(m) as { in: number; out: number };
      weights.set(m, {
        A: tf.randomUniform([s.r, n], -1 / Math.sqrt(n), 1 / Math.sqrt(n), 'float32', paramSeed(7, 2 * i)),
        B: tf.randomUniform([o, s.r], -0.5, 0.5, 'float32', paramSeed(7, 2 * i + 1)),
      });
    });
    attachLora(model, new Lora(s, model.config.model_type === 'gpt2', weights));
    for (const w of weights.values()) tf.dispose([w.A, w.B]);
    await saveAdapterDir(model, undefined, out, relative(out, base));
    model.dispose();
    console.log(`wrote ${out}`);
  }
})().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

// Profiles one training step's kernels on a backend: node --import tsx scripts/profile-step.ts d L H V T pairs [backend]
// (a scratch GPT-2), or MODEL=smollm2-360m|gpt2-small ... for that bench model's config cut to L blocks (d, H, V from it).
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backend/select';
import { createGpt2, createScratchGpt2 } from '../src/engine/model/gpt';
import { createLlama } from '../src/engine/model/llama';
import { BENCH_MODELS, type BenchModelName } from '../src/engine/commands/benchModels';
import { collate } from '../src/engine/data/batch';
import { gradients, toTensors } from '../src/engine/train/step';
async function main() {
  const [d, L, H, V0, T, P] = process.argv.slice(2).map(Number) as number[];
  const bench = process.env.MODEL as BenchModelName | undefined;
  const config = bench ? { ...BENCH_MODELS[bench], n_layer: L, num_hidden_layers: L } : undefined;
  const V = config ? (config.vocab_size as number) : V0;
  await selectBackend((process.argv[8] ?? 'wasm') as 'wasm');
  if (tf.getBackend() === 'native') tf.env().set('PROD', false);
  const model = !config ? createScratchGpt2({ from: 'scratch', layers: L!, d_model: d!, heads: H!, context: T! }, V!, V! - 1, 1) : config.model_type === 'gpt2' ? createGpt2(config) : createLlama(config, undefined, 1);
  const pairs = Array.from({ length: P! }, () => ({ prompt: Array.from({ length: T! / 2 }, (_, i) => i % (V! - 1)), chosen: Array.from({ length: T! / 2 }, (_, i) => (i * 7) % (V! - 1)), rejected: Array.from({ length: T! / 2 }, (_, i) => (i * 3) % (V! - 1)) }));
  const b = collate(pairs, { padId: V! - 1 });
  for (let w = 0; w < 2; w++) { const bt = toTensors(b); const g = gradients(model, bt, { method: 'orpo', lambda: 0.1, nllOnPrompt: true }); tf.dispose([...g.grads.values(), g.metrics]); }
  const bt = toTensors(b);
  const t0 = performance.now();
  const prof = await tf.profile(() => { const g = gradients(model, bt, { method: 'orpo', lambda: 0.1, nllOnPrompt: true }); tf.dispose([...g.grads.values(), g.metrics]); });
  const total = performance.now() - t0;
  const by = new Map<string, number>();
  for (const k of prof.kernels) {
    by.set(k.name, (by.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    if (process.env.BY_SHAPE === k.name) {
      const key = `  ${k.name} ${JSON.stringify(k.inputShapes)}`;
      by.set(key, (by.get(key) ?? 0) + (k.kernelTimeMs as number));
    }
  }
  const rows = [...by].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 18));
  console.log('total ms', total.toFixed(0), 'kernel sum', [...by.values()].reduce((a, b) => a + b, 0).toFixed(0));
  for (const [n, ms] of rows) console.log(n.padEnd(24), ms.toFixed(1));
}
main();

// Writes a random-weight transformers directory (config.json + model.safetensors) of a benchmark shape,
// as `orpo-lab bench` builds it without --model (commands/bench.ts, benchConfig: a scratch GPT-2, or a
// Llama of SmolLM2-360M's proportions at this width), in float32, bfloat16 or float16 (hf/save.ts
// writes the model's source dtype), so `bench --model DIR` can measure 16-bit frozen weights (issue 13)
// at shapes between the tests' and the Hub models'.
// Usage: node --import tsx scripts/write-model.ts OUT [family gpt2|llama] [d] [layers] [heads] [vocab] [dtype F32|BF16|F16]
import '@tensorflow/tfjs-backend-cpu';
import { benchConfig, type BenchShape } from '../src/engine/commands/bench';
import { saveModelDir } from '../src/engine/hf/save';
import { createGpt2 } from '../src/engine/model/gpt';
import { createLlama } from '../src/engine/model/llama';
import type { SourceDtype } from '../src/engine/model/types';

async function main(): Promise<void> {
  const [out, family = 'llama', d = '576', L = '8', H = '9', V = '49152', dtype = 'BF16'] = process.argv.slice(2);
  if (!out || !['gpt2', 'llama'].includes(family) || !['F32', 'BF16', 'F16'].includes(dtype)) {
    throw new Error('usage: write-model.ts OUT [gpt2|llama] [d] [layers] [heads] [vocab] [F32|BF16|F16]');
  }
  const s = { d: Number(d), L: Number(L), H: Number(H), V: Number(V), T: 2048, family } as BenchShape;
  const config = benchConfig(s);
  const model = family === 'gpt2' ? createGpt2(config) : createLlama(config, undefined, 1);
  model.sourceDtype = dtype as SourceDtype;
  await saveModelDir(model, undefined, out);
  model.dispose();
  console.log(`wrote ${out}: ${family} d=${d} L=${L} H=${H} V=${V} ${dtype}`);
}

void main();

// What is alive at the native backend's peak: two full training steps (gradients + AdamW) of GPT-2-small
// or SmolLM2-360M shapes cut to a few blocks, every buffer the backend holds labelled by its shape, the
// phase that made it (forward, backward, or a nested backward: a checkpointed block's recomputation) and
// the engine's own frames that made it, grouped and summed at the high-water mark; with the memory
// plan's estimate beside the measured peak.
//   node --import tsx scripts/profile-memory.ts --model smollm2-360m --layers 2 [--vocab N] [--seq 64]
//     [--pairs 2] [--checkpointing] [--untied] [--top 20]
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/engine/backend/select';
import { nativeMemory, type NativeBackend } from '../src/engine/backend/native/cpuBackend';
import { BENCH_MODELS, type BenchModelName } from '../src/engine/commands/benchModels';
import { createGpt2 } from '../src/engine/model/gpt';
import { createLlama } from '../src/engine/model/llama';
import type { HfConfig } from '../src/engine/model/types';
import { peakOfSteps } from '../src/engine/testing/peakSteps';
import { dimsFromHf, estimatePeak } from '../src/server/service/memoryPlan';

const { values: a } = parseArgs({
  options: {
    model: { type: 'string', default: 'smollm2-360m' }, layers: { type: 'string', default: '2' }, vocab: { type: 'string' },
    seq: { type: 'string', default: '64' }, pairs: { type: 'string', default: '2' }, checkpointing: { type: 'boolean', default: false },
    untied: { type: 'boolean', default: false }, top: { type: 'string', default: '20' },
  },
});
const name = a.model as BenchModelName;
if (!(name in BENCH_MODELS)) throw new Error(`--model: one of ${Object.keys(BENCH_MODELS).join(', ')}`);
const gpt2 = name === 'gpt2-small';
const L = Number(a.layers), T = Number(a.seq), pairs = Number(a.pairs), top = Number(a.top);
const config: HfConfig = {
  ...BENCH_MODELS[name],
  ...(gpt2 ? { n_layer: L } : { num_hidden_layers: L, ...(a.untied ? { tie_word_embeddings: false } : {}) }),
  ...(a.vocab ? { vocab_size: Number(a.vocab) } : {}),
};
const V = config.vocab_size;
const MiB = (b: number): string => (b / 2 ** 20).toFixed(1);

interface Buf { bytes: number; label: string }

/** Labels every buffer the backend writes; keeps a copy of the live set at each new high-water mark (1 MiB steps). */
function track(b: NativeBackend): { atPeak: () => Map<object, Buf> } {
  const live = new Map<object, Buf>();
  let snap = new Map<object, Buf>(), snapLive = b.live;
  Error.stackTraceLimit = 60;
  const here = /[\\/]src[\\/]engine[\\/](?!backend[\\/])/;
  const label = (shape: number[]): string => {
    const frames = (new Error().stack ?? '').split('\n').slice(3);
    const depth = frames.filter((l) => l.includes('backpropagateGradients')).length;
    const ours = frames.filter((l) => here.test(l) && !l.includes('node_modules')).slice(0, 3)
      .map((l) => l.trim().replace(/^at /, '').replace(/\(.*[\\/]src[\\/]engine[\\/]/, '(').replace(/\)$/, ''));
    return `[${shape.join(', ')}] ${depth === 0 ? 'forward' : depth === 1 ? 'backward' : `backward ×${depth}`}: ${ours.join(' < ')}`;
  };
  const size = (v: unknown): number => (ArrayBuffer.isView(v) ? v.byteLength : 0);
  const seen = (id: object, values: unknown, shape: number[]): void => {
    live.set(id, { bytes: size(values), label: label(shape) });
    if (b.live > snapLive + 2 ** 20) { snapLive = b.live; snap = new Map(live); }
  };
  const w = b.write.bind(b), m = b.move.bind(b), d = b.disposeData.bind(b);
  b.write = (values, shape, dtype) => { const id = w(values, shape, dtype); seen(id, values, shape); return id; };
  b.move = (id, values, shape, dtype, rc) => { m(id, values, shape, dtype, rc); seen(id, values, shape); };
  b.disposeData = (id, force = false) => { const r = d(id, force); if (!(b as unknown as { data: { has(x: object): boolean } }).data.has(id)) live.delete(id); return r; };
  return { atPeak: () => snap };
}

async function main(): Promise<void> {
  await selectBackend('native');
  const mem = nativeMemory();
  if (!mem) throw new Error('the native backend did not load');
  const model = gpt2 ? createGpt2(config) : createLlama(config, undefined, 1);
  model.gradientCheckpointing = a.checkpointing;
  let held = 0, t: ReturnType<typeof track> | undefined;
  const peak = peakOfSteps(model, V, T, pairs, () => { held = mem.backend.live; t = track(mem.backend); });
  model.dispose();
  const est = estimatePeak(dimsFromHf(config) as NonNullable<ReturnType<typeof dimsFromHf>>, { rows: 2 * pairs, T, checkpointing: a.checkpointing, reference: false }).total;
  console.log(`${name}, ${L} blocks, vocab ${V}${a.untied ? ', untied' : ''}, seq ${T} × ${pairs} pairs${a.checkpointing ? ', checkpointing' : ''}`);
  console.log(`weights + AdamW before the steps ${MiB(held)} MiB; peak ${MiB(peak)} MiB; estimate ${MiB(est)} MiB (×${(est / peak).toFixed(3)}); left after dispose ${MiB(mem.backend.live)} MiB`);
  const groups = new Map<string, [number, number]>();
  for (const { bytes, label } of t?.atPeak().values() ?? []) {
    const g = groups.get(label) ?? [0, 0];
    groups.set(label, [g[0] + bytes, g[1] + 1]);
  }
  console.log('MiB at the peak beyond what the steps started with (weights, AdamW), buffers, shape, phase: made by');
  for (const [l, [bytes, n]] of [...groups].sort((x, y) => y[1][0] - x[1][0]).slice(0, top)) console.log(`${MiB(bytes).padStart(8)} ${String(n).padStart(4)}  ${l}`);
}

void main();

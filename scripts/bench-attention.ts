// The native fused causal attention (backend/native/attention.c) against the composite of tfjs ops it
// replaces (split heads, repeat_kv as a row gather, QKᵀ, mask, softmax, ·V, merge) on the native
// backend: one forward + backward at a block's attention shape, time and the backend's peak bytes
// above what was held before; then the peak of whole GPT-2-small- or SmolLM2-360M-width training
// steps cut to a few blocks (testing/peakSteps.ts) with the kernel and without it (unregistered: the
// models fall back to the composite). A benchmark, not a test.
//   ORPO_LAB_THREADS=2 node --import tsx scripts/bench-attention.ts [--reps 3] [--model gpt2-small|smollm2-360m]
//     [--layers 2] [--seq 512] [--pairs 2] [--no-step]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/engine/backend/select';
import { nativeMemory } from '../src/engine/backend/native/cpuBackend';
import { BENCH_MODELS, type BenchModelName } from '../src/engine/commands/benchModels';
import { createGpt2 } from '../src/engine/model/gpt';
import { createLlama } from '../src/engine/model/llama';
import type { HfConfig } from '../src/engine/model/types';
import { attention, causalMask, fusedAttention, hasFusedAttention, mergeHeads, splitHeads, splitHeadsT } from '../src/engine/ops/nn';
import { peakOfSteps } from '../src/engine/testing/peakSteps';
import { withoutFusedAttention } from '../src/engine/testing/composite';

const { values: a } = parseArgs({
  options: { reps: { type: 'string', default: '3' }, model: { type: 'string', default: 'gpt2-small' }, layers: { type: 'string', default: '2' }, seq: { type: 'string', default: '512' }, pairs: { type: 'string', default: '2' }, 'no-step': { type: 'boolean', default: false } },
});
const MiB = (b: number): string => (b / 2 ** 20).toFixed(0);

/** The composite: qkv [B, T, (H+2KV)·hd] → [B·T, H·hd], as Gpt2/Llama run it without the kernel. */
function composite(qkv: tf.Tensor3D, H: number, KV: number): tf.Tensor2D {
  const [B, T, W] = qkv.shape;
  const hd = W / (H + 2 * KV), rep = H / KV;
  const [q, k, v] = tf.split(qkv, [H * hd, KV * hd, KV * hd], 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D]; // [B, T, H*hd], 2 × [B, T, KV*hd]
  const idx = tf.tensor1d(Array.from({ length: B * H }, (_, z) => Math.floor(z / H) * KV + Math.floor((z % H) / rep)), 'int32'); // repeat_kv rows
  const kT = tf.gather(splitHeadsT(k, KV), idx); // [B*H, hd, T]
  const vh = tf.gather(splitHeads(v, KV), idx); // [B*H, T, hd]
  return mergeHeads(attention(splitHeads(q, H), kT, vh, causalMask(T)), B, H); // [B*T, H*hd]
}

/** Median ms and peak bytes (above what was held) of one forward + backward of f at qkv [B, T, W]. */
function measure(f: (x: tf.Tensor3D) => tf.Tensor2D, B: number, T: number, W: number, d: number): { ms: number; peak: number } {
  const mem = nativeMemory() ?? (() => { throw new Error('the native backend is not active'); })();
  const x = tf.randomNormal([B, T, W], 0, 1, 'float32', 1) as tf.Tensor3D;
  const dy = tf.randomNormal([B * T, d], 0, 1, 'float32', 2);
  const once = (): void => tf.tidy(() => { tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v as tf.Tensor3D), dy)))(x).dataSync(); });
  once(); // warm-up
  const times: number[] = [];
  let peak = 0;
  for (let r = 0; r < Number(a.reps); r++) {
    const held = mem.backend.live;
    mem.backend.resetPeak();
    const t0 = performance.now();
    once();
    times.push(performance.now() - t0);
    peak = Math.max(peak, mem.backend.peak - held);
  }
  tf.dispose([x, dy]);
  return { ms: times.sort((p, q) => p - q)[Math.floor(times.length / 2)] as number, peak };
}


async function main(): Promise<void> {
  const info = await selectBackend('native');
  console.log(`backend ${info.backend}: ${info.device}; ORPO_LAB_THREADS=${process.env.ORPO_LAB_THREADS ?? '(default)'}; reps ${a.reps}`);
  for (const [name, [B, T, H, KV, hd]] of [['GPT-2-small block', [4, 512, 12, 12, 64]], ['SmolLM2-360M block', [4, 512, 15, 5, 64]]] as const) {
    if (!hasFusedAttention(hd)) throw new Error('the fused attention is not registered');
    const W = (H + 2 * KV) * hd;
    const fused = measure((x) => fusedAttention(x, H, KV), B, T, W, H * hd);
    const comp = measure((x) => composite(x, H, KV), B, T, W, H * hd);
    console.log(`${name} B ${B} T ${T} H ${H} KV ${KV} hd ${hd}: fused ${fused.ms.toFixed(0)} ms, peak +${MiB(fused.peak)} MiB | composite ${comp.ms.toFixed(0)} ms, peak +${MiB(comp.peak)} MiB | ${(comp.ms / fused.ms).toFixed(2)}x faster`);
  }
  if (a['no-step']) return;
  const L = Number(a.layers), T = Number(a.seq), pairs = Number(a.pairs);
  const name = a.model as BenchModelName;
  if (!(name in BENCH_MODELS)) throw new Error(`--model: one of ${Object.keys(BENCH_MODELS).join(', ')}`);
  const gpt2 = name === 'gpt2-small';
  const config: HfConfig = { ...BENCH_MODELS[name], ...(gpt2 ? { n_layer: L } : { num_hidden_layers: L }) };
  const step = (): number => {
    const model = gpt2 ? createGpt2(config) : createLlama(config, undefined, 1);
    try {
      return peakOfSteps(model, config.vocab_size, T, pairs, undefined, 1);
    } finally {
      model.dispose();
    }
  };
  step(); // warm-up: the first step of a process pays for first allocations
  const t0 = performance.now();
  const fusedPeak = step();
  const t1 = performance.now();
  const restore = withoutFusedAttention();
  const compPeak = step();
  const t2 = performance.now();
  restore();
  console.log(`${name} width, ${L} blocks, seq ${T}, ${pairs} pairs, one step (gradients + AdamW): peak ${MiB(fusedPeak)} MiB with the kernel (${((t1 - t0) / 1000).toFixed(1)} s), ${MiB(compPeak)} MiB composite (${((t2 - t1) / 1000).toFixed(1)} s)`);
}

void main();

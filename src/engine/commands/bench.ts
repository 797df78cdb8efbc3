// `orpo-lab bench`: times full training steps (forward, backward, AdamW) of a scratch GPT-2 (or a
// SmolLM2-shaped Llama: --family llama; --checkpointing; a LoRA adapter: --lora-r, --lora-targets), or of a
// transformers directory loaded as users' checkpoints are (--model DIR; --init gpt2-small|smollm2-360m writes one first;
// a 16-bit one keeps its frozen weights 16-bit unless --frozen-dtype float32), on
// synthetic tokens, the same step the trainer runs. With --json the last stdout line is one JSON
// object with tokens_per_second, step_ms, backend, threads and peak memory. A benchmark, not a test.
import * as tf from '@tensorflow/tfjs-core';
import { webgpuLimits } from '../backend/webgpu/limits';
import { BACKENDS, METHODS } from '../../common/schema';
import type { Backend, Method } from '../../common/config';
import { flagBool, flagChoice, flagInt, flagString, parseCommand, UsageError, type CommandSpec } from '../args';
import { nativeKernels } from '../backend/native/kernels';
import { selectBackend } from '../backend/select';
import { countingOn, diffCounts, gpuCounts, resetGpuPeak, type GpuCounts } from '../backend/webgpu/counts';
import { collate } from '../data/batch';
import { Rng } from '../data/rng';
import type { TokenizedPair } from '../data/tokenize';
import { createGpt2, scratchGpt2Config } from '../model/gpt';
import { createLlama } from '../model/llama';
import { loadModelDir } from '../hf/load';
import { readHfConfig } from '../hf/config';
import { BENCH_MODELS, ensureBenchModel, type BenchModelName } from './benchModels';
import { attachLora, createLora, trainableParams } from '../model/lora';
import type { CausalLM, HfConfig } from '../model/types';
import { nativeMemory } from '../backend/native/cpuBackend';
import { adapterLimitProblem, backendLimit, describe, dimsFromHf, estimatePeak, gib, keepsFrozen16, type RunShape } from '../../server/service/memoryPlan';
import { hasFusedAttention } from '../ops/nn';
import { AdamW } from '../train/optimizer';
import { disposeBatch, gradients, referenceSums, toTensors } from '../train/step';

/** Bytes the backend holds now. On wasm, the heap (it only grows, so after a step it is the step's peak). The native backend counts its own peak. */
function backendBytes(): number {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  return b.wasm ? b.wasm.HEAPU8.length : tf.memory().numBytes;
}

export interface BenchShape {
  d: number; L: number; H: number; V: number; T: number; pairs: number; steps: number; method: Method;
  /** gpt2 (scratch GPT-2), or llama: a Llama of this width with SmolLM2-360M's proportions (GQA 3:1, MLP 8/3·d). */
  family: 'gpt2' | 'llama';
  checkpointing: boolean;
  /** A transformers model directory to load (hf/load.ts) instead of a scratch model, and its config.json. */
  model?: { dir: string; config: HfConfig };
  /** A LoRA adapter (rank, and all-linear or module names); alpha = r. */
  lora?: { r: number; targets: 'all-linear' | string[] };
  /** model.frozen_dtype: `auto` keeps a 16-bit --model's frozen weights 16-bit (the default), `float32` converts them. */
  frozenDtype?: 'auto' | 'float32';
}

/** The transformers config.json of the benchmark's model. */
export function benchConfig(s: BenchShape): HfConfig {
  if (s.model) return s.model.config;
  if (s.family === 'gpt2') return scratchGpt2Config({ from: 'scratch', layers: s.L, d_model: s.d, heads: s.H, context: s.T }, s.V, s.V - 1);
  return {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: s.V, hidden_size: s.d, intermediate_size: Math.round((s.d * 8) / 3),
    num_hidden_layers: s.L, num_attention_heads: s.H, num_key_value_heads: s.H % 3 === 0 ? s.H / 3 : s.H, max_position_embeddings: Math.max(s.T, 2048),
    rms_norm_eps: 1e-5, rope_theta: 100000, tie_word_embeddings: true, initializer_range: 0.02,
  };
}

/** Synthetic pairs whose rows are exactly T tokens: a prompt of T/2, responses of T/2. */
function syntheticPairs(s: BenchShape): TokenizedPair[] {
  const rng = new Rng(1234);
  const ids = (n: number) => Array.from({ length: n }, () => Math.floor(rng.next() * (s.V - 1)));
  const half = Math.floor(s.T / 2);
  return Array.from({ length: s.pairs }, () => ({ prompt: ids(half), chosen: ids(s.T - half), rejected: ids(s.T - half) }));
}

export interface BenchResult {
  stepMs: number[]; peakBytes: number; peakLive: number; peakRss: number; params: number; trainable: number;
  /** WebGPU counts per step (warm-up first), when counting is on. */
  counts: GpuCounts[];
  /** Bytes of the batch tensors a step uploads (ids, targets and masks). */
  batchBytes: number;
  /** The native backend's own peak of tensor bytes. */
  nativePeak?: number;
  /** Frozen weights were kept 16-bit (model.halves). */
  frozen16: boolean;
}

export async function benchSteps(s: BenchShape, log: (l: string) => void): Promise<BenchResult> {
  const config = benchConfig(s);
  const dir = s.model?.dir;
  const make = async (frozen: boolean): Promise<CausalLM> => (dir ? (await loadModelDir(dir, { keep16: frozen && s.frozenDtype !== 'float32' })).model : s.family === 'gpt2' ? createGpt2(config) : createLlama(config, undefined, 1));
  const model = await make(s.lora !== undefined);
  model.gradientCheckpointing = s.checkpointing;
  if (s.lora) attachLora(model, createLora(model, { r: s.lora.r, alpha: s.lora.r, dropout: 0, targets: s.lora.targets }, 1));
  const ref = s.method === 'dpo' ? await make(true) : undefined;
  const opt = new AdamW(trainableParams(model), { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 }, (n) => model.noDecay(n));
  const batch = collate(syntheticPairs(s), { padId: s.V - 1 });
  nativeMemory()?.backend.resetPeak(); // from here: weights, AdamW state and the steps
  // Live tensor bytes peak right after a forward pass, while the tape holds every activation for the
  // backward pass (policy), or while the reference's logits exist (DPO): probe there, after the blocks
  // and after each application of the head (whole, or a chunk: loss/logps.ts).
  let peakLive = 0;
  const note = (): void => { peakLive = Math.max(peakLive, tf.memory().numBytes); };
  const probe = (m: typeof model) => {
    const hidden = m.hidden.bind(m);
    m.hidden = (ids, lens) => {
      const { h, head } = hidden(ids, lens);
      note();
      return { h, head: { V: head.V, weights: head.weights, apply: (x) => { const z = head.apply(x); note(); return z; } } };
    };
  };
  probe(model);
  if (ref) probe(ref);
  const settings = { method: s.method, lambda: 0.1, beta: 0.1, nllOnPrompt: true };
  let peakBytes = 0;
  let peakRss = 0;
  const stepMs: number[] = [];
  const counts: GpuCounts[] = [];
  let batchBytes = 0;
  for (let i = 0; i < s.steps + 1; i++) {
    resetGpuPeak(); // each step's high-water mark of GPU buffer bytes
    const c0 = gpuCounts();
    const t0 = performance.now();
    const bt = toTensors(batch);
    batchBytes = [bt.ids, bt.targets, bt.respMask, bt.seqMask].reduce((a, t) => a + 4 * t.size, 0);
    const refSums = ref ? referenceSums(ref, bt) : undefined;
    const g = gradients(model, bt, { ...settings, refSums });
    peakBytes = Math.max(peakBytes, backendBytes());
    const norm = opt.step(g.grads, 1e-4);
    peakLive = Math.max(peakLive, tf.memory().numBytes);
    const loss = (await g.metrics.data())[0] as number; // sync: the step is complete
    tf.dispose([...g.grads.values(), g.metrics, norm]);
    refSums?.dispose();
    disposeBatch(bt);
    const ms = performance.now() - t0;
    if (countingOn()) counts.push(diffCounts(c0, gpuCounts()));
    peakBytes = Math.max(peakBytes, backendBytes());
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (i === 0) log(`warm-up step: ${ms.toFixed(0)} ms (loss ${loss.toFixed(4)})`);
    else {
      stepMs.push(ms);
      log(`step ${i}: ${ms.toFixed(0)} ms`);
    }
  }
  const params = [...model.params.values(), ...model.halves.values()].reduce((a, v) => a + v.size, 0);
  const frozen16 = model.halves.size > 0;
  const trainable = [...trainableParams(model).values()].reduce((a, v) => a + v.size, 0);
  const nativePeak = nativeMemory()?.peak;
  opt.dispose();
  model.dispose();
  ref?.dispose();
  return { stepMs, peakBytes, peakLive, peakRss, params, trainable, counts, batchBytes, frozen16, ...(nativePeak === undefined ? {} : { nativePeak }) };
}

const n = (help: string) => ({ type: 'string', arg: 'N', help }) as const;
export const BENCH_SPEC: CommandSpec = {
  name: 'bench',
  positionals: '',
  minPositionals: 0,
  maxPositionals: 0,
  summary: 'Times full training steps (forward, backward, AdamW) of a scratch GPT-2 or SmolLM2-shaped Llama on synthetic tokens, with peak memory and the memory plan\'s estimate. A benchmark, not a test.',
  options: {
    'd-model': n('model width (256)'), layers: n('layers (4)'), heads: n('attention heads (4)'), vocab: n('vocabulary size (8000)'),
    seq: n('tokens per sequence (128)'), pairs: n('preference pairs per step (4)'), steps: n('timed steps after one warm-up step (5)'),
    backend: { type: 'string', arg: 'NAME', help: `one of ${BACKENDS.join(', ')} (auto)` },
    method: { type: 'string', arg: 'NAME', help: `one of ${METHODS.join(', ')} (orpo)` },
    family: { type: 'string', arg: 'NAME', help: 'gpt2, or llama: SmolLM2-360M proportions at this width (gpt2)' },
    model: { type: 'string', arg: 'DIR', help: 'a transformers model directory (config.json + model.safetensors), loaded as `model.from` loads it; its config.json gives the shape' },
    init: { type: 'string', arg: 'NAME', help: `with --model: first write a random-weight ${Object.keys(BENCH_MODELS).join(' or ')} there, unless DIR already holds it` },
    'init-only': { type: 'boolean', help: 'with --init: write (or check) the model directory, then stop' },
    checkpointing: { type: 'boolean', help: 'train.gradient_checkpointing: recompute each block in the backward pass' },
    'lora-r': n('train a LoRA adapter of this rank (alpha = r) instead of every weight'),
    'lora-targets': { type: 'string', arg: 'LIST', help: 'the adapter\'s modules: all-linear, or names separated by commas (PEFT\'s default for the family)' },
    'frozen-dtype': { type: 'string', arg: 'NAME', help: 'model.frozen_dtype for --model: auto keeps a 16-bit checkpoint\'s frozen weights 16-bit on native and webgpu, float32 converts them (auto)' },
    counts: { type: 'boolean', help: 'WebGPU work per step: dispatches, submits, staging buffers, bytes uploaded, reads, pipeline compiles after warm-up, peak bytes in GPU buffers' },
    json: { type: 'boolean', help: 'print one JSON object (step_ms, tokens_per_second, memory) as the last stdout line' },
  },
};

export async function main(argv: string[]): Promise<number> {
  const a = parseCommand(BENCH_SPEC, argv);
  const backend: Backend = flagChoice(a, 'backend', BACKENDS) ?? 'auto';
  const method: Method = flagChoice(a, 'method', METHODS) ?? 'orpo';
  // --counts: WebGPU dispatches, submits, staging buffers, uploads, reads and compiles per step.
  if (flagBool(a, 'counts')) process.env.ORPO_LAB_WEBGPU_COUNTS = '1';
  const s: BenchShape = {
    d: flagInt(a, 'd-model') ?? 256, L: flagInt(a, 'layers') ?? 4, H: flagInt(a, 'heads') ?? 4, V: flagInt(a, 'vocab') ?? 8000,
    T: flagInt(a, 'seq') ?? 128, pairs: flagInt(a, 'pairs') ?? 4, steps: flagInt(a, 'steps') ?? 5, method,
    family: flagChoice(a, 'family', ['gpt2', 'llama'] as const) ?? 'gpt2', checkpointing: flagBool(a, 'checkpointing'),
    frozenDtype: flagChoice(a, 'frozen-dtype', ['auto', 'float32'] as const) ?? 'auto',
  };
  const loraR = flagInt(a, 'lora-r');
  const loraTargets = flagString(a, 'lora-targets');
  if (loraTargets !== undefined && loraR === undefined) throw new UsageError('--lora-targets needs --lora-r');
  const log = (l: string) => process.stderr.write(`[bench] ${l}\n`);
  const dir = flagString(a, 'model');
  const info = await selectBackend(backend, log); // first: --init writes the model with this backend
  if (dir) await useModelDir(a, s, dir, log);
  else if (flagString(a, 'init') !== undefined) throw new UsageError('--init NAME writes a model to the --model DIR: give --model too');
  if (flagBool(a, 'init-only')) {
    if (!dir || flagString(a, 'init') === undefined) throw new UsageError('--init-only writes the --init NAME model to the --model DIR: give both');
    return 0;
  }
  if (s.d % s.H !== 0) throw new UsageError('--d-model must be divisible by --heads');
  // The family (and so PEFT's default modules) is known only now, after --model DIR.
  if (loraR !== undefined) s.lora = { r: loraR, targets: loraTargets === undefined ? (s.family === 'gpt2' ? ['c_attn'] : ['q_proj', 'v_proj']) : loraTargets === 'all-linear' ? 'all-linear' : loraTargets.split(',').map((t) => t.trim()).filter(Boolean) };
  // On wasm with the native kernels the BLAS threads do the heavy work; tfjs-wasm itself runs one.
  const native = nativeKernels();
  const threads = native ? native.threads : info.backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : Number(process.env.ORPO_LAB_THREADS ?? 0) || 1;
  log(`backend ${info.backend} (${info.device}); ${s.family}${s.checkpointing ? ' + checkpointing' : ''}${s.lora ? ` + LoRA r ${s.lora.r} ${String(s.lora.targets)}` : ''} d=${s.d} L=${s.L} H=${s.H} V=${s.V} T=${s.T} pairs=${s.pairs} method=${s.method}`);
  const dims = dimsFromHf(benchConfig(s));
  if (!dims) throw new UsageError('bench: no model dimensions');
  const run: RunShape = { rows: 2 * s.pairs, T: s.T, checkpointing: s.checkpointing, reference: s.method === 'dpo', fusedAttention: hasFusedAttention(dims.hd), ...(s.lora ? { lora: s.lora } : {}) };
  if (s.model && keepsFrozen16(dims, run, s.frozenDtype, info.backend)) run.frozen16 = true;
  const estimate = estimatePeak(dims, run);
  log(`memory plan: ${describe(estimate)}`);
  // A run the plan says cannot fit is refused in words, before it takes the machine's memory.
  const limit = backendLimit(info.backend);
  if (estimate.total > limit.bytes) throw new UsageError(`bench: the memory plan estimates ${gib(estimate.total)}, more than ${limit.what}; try --checkpointing, fewer --pairs or a shorter --seq`);
  const gpu = webgpuLimits();
  const overLimit = gpu && adapterLimitProblem(dims, run, gpu, s.model !== undefined);
  if (overLimit) throw new UsageError(`bench: ${overLimit}`);
  const r = await benchSteps(s, log);
  const sorted = [...r.stepMs].sort((x, y) => x - y);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const tokens = 2 * s.pairs * s.T;
  const out = {
    backend: info.backend, device: info.device, threads, method: s.method,
    shape: { d_model: s.d, layers: s.L, heads: s.H, vocab: s.V, seq: s.T, pairs: s.pairs },
    params: r.params, step_ms: Math.round(median * 10) / 10, step_ms_all: r.stepMs.map((x) => Math.round(x)),
    tokens_per_second: Math.round((tokens / median) * 1000 * 10) / 10,
    peak_backend_bytes: r.peakBytes, peak_live_tensor_bytes: r.peakLive, peak_rss_bytes: r.peakRss,
    ...(r.counts.length ? { counts: countsSummary(r.counts), batch_bytes: r.batchBytes } : {}),
    family: s.family, gradient_checkpointing: s.checkpointing, trainable_params: r.trainable, ...(s.lora ? { lora: s.lora } : {}),
    frozen_16bit: r.frozen16,
    ...(r.nativePeak === undefined ? {} : { peak_native_bytes: r.nativePeak }),
    estimate_bytes: estimate.total,
    // The process's resident-set high-water mark (getrusage), loading included: what the OS saw.
    max_rss_bytes: process.resourceUsage().maxRSS * 1024,
    ...(s.model ? { model: s.model.dir } : {}),
  };
  if (out.counts) log(`counts per step after warm-up: ${JSON.stringify(out.counts.step)}; compiles after warm-up ${out.counts.compiles_after_warmup}; peak GPU buffer bytes ${out.counts.peak_gpu_bytes}; batch ${r.batchBytes} B`);
  if (flagBool(a, 'json')) process.stdout.write(JSON.stringify(out) + '\n');
  else process.stdout.write(`${out.backend}: ${out.step_ms} ms/step, ${out.tokens_per_second} tokens/s, peak backend memory ${(((out as { peak_native_bytes?: number }).peak_native_bytes ?? out.peak_backend_bytes) / 2 ** 20).toFixed(1)} MiB (estimate ${(out.estimate_bytes / 2 ** 20).toFixed(0)} MiB), rss ${(out.peak_rss_bytes / 2 ** 20).toFixed(0)} MiB\n`);
  return 0;
}

/** --model DIR (after --init NAME writes it): the shape comes from DIR/config.json; shape flags would contradict it. */
async function useModelDir(a: ReturnType<typeof parseCommand>, s: BenchShape, dir: string, log: (l: string) => void): Promise<void> {
  const clash = ['d-model', 'layers', 'heads', 'vocab', 'family'].filter((k) => a.values[k] !== undefined);
  if (clash.length > 0) throw new UsageError(`--model reads the shape from ${dir}/config.json: drop ${clash.map((k) => `--${k}`).join(', ')}`);
  const init = flagChoice(a, 'init', Object.keys(BENCH_MODELS) as BenchModelName[]);
  if (init) await ensureBenchModel(init, dir, log);
  const config = await readHfConfig(dir);
  const dims = dimsFromHf(config);
  if (!dims) throw new UsageError(`${dir}/config.json: no model dimensions (a GPT-2, Llama or Qwen2 config.json)`);
  Object.assign(s, { d: dims.d, L: dims.L, H: dims.H, V: dims.V, family: dims.family, model: { dir, config } });
}

/** The warm-up step's counts, the last step's, pipeline compiles in every step after the warm-up, and the peak GPU buffer bytes of any step. */
function countsSummary(c: GpuCounts[]): { warmup: GpuCounts; step: GpuCounts; compiles_after_warmup: number; peak_gpu_bytes: number } {
  return { warmup: c[0] as GpuCounts, step: c.at(-1) as GpuCounts, compiles_after_warmup: c.slice(1).reduce((a, x) => a + x.compiles, 0), peak_gpu_bytes: Math.max(...c.map((x) => x.peakBytes)) };
}

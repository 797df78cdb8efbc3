// The memory plan: an estimate of a training run's peak memory from the model's dimensions and the
// run's shape, compared with the backend's limit (the wasm heap's 4 GiB, or system memory), as
// diagnostics that give the figures and the changes that would fit. The terms follow what the engine
// holds at its peak: fp32 weights and AdamW's two moments (updated in place) throughout, and then the
// larger of two moments. The first moment of the backward pass holds every block's tape (with
// gradient checkpointing, every block's input and then one block recomputed), the logits and their
// gradient (or a chunk of them, when the head runs in chunks) and the head's gradient. The end holds
// every gradient, and a tied embedding's two halves (lookup and head) beside their sum. The backward
// pass frees as it goes (engine/ops/backprop.ts), so nothing else lingers between those moments.
// Attention's [rows·H, T, T] maps count only where attention is not one fused kernel (RunShape.fusedAttention).
// Under LoRA the base weights are frozen: gradients and AdamW moments only for the adapter, no
// embedding gradient, and the adapter's own activations per adapted layer. Frozen weights of a 16-bit
// checkpoint kept 16-bit (model.frozen_dtype auto on the native and WebGPU backends; engine/ops/half.ts)
// count 2 bytes per parameter for their matrices (linear weights, embeddings, head), 4 for norms and
// biases. Checked against the native backend's measured peak (test/engine/memory-plan.test.ts;
// GPT-2-small and SmolLM2-360M in docs/benchmarks.md).
import os from 'node:os';
import { FUSED_ATTENTION_MAX_HEAD } from '../../common/fusedAttention';
import { headChunkRows } from '../../common/headChunk';

export interface ModelDims {
  family: 'gpt2' | 'llama';
  V: number; // vocabulary
  d: number; // width
  L: number; // blocks
  H: number; // attention heads
  KV: number; // key/value heads
  hd: number; // head width
  ff: number; // MLP width
  P: number; // positions (GPT-2's learned table)
  tied: boolean;
  qkvBias: boolean;
  /** The checkpoint is bfloat16 or float16 (config.json's dtype / torch_dtype). */
  half?: boolean;
}

/** A LoRA adapter (issue 13): rank and the linear layers it adapts (leaf names, or all of them). */
export interface LoraShape {
  r: number;
  targets: 'all-linear' | readonly string[];
}

export interface RunShape {
  /** Sequences per micro-batch: chosen and rejected, 2 × batch_size. */
  rows: number;
  /** Tokens per sequence. */
  T: number;
  checkpointing: boolean;
  /** A DPO reference model: its weights, and its logits for a moment. */
  reference: boolean;
  /** LoRA: the base is frozen (no gradients, no AdamW moments); only the adapter trains. */
  lora?: LoraShape;
  /** Frozen weights (LoRA's base, the DPO reference) keep a 16-bit checkpoint's matrices 16-bit. */
  frozen16?: boolean;
  /** Attention runs as one fused kernel that keeps no [rows·H, T, T] maps (fusedAttentionOn). */
  fusedAttention?: boolean;
}

export interface MemoryEstimate {
  params: number;
  weights: number;
  optimizer: number;
  grads: number;
  activations: number;
  logits: number;
  total: number;
}

const F = 4; // bytes per fp32 value

export function paramCount(m: ModelDims): number {
  const { V, d, L, H, KV, hd, ff, P } = m;
  if (m.family === 'gpt2') return V * d + P * d + L * (12 * d * d + 13 * d) + 2 * d;
  const attn = d * H * hd * 2 + 2 * d * KV * hd + (m.qkvBias ? H * hd + 2 * KV * hd : 0);
  return V * d * (m.tied ? 1 : 2) + L * (attn + 3 * d * ff + 2 * d) + d;
}

/** The matrices among the parameters (linear weights, embeddings, output head): what stays 16-bit when frozen. */
export function matrixCount(m: ModelDims): number {
  const { V, d, L, H, KV, hd, ff } = m;
  if (m.family === 'gpt2') return V * d + L * 12 * d * d;
  return V * d * (m.tied ? 1 : 2) + L * (2 * d * H * hd + 2 * d * KV * hd + 3 * d * ff);
}

/** Bytes of a frozen copy of the model's weights: float32, or 16-bit matrices with float32 norms and biases. */
function frozenBytes(m: ModelDims, r: RunShape): number {
  const params = paramCount(m);
  return r.frozen16 ? (params - matrixCount(m)) * F + matrixCount(m) * 2 : params * F;
}

// What one block's tape holds for the backward pass, per token, in units of the width d (bias and
// residual adds included: tfjs saves their inputs), fitted to the native backend's byte count over
// whole steps (memory-plan.test.ts: GPT-2 and a Llama of SmolLM2's proportions, 1 to 4 blocks, 64
// and 128 tokens, then GPT-2-small and SmolLM2-360M at full width). With the fused attention kernel
// (native, WebGPU) a block keeps no [rows·H, T, T] maps; the composite (wasm, tensorflow, cpu) keeps
// MAPS of them. The backward pass frees each gradient and each saved tensor once used (engine/ops/
// backprop.ts), so no block's gradients linger: its peak is its first moment, every block's tape plus
// the logits (saved by the log-softmax) and their gradient, LOGIT_COPIES in all.
const PER_TOKEN = {
  fused: { gpt2: 25, llama: 32 },
  composite: { gpt2: 30, llama: 25 },
  /** A LoRA block (model/loraLinear.ts: one op per adapted layer keeping x and x·Aᵀ), beyond r per adapted layer. */
  lora: { gpt2: 18, llama: 34 },
} as const;
const MAPS = { gpt2: 3.4, llama: 4.5 } as const;
const LOGIT_COPIES = 2.3;

/** Values one block keeps for the backward pass: per token, and the composite attention's maps. */
function blockSaved(m: ModelDims, r: RunShape): number {
  const N = r.rows * r.T;
  const maps = r.fusedAttention ? 0 : MAPS[m.family] * r.rows * m.H * r.T * r.T;
  if (!r.lora) return PER_TOKEN[r.fusedAttention ? 'fused' : 'composite'][m.family] * m.d * N + maps;
  const composite = r.fusedAttention ? 0 : PER_TOKEN.composite[m.family] - PER_TOKEN.fused[m.family];
  return ((PER_TOKEN.lora[m.family] + composite) * m.d + adapted(m, r.lora).length * r.lora.r) * N + maps;
}

// The chunked head (engine/loss/logps.ts; under checkpointing) holds no [N, V] logits across the pass:
// its moment is the first of the backward pass, when the head runs again chunk by chunk, beside every
// block's input: a chunk's logits and their gradient (HEAD_COPIES), and a trained head's weight
// gradient, V·d. The recomputation of each block comes after.
const HEAD_COPIES = 2;

/** Values held at one moment beyond weights and AdamW state. */
interface Held { grads: number; acts: number; logits: number }

/**
 * The values held at the peak beyond weights and AdamW state: gradients, activations and logits. The
 * first moment of the backward pass (every block's tape or input, the logits or the head's chunk, the
 * head's gradient), or for a full fine-tune the end (every gradient, a tied embedding's two halves
 * beside their sum), whichever is larger.
 */
function peakTerms(m: ModelDims, r: RunShape, trained: number, trainedHead: boolean): Held {
  const N = r.rows * r.T;
  const head = trainedHead ? m.V * m.d : 0;
  const backward: Held[] = r.checkpointing
    ? [
        { grads: head, acts: m.L * N * m.d, logits: HEAD_COPIES * headChunkRows(N, m.V) * m.V }, // the head runs again, chunk by chunk
        { grads: head, acts: m.L * N * m.d + blockSaved(m, r), logits: 0 }, // then each block is recomputed
      ]
    : [{ grads: head, acts: m.L * blockSaved(m, r), logits: LOGIT_COPIES * N * m.V }];
  const end: Held = { grads: trained + (trainedHead && m.tied ? 2 * m.V * m.d : 0), acts: 0, logits: 0 };
  const size = (x: Held): number => x.grads + x.acts + x.logits;
  return [...backward, end].reduce((a, b) => (size(b) > size(a) ? b : a));
}

/** Each block's linear layers as [leaf name, in, out] (PEFT's module names; the output head is no target). */
export function linearLayers(m: ModelDims): [string, number, number][] {
  const { d, H, KV, hd, ff } = m;
  if (m.family === 'gpt2') return [['c_attn', d, 3 * d], ['attn.c_proj', d, d], ['c_fc', d, 4 * d], ['mlp.c_proj', 4 * d, d]];
  return [['q_proj', d, H * hd], ['k_proj', d, KV * hd], ['v_proj', d, KV * hd], ['o_proj', H * hd, d], ['gate_proj', d, ff], ['up_proj', d, ff], ['down_proj', ff, d]];
}

/** The adapted layers of one block: a target matches a layer's name or its last part (PEFT's suffix rule). */
function adapted(m: ModelDims, lora: LoraShape): [string, number, number][] {
  const all = linearLayers(m);
  if (lora.targets === 'all-linear') return all;
  return all.filter(([n]) => (lora.targets as readonly string[]).some((t) => n === t || n.endsWith(`.${t}`) || n.split('.').at(-1) === t || t.endsWith(`.${n}`)));
}

/** Trainable values of a LoRA adapter: r·(in + out) per adapted layer and block. */
export function loraParamCount(m: ModelDims, lora: LoraShape): number {
  return m.L * adapted(m, lora).reduce((a, [, i, o]) => a + lora.r * (i + o), 0);
}

export function estimatePeak(m: ModelDims, r: RunShape): MemoryEstimate {
  if (r.lora) return estimateLora(m, r, r.lora);
  const params = paramCount(m);
  const t = peakTerms(m, r, params, true);
  return withTotal({ params, weights: params * F + (r.reference ? frozenBytes(m, r) : 0), optimizer: 2 * params * F, grads: t.grads * F, activations: t.acts * F, logits: t.logits * F });
}

/** The peak of a LoRA run: frozen weights (fp32, or 16-bit matrices), the adapter's gradients and moments, no weight gradients. */
function estimateLora(m: ModelDims, r: RunShape, lora: LoraShape): MemoryEstimate {
  const trained = loraParamCount(m, lora);
  const t = peakTerms(m, r, 0, false); // a frozen tied head is multiplied as x·Eᵀ (ops/matmul.ts matmulT, or 16-bit in place): no copy, no gradient
  return withTotal({ params: trained, weights: frozenBytes(m, r) * (r.reference ? 2 : 1) + trained * F, optimizer: 2 * trained * F, grads: (t.grads + trained) * F, activations: t.acts * F, logits: t.logits * F });
}

const withTotal = (e: Omit<MemoryEstimate, 'total'>): MemoryEstimate => ({ ...e, total: e.weights + e.optimizer + e.grads + e.activations + e.logits });

/** Whether `backend` runs attention through the fused kernel (no [rows·H, T, T] maps) for heads of width hd: native and WebGPU (auto picks one of them) have it, up to FUSED_ATTENTION_MAX_HEAD. */
export const fusedAttentionOn = (backend: string, hd: number): boolean => (backend === 'native' || backend === 'webgpu' || backend === 'auto') && hd <= FUSED_ATTENTION_MAX_HEAD;

/** A GPU adapter's per-buffer limits (WebGPU's GPUSupportedLimits): one tensor is one buffer, bound whole. */
export interface AdapterLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/**
 * The largest single buffer a training run allocates, and what it is. WebGPU reports no memory size,
 * only per-buffer limits, so this is what its adapter's limits are checked against: AdamW's flat copies
 * of the trained parameters (backend/webgpu/adamw.ts, four of them), the logits (whole, or a chunk when
 * the head runs in chunks: checkpointing), the embedding table and the MLP's activations.
 */
export function largestBuffer(m: ModelDims, r: RunShape, backend: string): { bytes: number; what: string } {
  const N = r.rows * r.T;
  const trained = r.lora ? loraParamCount(m, r.lora) : paramCount(m);
  const chunked = r.checkpointing;
  const rows = chunked ? headChunkRows(N, m.V) : N;
  const all: { bytes: number; what: string }[] = [
    { bytes: rows * m.V * F, what: chunked ? `a chunk of the logits [${rows}, ${m.V}]` : `the logits [${N}, ${m.V}]` },
    { bytes: m.V * m.d * (r.frozen16 && r.lora ? 2 : F), what: `the embedding table [${m.V}, ${m.d}]` },
    { bytes: N * m.ff * F, what: `the MLP activations [${N}, ${m.ff}]` },
  ];
  if (backend === 'webgpu') all.push({ bytes: trained * F, what: `AdamW's flat copy of the ${trained.toLocaleString('en-US')} trained parameters` });
  return all.reduce((a, b) => (b.bytes > a.bytes ? b : a));
}

/** Words when the run's largest buffer exceeds the adapter's limits, with the changes that bring it under; undefined when it fits. */
export function adapterLimitProblem(m: ModelDims, r: RunShape, limits: AdapterLimits, pretrained: boolean): string | undefined {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const big = largestBuffer(m, r, 'webgpu');
  if (big.bytes <= limit) return undefined;
  const fits = (x: RunShape): boolean => largestBuffer(m, x, 'webgpu').bytes <= limit;
  const fixes: string[] = [];
  if (pretrained && !r.lora && fits({ ...r, lora: SUGGESTED_LORA })) fixes.push(SUGGESTED_LORA_TEXT);
  if (!r.checkpointing && fits({ ...r, checkpointing: true })) fixes.push('train.gradient_checkpointing: true (the logits in chunks)');
  for (let t = Math.floor(r.T / 2); t >= 32; t = Math.floor(t / 2)) if (fits({ ...r, T: t })) { fixes.push(`data.max_length: ${t}`); break; }
  fixes.push('backend: native (the CPU: no per-buffer limit)');
  return `the largest buffer of this run, ${big.what} (${gib(big.bytes)}), exceeds this GPU adapter's limit on one buffer (${gib(limit)}: maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize}, maxBufferSize ${limits.maxBufferSize}). Changes that fit: ${fixes.join('; ')}`;
}

/** Model dimensions from a transformers config.json (GPT-2, Llama, Qwen2), or undefined. */
export function dimsFromHf(c: Record<string, unknown>): ModelDims | undefined {
  const n = (...keys: string[]): number | undefined => keys.map((k) => c[k]).find((v): v is number => typeof v === 'number');
  const V = n('vocab_size');
  const dtype = c.dtype ?? c.torch_dtype;
  const half = dtype === 'bfloat16' || dtype === 'float16' ? { half: true } : {};
  if (c.model_type === 'gpt2') {
    const d = n('n_embd'), L = n('n_layer'), H = n('n_head');
    if (!V || !d || !L || !H) return undefined;
    return { family: 'gpt2', V, d, L, H, KV: H, hd: d / H, ff: 4 * d, P: n('n_positions') ?? 1024, tied: true, qkvBias: true, ...half };
  }
  const d = n('hidden_size'), L = n('num_hidden_layers'), H = n('num_attention_heads'), ff = n('intermediate_size');
  if (!V || !d || !L || !H || !ff) return undefined;
  const hd = n('head_dim') ?? d / H;
  return { family: 'llama', V, d, L, H, KV: n('num_key_value_heads') ?? H, hd, ff, P: 0, tied: c.tie_word_embeddings === true, qkvBias: c.model_type === 'qwen2', ...half };
}

/** A scratch GPT-2 of ORPO Lab's `model:` settings. */
export function dimsScratch(layers: number, d: number, heads: number, context: number, vocab: number): ModelDims {
  return { family: 'gpt2', V: vocab, d, L: layers, H: heads, KV: heads, hd: d / heads, ff: 4 * d, P: context, tied: true, qkvBias: true };
}

/** Whether a run keeps its frozen weights 16-bit: a 16-bit checkpoint, frozen weights, frozen_dtype auto, and a backend with the 16-bit kernels (native, WebGPU; auto picks one of them). */
export function keepsFrozen16(m: ModelDims, r: RunShape, frozenDtype: unknown, backend: string): boolean {
  return m.half === true && (r.lora !== undefined || r.reference) && frozenDtype !== 'float32' && (backend === 'native' || backend === 'webgpu' || backend === 'auto');
}

/** What a backend can hold: the wasm heap's 4 GiB (a 32-bit address space), else system memory. */
export function backendLimit(backend: string): { bytes: number; what: string } {
  if (backend === 'wasm') return { bytes: 4 * 2 ** 30, what: 'the wasm heap (4 GiB, a 32-bit address space)' };
  return { bytes: os.totalmem(), what: `system memory (${gib(os.totalmem())})` };
}

export const gib = (b: number): string => `${(b / 2 ** 30).toFixed(b < 2 ** 30 ? 2 : 1)} GiB`;

export function describe(e: MemoryEstimate): string {
  return `${gib(e.total)}: weights ${gib(e.weights)}, AdamW state ${gib(e.optimizer)}, gradients ${gib(e.grads)}, activations ${gib(e.activations)}, logits ${gib(e.logits)}`;
}

/** Changes that bring the estimate under `limit`, in words, first the cheapest. */
/** The `adapter:` section the plan suggests: PEFT's usual r 16 on every linear layer. */
export const SUGGESTED_LORA: LoraShape = { r: 16, targets: 'all-linear' };
export const SUGGESTED_LORA_TEXT = 'adapter: {type: lora, r: 16, alpha: 16, target_modules: all-linear}';

/** Changes that bring the estimate under `limit`, in words, first the cheapest; `pretrained`: LoRA is possible (model.from). */
export function changesThatFit(m: ModelDims, r: RunShape, batchPairs: number, backend: string, limit: number, pretrained = false): string[] {
  const out: string[] = [];
  if (![batchPairs, r.T, r.rows].every((x) => Number.isFinite(x) && x > 0)) return out;
  const fits = (x: RunShape): boolean => estimatePeak(m, x).total <= limit;
  if (pretrained && !r.lora) {
    for (const x of [{ ...r, lora: SUGGESTED_LORA }, { ...r, lora: SUGGESTED_LORA, checkpointing: true }]) {
      if (!fits(x)) continue;
      out.push(`${SUGGESTED_LORA_TEXT}${x.checkpointing && !r.checkpointing ? ' with train.gradient_checkpointing: true' : ''} (${gib(estimatePeak(m, x).total)}: the weights frozen, no gradients or AdamW state for them)`);
      break;
    }
  }
  if (!r.checkpointing && fits({ ...r, checkpointing: true })) out.push(`train.gradient_checkpointing: true (${gib(estimatePeak(m, { ...r, checkpointing: true }).total)})`);
  for (let b = Math.floor(batchPairs / 2); b >= 1; b = Math.floor(b / 2)) {
    if (fits({ ...r, rows: 2 * b })) { out.push(`train.batch_size: ${b} with grad_accum × ${Math.ceil(batchPairs / b)} (${gib(estimatePeak(m, { ...r, rows: 2 * b }).total)})`); break; }
    if (b === 1) break;
  }
  for (let t = Math.floor(r.T / 2); t >= 32; t = Math.floor(t / 2)) {
    if (fits({ ...r, T: t })) { out.push(`data.max_length: ${t} (${gib(estimatePeak(m, { ...r, T: t }).total)})`); break; }
  }
  if (backend === 'wasm' || backend === 'auto') {
    const sys = os.totalmem();
    if (estimatePeak(m, r).total <= sys) out.push(`backend: native (no 4 GiB heap: system memory, ${gib(sys)})`);
  }
  return out;
}

// The memory plan as a validation stage: estimates the run's peak memory (memoryPlan.ts) from the
// config (and the model directory's config.json with its dtype, and its `adapter:` section), compares it with the
// backend's limit, and warns (above 80% of it) or refuses (above it) with the figures and the changes
// that would fit (LoRA as the `adapter:` text to paste, checkpointing, a smaller batch or length). On
// `backend: webgpu` the run's largest buffer is also checked against the per-buffer limits of the
// adapter this machine's engine last saw (WebGPU reports no memory size).
import * as path from 'node:path';
import { valueRange, type ParsedConfig } from './document';
import type { FileProbe } from './fileProbe';
import { adapterLimitProblem, backendLimit, changesThatFit, describe, dimsFromHf, dimsScratch, estimatePeak, fusedAttentionOn, keepsFrozen16, type LoraShape, type ModelDims, type RunShape } from './memoryPlan';
import type { ConfigDiagnostic } from './types';
import { asObj, type Obj } from '../../common/json';
import type { GpuLimitsRecord } from '../../common/gpuLimits';

const num = (v: unknown, dflt: number): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 2 ** 31 ? v : dflt);

function dims(root: Obj, fs: FileProbe | undefined, configPath: string): ModelDims | undefined {
  const model = asObj(root.model);
  const from = model.from ?? 'scratch';
  if (from === 'scratch') {
    const tok = root.tokenizer ?? 'bytes';
    const vocab = tok === 'bytes' ? 257 : num(asObj(tok).train, 0);
    if (!vocab) return undefined; // a tokenizer.json: its size is not known here
    const d = num(model.d_model, 128), heads = num(model.heads, 4);
    return d % heads === 0 ? dimsScratch(num(model.layers, 4), d, heads, num(model.context, 256), vocab) : undefined;
  }
  if (typeof from !== 'string' || !fs || !path.isAbsolute(configPath)) return undefined;
  const file = path.join(path.resolve(path.dirname(configPath), from), 'config.json');
  return fs.memo('hf-dims', file, () => {
    if (fs.stat(file).kind !== 'file') return undefined;
    try {
      return dimsFromHf(asObj(JSON.parse(Buffer.from(fs.readHead(file, 4 << 20) ?? new Uint8Array()).toString('utf8'))));
    } catch {
      return undefined; // fileChecks reports an unreadable config.json
    }
  });
}

/** The run's LoRA adapter: `adapter:` (or `model.adapter:`, whose rank the plan does not read: r 8 assumed), targets as PEFT's defaults. */
function loraOf(root: Obj, m: ModelDims): LoraShape | undefined {
  if (root.adapter === undefined && asObj(root.model).adapter === undefined) return undefined;
  const a = asObj(root.adapter);
  const t = a.target_modules;
  const targets = t === 'all-linear' ? 'all-linear' : Array.isArray(t) && t.every((x) => typeof x === 'string') ? (t as string[]) : m.family === 'gpt2' ? ['c_attn'] : ['q_proj', 'v_proj'];
  return { r: num(a.r, 8), targets };
}

export function memoryDiagnostics(p: ParsedConfig, fs: FileProbe | undefined, configPath: string, gpu?: GpuLimitsRecord): ConfigDiagnostic[] {
  const root = asObj(p.value);
  const m = dims(root, fs, configPath);
  if (!m) return [];
  const train = asObj(root.train), data = asObj(root.data);
  const pairs = num(train.batch_size, 8);
  const run: RunShape = { rows: 2 * pairs, T: num(data.max_length, 256), checkpointing: train.gradient_checkpointing === true, reference: root.method === 'dpo' };
  const lora = loraOf(root, m);
  if (lora) run.lora = lora;
  const pretrained = typeof asObj(root.model).from === 'string' && asObj(root.model).from !== 'scratch';
  const backend = typeof root.backend === 'string' ? root.backend : 'auto';
  if (keepsFrozen16(m, run, asObj(root.model).frozen_dtype, backend)) run.frozen16 = true;
  run.fusedAttention = fusedAttentionOn(backend, m.hd);
  const key = root.train !== undefined ? (train.batch_size !== undefined ? ['train', 'batch_size'] : ['train']) : ['model'];
  // WebGPU reports no memory size: the run's largest buffer against the adapter's per-buffer limit.
  const tooBig = backend === 'webgpu' && gpu ? adapterLimitProblem(m, run, gpu, pretrained) : undefined;
  const gpuDiag: ConfigDiagnostic[] = tooBig ? [{ range: valueRange(p, key), severity: 'error', message: `${tooBig} (${gpu?.adapter}, as this machine's engine last saw it)`, code: 'memory' }] : [];
  const est = estimatePeak(m, run);
  const limit = backendLimit(backend);
  if (est.total <= 0.8 * limit.bytes) return gpuDiag;
  const over = est.total > limit.bytes;
  const fixes = changesThatFit(m, run, pairs, backend, over ? limit.bytes : 0.8 * limit.bytes, pretrained);
  const message = `estimated peak memory ${describe(est)}; ${over ? 'more than' : 'close to'} ${limit.what}${over ? ': the run cannot fit' : ''}. ${fixes.length ? `Changes that fit: ${fixes.join('; ')}.` : 'No single change of batch size, length or checkpointing fits: use a smaller model.'}`;
  return [...gpuDiag, { range: valueRange(p, key), severity: over ? 'error' : 'warning', message, code: 'memory' }];
}



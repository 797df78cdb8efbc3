// What resume checks before it trusts a checkpoint (issue 12, "Resume trusts its checkpoint"): the
// manifest written last at save (sha256 and size of every file, so a bit flip or truncation is caught),
// trainer_state.json's fields and types (an integer step within [1, total], a loader position, ...),
// the model config against the run's, and every AdamW moment present with its parameter's shape and a
// float dtype. Every refusal is a CheckpointError that names the file.
// Reference: transformers' Trainer checkpoint layout (trainer_state.json beside the weights); the
// manifest idea follows safetensors' own header-first integrity check, extended to whole files.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../../common/config';
import type { LoadedTensor } from '../hf/safetensors';
import type { LoaderState } from '../data/loader';
import type { AdamW } from './optimizer';

/** What a checkpoint's trainer_state.json holds. */
export interface TrainerState {
  step: number;
  epoch: number;
  optimizer_t: number;
  loader: LoaderState;
  /** Seconds of training before this checkpoint, over all sessions of the run. */
  elapsed_s: number;
  total_steps: number;
}

export const MANIFEST = 'manifest.json';

/** A checkpoint file that cannot be trusted; the message starts with the file's path. */
export class CheckpointError extends Error {
  constructor(readonly file: string, what: string) {
    super(`${file}: ${what}`);
  }
}

function sha256(path: string): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

interface Manifest {
  format: 'orpo-lab-checkpoint';
  files: Record<string, { sha256: string; bytes: number }>;
}

/** Writes DIR/manifest.json over every other file in DIR (call last, before the rename into place). */
export function writeManifest(dir: string): void {
  const files: Manifest['files'] = {};
  for (const n of readdirSync(dir).sort()) {
    if (n === MANIFEST) continue;
    const p = join(dir, n);
    if (statSync(p).isFile()) files[n] = { sha256: sha256(p), bytes: statSync(p).size };
  }
  writeFileSync(join(dir, MANIFEST), JSON.stringify({ format: 'orpo-lab-checkpoint', files } satisfies Manifest, null, 1));
}

/** Checks every file against DIR/manifest.json. Returns false for a checkpoint written before manifests. */
export function verifyManifest(dir: string): boolean {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return false;
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (e) {
    throw new CheckpointError(path, `not valid JSON (${(e as Error).message})`);
  }
  if (m?.format !== 'orpo-lab-checkpoint' || typeof m.files !== 'object' || m.files === null) throw new CheckpointError(path, 'expected {"format": "orpo-lab-checkpoint", "files": {...}}');
  for (const [name, want] of Object.entries(m.files)) {
    const p = join(dir, name);
    if (!existsSync(p)) throw new CheckpointError(p, 'missing (listed in manifest.json)');
    const bytes = statSync(p).size;
    if (bytes !== want.bytes) throw new CheckpointError(p, `${bytes} bytes, but ${want.bytes} were written at save: the file is truncated or changed`);
    if (sha256(p) !== want.sha256) throw new CheckpointError(p, 'sha256 differs from the one written at save: the file is corrupted');
  }
  return true;
}

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new CheckpointError(path, 'missing');
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CheckpointError(path, `not valid JSON (${(e as Error).message})`);
  }
}

/** trainer_state.json, checked field by field; `total` is the run's optimizer-step count. */
export function readTrainerState(dir: string, total: number): TrainerState {
  const path = join(dir, 'trainer_state.json');
  const v = readJson(path);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CheckpointError(path, 'expected a JSON object');
  const o = v as Record<string, unknown>;
  const int = (k: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const x = o[k];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
      throw new CheckpointError(path, `"${k}" must be an integer in [${min}, ${max}], got ${JSON.stringify(x)}`);
    }
    return x;
  };
  const num = (k: string): number => {
    const x = o[k];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new CheckpointError(path, `"${k}" must be a finite number ≥ 0, got ${JSON.stringify(x)}`);
    return x;
  };
  const step = int('step', 1);
  if (step > total) throw new CheckpointError(path, `"step" is ${step}, beyond this run's ${total} steps; raise train.max_steps (or --max-steps) to continue it`);
  const loader = o.loader as Record<string, unknown> | undefined;
  const lint = (k: string) => {
    const x = loader?.[k];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) throw new CheckpointError(path, `"loader.${k}" must be an integer ≥ 0, got ${JSON.stringify(x)}`);
    return x;
  };
  const optimizer_t = int('optimizer_t', 0);
  if (optimizer_t !== step) throw new CheckpointError(path, `"optimizer_t" (${optimizer_t}) must equal "step" (${step})`);
  return { step, epoch: num('epoch'), optimizer_t, loader: { epoch: lint('epoch'), position: lint('position') }, elapsed_s: num('elapsed_s'), total_steps: int('total_steps', 1) };
}

/** The model dimensions the run's config fixes, as config.json keys (scratch GPT-2 only; else none). */
function expectedDims(cfg: ExperimentConfig): Record<string, number> {
  if (cfg.model.from !== 'scratch') return {};
  return { n_layer: cfg.model.layers, n_embd: cfg.model.d_model, n_head: cfg.model.heads, n_positions: cfg.model.context };
}

/** config.json parses and, for scratch models, has the run's dimensions; `source` is the model.from config. */
export function checkModelConfig(dir: string, cfg: ExperimentConfig, source?: Record<string, unknown>): void {
  const path = join(dir, 'config.json');
  const c = readJson(path) as Record<string, unknown>;
  const want: Record<string, unknown> = { ...expectedDims(cfg) };
  for (const k of ['model_type', 'n_layer', 'n_embd', 'n_head', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'intermediate_size', 'vocab_size']) {
    if (source && source[k] !== undefined) want[k] = source[k];
  }
  for (const [k, x] of Object.entries(want)) {
    if (c[k] !== x) throw new CheckpointError(path, `"${k}" is ${JSON.stringify(c[k])} but this run's model has ${JSON.stringify(x)}: the checkpoint belongs to another model`);
  }
}

/** Checks one optimizer.safetensors entry against the parameter it belongs to. */
export function checkOptimizerEntry(file: string, name: string, t: LoadedTensor, opt: AdamW): { param: string; kind: 'm' | 'v' } {
  const kind = name.endsWith('.exp_avg_sq') ? 'v' : name.endsWith('.exp_avg') ? 'm' : undefined;
  if (!kind) throw new CheckpointError(file, `unexpected tensor "${name}" (expected <parameter>.exp_avg or .exp_avg_sq)`);
  const param = name.slice(0, kind === 'v' ? -11 : -8);
  const target = (kind === 'v' ? opt.v : opt.m).get(param);
  if (!target) throw new CheckpointError(file, `"${name}" belongs to no parameter of this model`);
  if (t.dtype !== 'F32') throw new CheckpointError(file, `"${name}" has dtype ${t.dtype}, expected F32`);
  if (t.shape.join() !== target.shape.join()) throw new CheckpointError(file, `"${name}" has shape [${t.shape}], expected [${target.shape}]`);
  for (let i = 0; i < t.data.length; i++) {
    const x = t.data[i] as number;
    if (!Number.isFinite(x) || (kind === 'v' && x < 0)) throw new CheckpointError(file, `"${name}" holds ${x} at index ${i}; the moments must be finite${kind === 'v' ? ' and ≥ 0' : ''}`);
  }
  return { param, kind };
}

// Checkpoints: DIR/checkpoints/checkpoint-N/ (the name transformers' trainer_utils.get_last_checkpoint
// finds; runs written before use step-N, which still resume) holds the model as a Hugging Face directory
// (config.json, model.safetensors, tokenizer files; a LoRA run's adapter_model.safetensors and
// adapter_config.json instead of model.safetensors), the AdamW moments (optimizer.safetensors), the
// trainer state (step, data position, elapsed time), the experiment config, and last manifest.json: the
// sha256 of every other file, checked on resume (checkpointCheck.ts). Each is written into a temporary
// directory that is renamed into place only when complete, so a crash never leaves half a checkpoint;
// orphan temporaries of a crashed or full-disk run are removed when a run starts or resumes.
// `train.save_total_limit` keeps the newest N, as transformers' Trainer does. A completed run also
// writes DIR/final/: the model alone as a transformers directory (config.json, model.safetensors,
// generation_config.json, tokenizer files; no optimizer state), what Trainer.save_model writes into
// output_dir at the end of training, kept apart from the run's own files and never pruned.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../hf/safetensors';
import { saveAdapterDir } from '../hf/adapter';
import { saveModelDir, writeDirAtomically } from '../hf/save';
import { Lora } from '../model/lora';
import type { CausalLM } from '../model/types';
import type { Tokenizer } from '../tokenizer/types';
import { checkOptimizerEntry, writeManifest, CheckpointError, type TrainerState } from './checkpointCheck';
import type { AdamW } from './optimizer';

export type { TrainerState } from './checkpointCheck';

/** `checkpoint-N` (transformers' PREFIX_CHECKPOINT_DIR) and the older `step-N`. */
const CHECKPOINT_DIR = /^(?:checkpoint|step)-(\d+)$/;
/** Temporaries: ours (`.tmp-checkpoint-N-PID`, older `.tmp-step-N-PID`) and saveModelDir's (`..tmp-…tmp-PID-T`). */
const TEMP_DIR = /^\..*tmp-/;

export const checkpointName = (step: number): string => `checkpoint-${step}`;

/** Complete checkpoints of a run (a trainer_state.json inside), oldest first. */
export function listCheckpoints(runDir: string): { step: number; path: string }[] {
  const dir = join(runDir, 'checkpoints');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((n) => ({ n, m: CHECKPOINT_DIR.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null && existsSync(join(dir, x.n, 'trainer_state.json')))
    .map(({ n, m }) => ({ step: Number(m[1]), path: join(dir, n) }))
    .sort((a, b) => a.step - b.step || (a.path < b.path ? -1 : 1));
}

/** The newest complete checkpoint of a run, or undefined. */
export function latestCheckpoint(runDir: string): string | undefined {
  return listCheckpoints(runDir).at(-1)?.path;
}

/** The final model's directory under a run. */
export const FINAL_DIR = 'final';
/** saveModelDir's temporaries of the final model: `.final.tmp-PID-T`, `.final.old-PID-T`. */
const FINAL_TEMP = /^\.final\.(?:tmp|old)-/;

/** Removes orphan temporary checkpoint (and final model) directories (call while holding the run lock). Returns their names. */
export function cleanOrphanTemps(runDir: string): string[] {
  const dir = join(runDir, 'checkpoints');
  const finals = existsSync(runDir) ? readdirSync(runDir).filter((n) => FINAL_TEMP.test(n)) : [];
  for (const n of finals) rmSync(join(runDir, n), { recursive: true, force: true });
  if (!existsSync(dir)) return finals;
  const gone = readdirSync(dir).filter((n) => TEMP_DIR.test(n));
  for (const n of gone) rmSync(join(dir, n), { recursive: true, force: true });
  return [...finals, ...gone];
}

/**
 * Writes the final model (no optimizer state) to RUN/final, atomically; returns its path. A LoRA run's
 * final model is its adapter in PEFT's format (as TRL's save_model writes a PEFT model), for
 * `model.adapter:` or `orpo-lab merge`; the base weights it adapts are not copied.
 */
export async function saveFinalModel(runDir: string, model: CausalLM, tokenizer: Tokenizer): Promise<string> {
  const dir = join(runDir, FINAL_DIR);
  try {
    const lora = model.adapter instanceof Lora ? model.adapter : undefined;
    if (lora) await writeDirAtomically(dir, (tmp) => saveAdapterDir(model, tokenizer, tmp, lora.base));
    else await saveModelDir(model, tokenizer, dir);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CheckpointWriteError(typeof err.path === 'string' ? err.path : dir, err.code, err.message);
  }
  return dir;
}

/** Keeps the newest `limit` checkpoints (and always `keep`); returns the removed paths. */
export function pruneCheckpoints(runDir: string, limit: number | undefined, keep: string): string[] {
  if (limit === undefined) return [];
  const all = listCheckpoints(runDir);
  const old = all.slice(0, Math.max(0, all.length - limit)).filter((c) => c.path !== keep);
  for (const c of old) rmSync(c.path, { recursive: true, force: true });
  return old.map((c) => c.path);
}

/** The file most recently created under `dir` (the one a failed write was writing). */
function newestFile(dir: string): string | undefined {
  let best: { path: string; t: number } | undefined;
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if (!best || s.mtimeMs >= best.t) best = { path: p, t: s.mtimeMs };
    }
  };
  try {
    walk(dir);
  } catch {
    return best?.path;
  }
  return best?.path;
}

/** A failed checkpoint write, naming the file; the partial checkpoint has been removed. */
export class CheckpointWriteError extends Error {
  constructor(readonly file: string, readonly code: string | undefined, cause: string) {
    super(`${file}: ${code === 'ENOSPC' ? 'no space left on device' : cause} while writing a checkpoint; the partial checkpoint was removed`);
  }
}

export async function saveCheckpoint(
  runDir: string, model: CausalLM, tokenizer: Tokenizer, opt: AdamW, state: TrainerState, configYaml: string,
): Promise<string> {
  const ckdir = join(runDir, 'checkpoints');
  const final = join(ckdir, checkpointName(state.step));
  const tmp = join(ckdir, `.tmp-checkpoint-${state.step}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    // A LoRA run saves its adapter in PEFT's format (and no base weights); else the whole model.
    if (model.adapter instanceof Lora) await saveAdapterDir(model, tokenizer, tmp, model.adapter.base);
    else await saveModelDir(model, tokenizer, tmp); // creates tmp
    const moments = [...opt.m.keys()].flatMap((name) => [
      { name: `${name}.exp_avg`, shape: (opt.m.get(name) as tf.Variable).shape, data: () => (opt.m.get(name) as tf.Variable).data() as Promise<Float32Array> },
      { name: `${name}.exp_avg_sq`, shape: (opt.v.get(name) as tf.Variable).shape, data: () => (opt.v.get(name) as tf.Variable).data() as Promise<Float32Array> },
    ]);
    await writeSafetensors(join(tmp, 'optimizer.safetensors'), moments, { format: 'orpo-lab-adamw' });
    writeFileSync(join(tmp, 'orpo.yaml'), configYaml);
    writeFileSync(join(tmp, 'trainer_state.json'), JSON.stringify(state, null, 1));
    writeManifest(tmp);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const file = (typeof err.path === 'string' ? err.path : undefined) ?? newestFile(tmp) ?? newestFile(ckdir) ?? tmp;
    rmSync(tmp, { recursive: true, force: true });
    for (const n of existsSync(ckdir) ? readdirSync(ckdir) : []) if (TEMP_DIR.test(n) && n.includes(String(process.pid))) rmSync(join(ckdir, n), { recursive: true, force: true });
    throw new CheckpointWriteError(join(final, basename(file)), err.code, err.message);
  }
  for (const old of [final, join(ckdir, `step-${state.step}`)]) rmSync(old, { recursive: true, force: true });
  renameSync(tmp, final);
  return final;
}

/** Restores the optimizer moments in place, each checked against its parameter; every one must be there. */
export async function loadOptimizer(dir: string, opt: AdamW, state: TrainerState): Promise<void> {
  const file = join(dir, 'optimizer.safetensors');
  const seen = new Set<string>();
  const staged: [tf.Variable, tf.Tensor][] = [];
  try {
    for await (const [name, t] of readSafetensors(file)) {
      const { param, kind } = checkOptimizerEntry(file, name, t, opt);
      const target = (kind === 'v' ? opt.v : opt.m).get(param) as tf.Variable;
      seen.add(name);
      staged.push([target, tf.tensor(t.data, t.shape)]);
    }
    for (const p of opt.m.keys()) {
      for (const suffix of ['exp_avg', 'exp_avg_sq']) {
        if (!seen.has(`${p}.${suffix}`)) throw new CheckpointError(file, `missing tensor "${p}.${suffix}" (every trained parameter needs both AdamW moments)`);
      }
    }
    for (const [target, x] of staged) target.assign(x);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(file, (e as Error).message);
  } finally {
    for (const [, x] of staged) x.dispose();
  }
  opt.t = state.optimizer_t;
}

// Saving a model as a Hugging Face model directory that transformers' from_pretrained loads:
// config.json, model.safetensors (parameters in transformers' names and layouts, streamed one tensor at
// a time, in the dtype of the checkpoint the model came from: F32, or BF16/F16 rounded to nearest even,
// as transformers' save_pretrained keeps a model's dtype), generation_config.json and the tokenizer files. Written into a temporary sibling
// directory and renamed into place, so a crash never leaves a half-written checkpoint under `dir`.
import type * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CausalLM, HfConfig, SourceDtype } from '../model/types';
import type { Tokenizer } from '../tokenizer/types';
import { writeSafetensors, type TensorToWrite } from './safetensors';

/** config.json's name (torch_dtype) of each dtype we store. */
export const TORCH_DTYPE: Readonly<Record<SourceDtype, string>> = { F32: 'float32', BF16: 'bfloat16', F16: 'float16' };

/** The config.json to write: the model's own, marked with the dtype we store and with the tokenizer's ids. */
export function configToSave(model: CausalLM, tokenizer: Tokenizer | undefined): HfConfig {
  const dtype = TORCH_DTYPE[model.sourceDtype ?? 'F32'];
  const c: HfConfig = { ...model.config, dtype, torch_dtype: dtype };
  if (tokenizer) {
    c.eos_token_id = tokenizer.eosId;
    if (tokenizer.bosId !== undefined) c.bos_token_id = tokenizer.bosId;
    if (c.pad_token_id !== undefined && c.pad_token_id !== null) c.pad_token_id = tokenizer.padId;
  }
  return c;
}

/** The model's parameters (and frozen 16-bit weights) as safetensors entries, each read from the device only when written. */
function tensorsOf(model: CausalLM): TensorToWrite[] {
  const dtype = model.sourceDtype ?? 'F32';
  return [...model.params.keys(), ...model.halves.keys()].sort().map((name): TensorToWrite => {
    const half = model.halves.get(name);
    if (half) return { name, shape: [...half.stored], dtype: half.format === 'bf16' ? 'BF16' : 'F16', data: () => half.storedValues() };
    const v = model.params.get(name) as tf.Variable;
    return {
      name,
      dtype,
      shape: model.exportParam ? exportShape(model, name) : v.shape,
      data: async () => {
        const t = model.exportParam ? model.exportParam(name) : v;
        try {
          return await t.data<'float32'>();
        } finally {
          if (t !== v) t.dispose();
        }
      },
    };
  });
}

/** The shape exportParam gives (computed once and dropped: the header needs every shape up front). */
function exportShape(model: CausalLM, name: string): number[] {
  const t = (model.exportParam as (n: string) => tf.Tensor)(name);
  const s = t.shape;
  t.dispose();
  return s;
}

/**
 * Fills a fresh temporary sibling of `dir` with `fill`, then swaps it into place: the old directory (if
 * any) is moved aside first and removed after. A failure removes the temporary directory. The names,
 * `.NAME.tmp-*` and `.NAME.old-*`, are the ones the trainer's orphan cleanup knows.
 */
export async function writeDirAtomically(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(tmp);
  try {
    await fill(tmp);
    const old = existsSync(dir) ? join(parent, `.${basename(dir)}.old-${process.pid}-${Date.now()}`) : undefined;
    if (old) await rename(dir, old);
    await rename(tmp, dir);
    if (old) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Writes model (+ tokenizer) as a transformers-loadable directory at `dir`, replacing what is there. */
export async function saveModelDir(model: CausalLM, tokenizer: Tokenizer | undefined, dir: string): Promise<void> {
  await writeDirAtomically(dir, async (tmp) => {
    const config = configToSave(model, tokenizer);
    await writeFile(join(tmp, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    const gen: Record<string, unknown> = { _from_model_config: true };
    for (const k of ['bos_token_id', 'eos_token_id', 'pad_token_id']) if (config[k] !== undefined && config[k] !== null) gen[k] = config[k];
    await writeFile(join(tmp, 'generation_config.json'), JSON.stringify(gen, null, 2) + '\n');
    await writeSafetensors(join(tmp, 'model.safetensors'), tensorsOf(model));
    if (tokenizer) await tokenizer.save(tmp);
  });
}

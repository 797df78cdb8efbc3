// Checkpoints: DIR/checkpoints/step-N/ holds the model as a Hugging Face directory (config.json,
// model.safetensors, tokenizer files), the AdamW moments (optimizer.safetensors), the trainer state
// (step, data position, elapsed time) and the experiment config. Each is written into a temporary
// directory that is renamed into place only when complete, so a crash never leaves half a checkpoint.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../hf/safetensors';
import { saveModelDir } from '../hf/save';
import type { LoaderState } from '../data/loader';
import type { CausalLM } from '../model/types';
import type { Tokenizer } from '../tokenizer/types';
import type { AdamW } from './optimizer';

export interface TrainerState {
  step: number;
  epoch: number;
  optimizer_t: number;
  loader: LoaderState;
  /** Seconds of training before this checkpoint, over all sessions of the run. */
  elapsed_s: number;
  total_steps: number;
}

const STEP_DIR = /^step-(\d+)$/;

/** The newest complete checkpoint of a run, or undefined. */
export function latestCheckpoint(runDir: string): string | undefined {
  const dir = join(runDir, 'checkpoints');
  if (!existsSync(dir)) return undefined;
  const steps = readdirSync(dir)
    .map((n) => STEP_DIR.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && existsSync(join(dir, m[0], 'trainer_state.json')))
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  return steps.length ? join(dir, `step-${steps[0]}`) : undefined;
}

export async function saveCheckpoint(
  runDir: string, model: CausalLM, tokenizer: Tokenizer, opt: AdamW, state: TrainerState, configYaml: string,
): Promise<string> {
  const final = join(runDir, 'checkpoints', `step-${state.step}`);
  const tmp = join(runDir, 'checkpoints', `.tmp-step-${state.step}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  await saveModelDir(model, tokenizer, tmp); // creates tmp

  const moments = [...opt.m.keys()].flatMap((name) => [
    { name: `${name}.exp_avg`, shape: (opt.m.get(name) as tf.Variable).shape, data: () => (opt.m.get(name) as tf.Variable).data() as Promise<Float32Array> },
    { name: `${name}.exp_avg_sq`, shape: (opt.v.get(name) as tf.Variable).shape, data: () => (opt.v.get(name) as tf.Variable).data() as Promise<Float32Array> },
  ]);
  await writeSafetensors(join(tmp, 'optimizer.safetensors'), moments, { format: 'orpo-lab-adamw' });
  writeFileSync(join(tmp, 'orpo.yaml'), configYaml);
  writeFileSync(join(tmp, 'trainer_state.json'), JSON.stringify(state, null, 1));
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  return final;
}

/** Restores the optimizer moments in place and returns the trainer state (the model loads from `dir`). */
export async function loadCheckpoint(dir: string, opt: AdamW): Promise<TrainerState> {
  for await (const [name, t] of readSafetensors(join(dir, 'optimizer.safetensors'))) {
    const [param, kind] = name.endsWith('.exp_avg_sq') ? [name.slice(0, -11), 'v'] : [name.slice(0, -8), 'm'];
    const target = (kind === 'v' ? opt.v : opt.m).get(param);
    if (!target) throw new Error(`${dir}/optimizer.safetensors: unknown parameter "${param}"`);
    const x = tf.tensor(t.data, t.shape);
    target.assign(x);
    x.dispose();
  }
  const state = JSON.parse(readFileSync(join(dir, 'trainer_state.json'), 'utf8')) as TrainerState;
  opt.t = state.optimizer_t;
  return state;
}

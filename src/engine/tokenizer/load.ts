// Chooses the run's tokenizer from the config's `tokenizer:` setting (schema in src/common/schema.ts):
// `bytes` → ByteTokenizer; a path → that tokenizer.json (relative to the config file's folder);
// `{train: V}` → a byte-level BPE trained on the training texts. A pretrained model directory's own
// tokenizer.json takes the place of the default `bytes`: its ids are the ones the model was trained on.
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { trainByteLevelTokenizer } from './bpeTrainer';
import { ByteTokenizer } from './bytes';
import { HfTokenizer } from './hf';
import type { Tokenizer } from './types';

export interface LoadTokenizerOptions {
  /** The folder of the experiment config: relative tokenizer paths resolve against it. */
  configDir: string;
  /** The training texts (prompts and responses), for `{train: V}`. Called once. */
  trainTexts?: () => Iterable<string> | Promise<Iterable<string>>;
  /** A pretrained model directory (model.from), whose tokenizer.json is used instead of `bytes`. */
  modelDir?: string;
  /** The model's context length, written as model_max_length of a trained tokenizer. */
  contextLength?: number;
}

export async function loadTokenizer(setting: 'bytes' | string | { train: number }, opts: LoadTokenizerOptions): Promise<Tokenizer> {
  if (typeof setting === 'object') {
    if (!opts.trainTexts) throw new Error('tokenizer: {train: ...} needs the training texts');
    return trainByteLevelTokenizer(await opts.trainTexts(), setting.train, opts.contextLength);
  }
  if (setting === 'bytes') {
    if (opts.modelDir && existsSync(join(opts.modelDir, 'tokenizer.json'))) return HfTokenizer.load(opts.modelDir);
    if (opts.modelDir) throw new Error(`${opts.modelDir}: the model directory has no tokenizer.json; give one with tokenizer: PATH`);
    return new ByteTokenizer();
  }
  const path = isAbsolute(setting) ? setting : resolve(opts.configDir, setting);
  if (!existsSync(path)) throw new Error(`tokenizer: ${path} does not exist (expected a tokenizer.json, resolved from "${setting}" against ${opts.configDir})`);
  return HfTokenizer.load(path);
}

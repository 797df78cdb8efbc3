// Reading a Hugging Face model directory's config.json (transformers' PretrainedConfig.to_json_file
// format) and choosing the ORPO Lab model family for its architecture. Unsupported architectures get an
// error naming what was found and what is supported.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HfConfig } from '../model/types';

export type Family = 'gpt2' | 'llama';

/** Supported architectures: transformers class name → model_type and ORPO Lab family. */
export const SUPPORTED: readonly { architecture: string; modelType: string; family: Family }[] = [
  { architecture: 'GPT2LMHeadModel', modelType: 'gpt2', family: 'gpt2' },
  { architecture: 'LlamaForCausalLM', modelType: 'llama', family: 'llama' },
  { architecture: 'Qwen2ForCausalLM', modelType: 'qwen2', family: 'llama' },
];

function supportedList(): string {
  return SUPPORTED.map((s) => `${s.architecture} (model_type "${s.modelType}")`).join(', ');
}

/** Reads and checks dir/config.json. Errors name the file and what was expected. */
export async function readHfConfig(dir: string): Promise<HfConfig> {
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read the model's config.json (${(e as NodeJS.ErrnoException).code ?? String(e)}); a Hugging Face model directory holds config.json, model.safetensors and tokenizer.json`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${path}: expected a JSON object`);
  const c = raw as Record<string, unknown>;
  if (typeof c.model_type !== 'string') throw new Error(`${path}: "model_type" must be a string`);
  if (!Number.isInteger(c.vocab_size)) throw new Error(`${path}: "vocab_size" must be an integer`);
  const architectures = Array.isArray(c.architectures) ? c.architectures.filter((a): a is string => typeof a === 'string') : [];
  return { ...c, architectures, model_type: c.model_type, vocab_size: c.vocab_size as number };
}

/** The ORPO Lab family for a config: by its architectures, else by model_type. */
export function familyOf(c: HfConfig, where = 'config.json'): Family {
  const byArch = SUPPORTED.find((s) => c.architectures.includes(s.architecture));
  if (byArch) return byArch.family;
  const byType = c.architectures.length === 0 ? SUPPORTED.find((s) => s.modelType === c.model_type) : undefined;
  if (byType) return byType.family;
  const found = c.architectures.length > 0 ? `architecture ${c.architectures.map((a) => `"${a}"`).join(', ')} (model_type "${c.model_type}")` : `model_type "${c.model_type}"`;
  throw new Error(`${where}: ${found} is not supported. Supported: ${supportedList()}.`);
}

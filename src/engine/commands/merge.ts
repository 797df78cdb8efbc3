// `orpo-lab merge CHECKPOINT --out DIR [--base DIR]`: a LoRA checkpoint (or any PEFT LoRA adapter
// directory) folded into its base model's weights, W + (alpha / r)·(B·A) as PEFT's merge_and_unload
// computes it (tuners/lora/layer.py get_delta_weight), and written as a transformers model directory
// (config.json, model.safetensors, generation_config.json, tokenizer files) that from_pretrained loads.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, flagString, parseCommand, usageLine, type CommandSpec } from '../args';
import { selectBackend } from '../backend/select';
import { isAdapterDir, loadAdapterDir } from '../hf/adapter';
import { saveModelDir } from '../hf/save';
import { mergeLora } from '../model/lora';

export const MERGE_SPEC: CommandSpec = {
  name: 'merge',
  positionals: 'CHECKPOINT',
  minPositionals: 1,
  maxPositionals: 1,
  summary: 'Merges a LoRA checkpoint (adapter_config.json + adapter_model.safetensors) into its base model and writes the merged full weights as a transformers model directory.',
  options: {
    out: { type: 'string', arg: 'DIR', help: 'the merged model directory to write (required)' },
    base: { type: 'string', arg: 'DIR', help: "the base model directory (default: adapter_config.json's base_model_name_or_path)" },
  },
};

export async function main(argv: string[]): Promise<number> {
  const args = parseCommand(MERGE_SPEC, argv);
  const dir = resolve(args.positionals[0] as string);
  const out = flagString(args, 'out');
  if (out === undefined) throw new UsageError(`--out DIR is required\n${usageLine(MERGE_SPEC)}`);
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such checkpoint directory`);
  if (!isAdapterDir(dir)) throw new UsageError(`${dir}: no adapter_config.json; merge takes a LoRA checkpoint or a PEFT adapter directory (a full checkpoint is already a model directory)`);
  const base = flagString(args, 'base');
  await selectBackend('cpu');
  const { model, tokenizer, base: from } = await loadAdapterDir(dir, base === undefined ? undefined : resolve(base));
  try {
    mergeLora(model);
    await saveModelDir(model, tokenizer, resolve(out));
    process.stderr.write(`merged ${dir} into ${from}: ${resolve(out)}\n`);
    return 0;
  } finally {
    model.dispose();
  }
}

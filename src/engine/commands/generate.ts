// `orpo-lab generate MODEL_DIR --prompt TEXT`: loads a Hugging Face model directory (a checkpoint ORPO
// Lab saved, or a pretrained model) and prints a completion of the prompt to stdout. Greedy by default
// or with --greedy; sampling with --temperature / --top-p (seeded by --seed). --chat wraps the prompt as
// one user turn with the tokenizer's chat template. Timing goes to stderr.
import { existsSync } from 'node:fs';
import type { Backend } from '../../common/config';
import { BACKENDS } from '../../common/schema';
import { UsageError, flagBool, flagChoice, flagInt, flagNumber, flagString, parseCommand, usageLine, type CommandSpec } from '../args';
import { selectBackend } from '../backend/select';
import { generateText } from '../generate/generate';
import type { Decoding } from '../generate/sampling';
import { isAdapterDir, loadAdapterDir } from '../hf/adapter';
import { loadModelDir } from '../hf/load';

export const GENERATE_SPEC: CommandSpec = {
  name: 'generate',
  positionals: 'MODEL_DIR',
  minPositionals: 1,
  maxPositionals: 1,
  summary: 'Prints a completion of --prompt by a Hugging Face model directory (a checkpoint ORPO Lab saved, or a pretrained model). Greedy unless --temperature or --top-p is given.',
  options: {
    prompt: { type: 'string', arg: 'TEXT', help: 'the prompt (required)' },
    'max-new-tokens': { type: 'string', arg: 'N', help: 'tokens to generate (64)', alike: ['max_new_tokens', 'max-tokens'] },
    temperature: { type: 'string', arg: 'T', help: 'sampling temperature (> 0; 0 means greedy)' },
    'top-p': { type: 'string', arg: 'P', help: 'nucleus sampling mass in (0, 1]', alike: ['top_p'] },
    greedy: { type: 'boolean', help: 'always pick the most likely token' },
    seed: { type: 'string', arg: 'N', help: 'sampling seed (0)' },
    chat: { type: 'boolean', help: "wrap the prompt as one user turn with the tokenizer's chat template" },
    'no-cache': { type: 'boolean', help: 'recompute every position instead of using the KV cache' },
    backend: { type: 'string', arg: 'NAME', help: `one of ${BACKENDS.join(', ')} (auto)` },
  },
};

function decodingOf(greedy: boolean, temperature: number | undefined, topP: number | undefined): Decoding {
  if (greedy && (temperature !== undefined || topP !== undefined)) throw new UsageError('--greedy cannot be combined with --temperature or --top-p');
  if (greedy || (temperature === undefined && topP === undefined) || temperature === 0) return { kind: 'greedy' };
  const t = temperature ?? 1;
  const p = topP ?? 1;
  if (!(t > 0)) throw new UsageError(`--temperature must be > 0 (0 means greedy), got ${t}`);
  if (!(p > 0 && p <= 1)) throw new UsageError(`--top-p must be in (0, 1], got ${p}`);
  return { kind: 'sample', temperature: t, topP: p };
}

export async function main(argv: string[]): Promise<number> {
  const args = parseCommand(GENERATE_SPEC, argv);
  const dir = args.positionals[0] as string;
  const prompt = flagString(args, 'prompt');
  if (prompt === undefined) throw new UsageError(`--prompt TEXT is required\n${usageLine(GENERATE_SPEC)}`);
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such model directory`);
  const decoding = decodingOf(flagBool(args, 'greedy'), flagNumber(args, 'temperature'), flagNumber(args, 'top-p'));
  const maxNewTokens = flagInt(args, 'max-new-tokens') ?? 64;
  const seedFlag = flagString(args, 'seed');
  const seed = seedFlag === undefined ? 0 : Number(seedFlag);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed expects an integer, got "${seedFlag}"`);
  const backend: Backend = flagChoice(args, 'backend', BACKENDS) ?? 'auto';

  const info = await selectBackend(backend);
  const t0 = Date.now();
  const { model, tokenizer } = isAdapterDir(dir) ? await loadAdapterDir(dir) : await loadModelDir(dir);
  try {
    if (!tokenizer) throw new Error(`${dir}: no tokenizer.json, so the prompt cannot be tokenized`);
    const t1 = Date.now();
    const out = await generateText(model, tokenizer, prompt, { maxNewTokens, decoding, seed, chat: flagBool(args, 'chat'), useCache: !flagBool(args, 'no-cache') });
    const secs = (Date.now() - t1) / 1000;
    process.stdout.write(out.text + '\n');
    process.stderr.write(`${out.ids.length} tokens in ${secs.toFixed(2)} s (${(out.ids.length / Math.max(secs, 1e-9)).toFixed(1)} tokens/s) after ${out.promptIds.length} prompt tokens; load ${((t1 - t0) / 1000).toFixed(2)} s; ${info.backend}: ${info.device}\n`);
    return 0;
  } finally {
    model.dispose();
  }
}

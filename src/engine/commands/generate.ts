// `orpo-lab generate MODEL_DIR --prompt TEXT`: loads a Hugging Face model directory (a checkpoint ORPO
// Lab saved, or a pretrained model) and prints a completion of the prompt to stdout. Greedy by default
// or with --greedy; sampling with --temperature / --top-p (seeded by --seed). --chat wraps the prompt as
// one user turn with the tokenizer's chat template. Timing goes to stderr.
import { existsSync } from 'node:fs';
import type { Backend } from '../../common/config';
import { BACKENDS } from '../../common/schema';
import { UsageError, flagInt, flagNumber, flagString, parseArgs } from '../args';
import { selectBackend } from '../backend/select';
import { generateText } from '../generate/generate';
import type { Decoding } from '../generate/sampling';
import { loadModelDir } from '../hf/load';

const USAGE = 'usage: orpo-lab generate MODEL_DIR --prompt TEXT [--max-new-tokens N] [--temperature T] [--top-p P] [--greedy] [--seed N] [--chat] [--no-cache] [--backend NAME]';

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
  const args = parseArgs(argv, ['greedy', 'chat', 'no-cache']);
  const [dir, ...extra] = args.positionals;
  const prompt = flagString(args, 'prompt');
  if (!dir || extra.length || prompt === undefined) throw new UsageError(USAGE);
  const known = new Set(['prompt', 'max-new-tokens', 'temperature', 'top-p', 'greedy', 'seed', 'chat', 'no-cache', 'backend']);
  for (const f of args.flags.keys()) if (!known.has(f)) throw new UsageError(`unknown flag --${f}\n${USAGE}`);
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such model directory`);
  const decoding = decodingOf(args.flags.get('greedy') === true, flagNumber(args, 'temperature'), flagNumber(args, 'top-p'));
  const maxNewTokens = flagInt(args, 'max-new-tokens') ?? 64;
  const seedFlag = flagString(args, 'seed');
  const seed = seedFlag === undefined ? 0 : Number(seedFlag);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed expects an integer, got "${seedFlag}"`);
  const backend = flagString(args, 'backend') ?? 'auto';
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}`);

  const info = await selectBackend(backend as Backend);
  const t0 = Date.now();
  const { model, tokenizer } = await loadModelDir(dir);
  try {
    if (!tokenizer) throw new Error(`${dir}: no tokenizer.json, so the prompt cannot be tokenized`);
    const t1 = Date.now();
    const out = await generateText(model, tokenizer, prompt, { maxNewTokens, decoding, seed, chat: args.flags.get('chat') === true, useCache: args.flags.get('no-cache') !== true });
    const secs = (Date.now() - t1) / 1000;
    process.stdout.write(out.text + '\n');
    process.stderr.write(`${out.ids.length} tokens in ${secs.toFixed(2)} s (${(out.ids.length / Math.max(secs, 1e-9)).toFixed(1)} tokens/s) after ${out.promptIds.length} prompt tokens; load ${((t1 - t0) / 1000).toFixed(2)} s; ${info.backend}: ${info.device}\n`);
    return 0;
  } finally {
    model.dispose();
  }
}

// `orpo-lab export trl CONFIG --out DIR` (issue 14): hands an experiment to Hugging Face TRL on
// accelerate, to run past one machine. DIR gets train.py (trlMapping.ts: the trainer and every key),
// the data as explicit prompt/chosen/rejected JSONL exactly as ORPO Lab's loader read it (same format
// conversion, limit, eval split and dropped pairs), model/ (a scratch model's seeded initial weights,
// so TRL starts where ORPO Lab would), accelerate configs, requirements.txt, README.md and the callback
// that writes an ORPO Lab run directory. DIR is assembled in a temporary sibling and renamed into place.
// Exit codes: 0 written, 2 invalid config or data or nothing TRL can run, 1 anything else.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { canonicalize } from '../../common/aliases';
import type { ExperimentConfig } from '../../common/config';
import { specAt } from '../../common/schema';
import { UsageError, flagBool, flagString, parseCommand, usageLine, type CommandSpec } from '../args';
import { DataError } from '../data/errors';
import { readSplit, tokenizeOptions } from '../data/dataset';
import { tokenizePair } from '../data/tokenize';
import { BatchLoader } from '../data/loader';
import type { PreferencePair } from '../data/formats';
import type { Tokenizer } from '../tokenizer/types';
import { accelerateConfigs, readmeMd, requirementsTxt, trainPy } from '../export/trlFiles';
import { ExportError, KEY_MAP, trlPlan } from '../export/trlMapping';
import { buildTokenizer } from './setup';
import { EXIT_FAILURE, EXIT_INVALID, EXIT_OK, preflight } from './train';

export const EXPORT_SPEC: CommandSpec = {
  name: 'export',
  positionals: 'trl CONFIG',
  minPositionals: 2,
  maxPositionals: 2,
  summary: 'Writes a TRL + accelerate project for a GPU cluster: train.py (ORPOTrainer, DPOTrainer or SFTTrainer), the data as our loader read it, accelerate configs, a pinned requirements.txt and a README with the launch commands.',
  options: {
    out: { type: 'string', arg: 'DIR', help: 'the directory to write (required; must be empty or absent)' },
    'engine-order': { type: 'boolean', help: "write the training pairs in our engine's batch order (sequential sampling), so both engines see the same batches" },
  },
};
const USAGE = usageLine(EXPORT_SPEC);
export const PYTHON_FILES = ['orpo_lab_run.py', 'orpo_lab_callback.py'] as const;

/** The folder holding the Python modules: beside the bundle (dist/engine/python) or in the source tree. */
export function pythonDir(): string {
  for (const d of [join(__dirname, 'python'), join(__dirname, '..', 'export', 'python')]) if (existsSync(join(d, PYTHON_FILES[0]))) return d;
  throw new Error(`orpo_lab_run.py not found beside ${__dirname}: the engine build is incomplete`);
}

/** The pairs ORPO Lab trains on: the loader's split, minus the pairs its truncation drops. */
export async function exportedPairs(cfg: ExperimentConfig, configDir: string, tok: Tokenizer): Promise<{ train: PreferencePair[]; eval: PreferencePair[] }> {
  const split = await readSplit(cfg.data, { configDir, seed: cfg.seed, tokenizer: tok, skipInvalid: cfg.data.skip_invalid });
  const opts = tokenizeOptions(cfg.data);
  const kept = (ps: PreferencePair[]) => ps.filter((p) => tokenizePair(p, tok, opts) !== null);
  return { train: kept(split.train), eval: kept(split.eval) };
}

const jsonl = (ps: readonly PreferencePair[]) => ps.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n';

async function writeModel(cfg: ExperimentConfig, tok: Tokenizer, dir: string): Promise<void> {
  const { selectBackend } = await import('../backend/select');
  await selectBackend('cpu');
  const { createScratchGpt2, specialIdsOf } = await import('../model/gpt');
  const { saveModelDir } = await import('../hf/save');
  const model = createScratchGpt2(cfg.model, tok.vocabSize, tok.eosId, cfg.seed, specialIdsOf(tok));
  try {
    await saveModelDir(model, tok, dir);
  } finally {
    model.dispose();
  }
}

/** Resolves and validates CONFIG as `train` does (problems to stderr); an exit code when it is unusable. */
export function loadConfig(configArg: string): { cfg: ExperimentConfig; text: string; configPath: string } | number {
  const configPath = resolve(configArg);
  if (!existsSync(configPath)) {
    process.stderr.write(`${configArg}:1:1: error: config file not found\n`);
    return EXIT_INVALID;
  }
  const pre = preflight(configPath);
  return pre ? { ...pre, text: readFileSync(configPath, 'utf8'), configPath } : EXIT_INVALID;
}

/**
 * The training pairs in the order ORPO Lab's engine trains on them (its seeded BatchLoader), one batch
 * after another for max_steps × grad_accum batches: what `--engine-order` writes, so a sequential
 * Trainer sees the same batches. Refused where that cannot hold (no max_steps, or epochs ending in a
 * smaller batch, which a flat list read in fixed-size batches cannot repeat).
 */
export function engineOrder(cfg: ExperimentConfig, train: readonly PreferencePair[]): PreferencePair[] {
  const t = cfg.train;
  if (t.max_steps === undefined) throw new ExportError('--engine-order needs train.max_steps: the order is written for that many steps');
  if (train.length % t.batch_size !== 0) throw new ExportError(`--engine-order: ${train.length} training pairs do not split into batches of ${t.batch_size}; ORPO Lab's last batch of each epoch is then smaller, which the Trainer's fixed-size batches cannot repeat. Choose a batch_size dividing ${train.length}`);
  const loader = new BatchLoader(train, { batchSize: t.batch_size, seed: cfg.seed });
  const out: PreferencePair[] = [];
  for (let i = 0; i < t.max_steps * t.grad_accum; i++) out.push(...loader.next().batch);
  return out;
}

export interface ExportResult { trainer: string; train: number; eval: number }

/**
 * Writes the export of the validated config `configPath` into `out` (absent or empty). Throws
 * ExportError / DataError for what TRL cannot run or bad data; leaves nothing behind on failure.
 */
export async function writeExport(cfg: ExperimentConfig, configPath: string, configText: string, out: string, o: { engineOrder?: boolean } = {}): Promise<ExportResult> {
  const configDir = dirname(configPath);
  const { trlOnly, peft } = canonicalize(parse(configText), (p) => specAt(p) !== undefined);
  const tmp = join(dirname(out), `.${basename(out)}.export-${process.pid}`);
  try {
    const plan = trlPlan(cfg, Object.fromEntries(trlOnly.map((t) => [t.path[0] as string, t.value])), { ...o, modelOnly: peft.modelOnly.map((m) => m.key) });
    if (cfg.model.from !== 'scratch' && cfg.tokenizer !== 'bytes') throw new ExportError('the export trains with the model directory\'s own tokenizer; remove `tokenizer:` or train with ORPO Lab');
    const tok = await buildTokenizer(cfg, configDir);
    const pairs = await exportedPairs(cfg, configDir, tok);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, 'data'), { recursive: true });
    writeFileSync(join(tmp, 'data', 'train.jsonl'), jsonl(o.engineOrder ? engineOrder(cfg, pairs.train) : pairs.train));
    writeFileSync(join(tmp, 'data', 'eval.jsonl'), jsonl(pairs.eval));
    if (cfg.model.from === 'scratch') await writeModel(cfg, tok, join(tmp, 'model'));
    const modelDir = cfg.model.from === 'scratch' ? undefined : resolve(configDir, cfg.model.from);
    const scale = cfg.method === 'dpo' ? (cfg.beta ?? 0.1) : cfg.lambda;
    writeFileSync(join(tmp, 'train.py'), trainPy(plan, { name: cfg.name, source: configPath, scale, ...(modelDir ? { model: modelDir } : {}) }));
    writeFileSync(join(tmp, 'orpo_lab_config.yaml'), stringify(cfg));
    for (const f of PYTHON_FILES) cpSync(join(pythonDir(), f), join(tmp, f));
    mkdirSync(join(tmp, 'accelerate'));
    for (const [name, text] of Object.entries(accelerateConfigs())) writeFileSync(join(tmp, 'accelerate', `${name}.yaml`), text);
    writeFileSync(join(tmp, 'requirements.txt'), requirementsTxt(plan.lora !== undefined));
    writeFileSync(join(tmp, 'README.md'), readmeMd(plan, { name: cfg.name, source: configPath, pairs: { train: pairs.train.length, eval: pairs.eval.length }, keyMap: KEY_MAP }));
    if (existsSync(out)) rmSync(out, { recursive: true }); // empty, checked by the caller
    mkdirSync(dirname(out), { recursive: true });
    renameSync(tmp, out);
    return { trainer: plan.trainer, train: pairs.train.length, eval: pairs.eval.length };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(EXPORT_SPEC, argv);
  const [target, configArg] = parsed.positionals;
  const outArg = flagString(parsed, 'out');
  if (target !== 'trl') throw new UsageError(`unknown export target "${target}": only "trl"\n${USAGE}`);
  if (!configArg || outArg === undefined) throw new UsageError(`--out DIR is required\n${USAGE}`);
  const out = resolve(outArg);
  if (existsSync(out) && readdirSync(out).length > 0) {
    process.stderr.write(`orpo-lab export: ${out} exists and is not empty; choose another --out (nothing is overwritten)\n`);
    return EXIT_FAILURE;
  }
  const pre = loadConfig(configArg);
  if (typeof pre === 'number') return pre;
  try {
    const r = await writeExport(pre.cfg, pre.configPath, pre.text, out, { engineOrder: flagBool(parsed, 'engine-order') });
    process.stdout.write(`${out}: ${r.trainer} (TRL) on ${r.train} training and ${r.eval} eval pairs\n  python3 -m pip install -r requirements.txt\n  accelerate launch --config_file accelerate/single_gpu.yaml train.py\n`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof ExportError || e instanceof DataError) {
      process.stderr.write(`${e instanceof ExportError ? `${configArg}: error: ` : ''}${e.message}\n`);
      return EXIT_INVALID;
    }
    throw e;
  }
}

// Loading the `data:` section of an experiment config into tokenized train and eval pairs (issue 2,
// "Data" and "Tokenizing"): stream the file(s), detect the format, validate and render every row
// (errors, or counted warnings with skip_invalid), apply `limit`, split off a seeded eval fraction
// (or read a separate eval file), tokenize with TRL's truncation rules and count the dropped pairs.
// Pairs come back in file order; the seeded shuffling of the training order is BatchLoader's job.
import { resolve } from 'node:path';
import type { DataConfig } from '../../common/config';
import type { Tokenizer } from '../tokenizer/types';
import { DataError } from './errors';
import { normalizeRow, resolveFormat, type ChatOptions, type PairFormat, type PreferencePair } from './formats';
import { fileKind, readRows } from './read';
import { fieldPath } from './validate';
import { deriveSeed, permutation } from './rng';
import { tokenizePair, type TokenizedPair } from './tokenize';

export interface ReadPairsOptions {
  /** The data format; `auto` detects it from the first row that is valid JSON. */
  format: DataConfig['format'];
  skipInvalid: boolean;
  /** Stop after this many valid pairs. */
  limit?: number;
  chat?: ChatOptions;
}

export interface ReadPairsResult {
  pairs: PreferencePair[];
  format: PairFormat;
  /** One message per skipped row, `file:line: field: what was expected`. */
  warnings: string[];
  /** Problems that skip nothing (invalid UTF-8), `file:line: ...`. */
  notices: string[];
}

/** Reads, validates and renders every pair of one file. `label` names the file in messages. */
export async function readPairs(path: string, label: string, opts: ReadPairsOptions): Promise<ReadPairsResult> {
  const pairs: PreferencePair[] = [];
  const warnings: string[] = [];
  let format: PairFormat | undefined;
  const limit = opts.limit ?? Infinity;
  const isJsonArray = fileKind(path)?.kind === 'json';
  const badUtf8: number[] = [];
  for await (const row of readRows(path, label)) {
    if (pairs.length >= limit) break;
    if (row.badUtf8) badUtf8.push(row.line);
    const ctx = { file: label, line: row.line, ...(isJsonArray ? { index: row.index } : {}), ...(row.row === undefined ? {} : { row: row.row }) };
    try {
      if (row.error !== undefined) throw new DataError(label, row.line, fieldPath(ctx, ''), row.error);
      format ??= resolveFormat(opts.format, row.value, ctx);
      pairs.push(normalizeRow(format, row.value, ctx, opts.chat));
    } catch (e) {
      if (!(e instanceof DataError) || !opts.skipInvalid) throw e;
      warnings.push(e.message);
    }
  }
  if (pairs.length === 0 || format === undefined) {
    const why = warnings.length > 0 ? `; all ${warnings.length} rows were invalid (first: ${warnings[0]})` : '';
    throw new DataError(label, 0, '', `expected at least one valid preference pair, found none${why}`);
  }
  const notices = badUtf8.length === 0 ? [] : [
    `${label}:${badUtf8[0]}: invalid UTF-8 (bytes replaced by U+FFFD) in ${badUtf8.length} row${badUtf8.length === 1 ? '' : 's'}, at line${badUtf8.length === 1 ? '' : 's'} ${badUtf8.slice(0, 5).join(', ')}${badUtf8.length > 5 ? ', ...' : ''}; the file must be UTF-8 (re-encode it, e.g. iconv -f latin1 -t utf-8)`,
  ];
  return { pairs, format, warnings, notices };
}

export interface LoadDatasetOptions {
  /** Directory of the config file; data paths are relative to it. */
  configDir: string;
  seed: number;
  tokenizer: Tokenizer;
  skipInvalid: boolean;
  /** How many eval prompts to return for generation samples (default 4). */
  evalPromptCount?: number;
}

export interface LoadedDataset {
  train: TokenizedPair[];
  eval: TokenizedPair[];
  /** The format of the training file (the detected one for `auto`). */
  format: PairFormat;
  /** Skipped rows (skip_invalid), as messages. */
  warnings: string[];
  /** Number of skipped rows (warnings.length). */
  skipped: number;
  /** Problems that skip nothing (invalid UTF-8 in a file), `file:line: ...`. */
  notices: string[];
  /** Pairs dropped because a response was empty after truncation (train and eval). */
  dropped: number;
  /** Prompt texts of the first eval pairs, for generation samples. */
  evalPrompts: string[];
  /** Valid pairs read before tokenization (train file after `limit`, eval file). */
  rows: { train: number; eval: number };
}

/** Stream 0 of the run seed picks the eval split; the loader uses deriveSeed(seed, epoch). */
export const EVAL_SPLIT_STREAM = 0x65766131; // "eva1"

/**
 * The seeded held-out split: the pairs at the first round(n·fraction) positions (at least 1, at most
 * n-1) of a seeded permutation go to eval. Both sides keep file order; the BatchLoader shuffles the
 * training order each epoch.
 */
export function splitEval<T>(items: readonly T[], fraction: number, seed: number): { train: T[]; eval: T[] } {
  const n = items.length;
  if (n < 2) throw new Error(`an eval fraction needs at least 2 pairs, got ${n}`);
  const nEval = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const isEval = new Uint8Array(n);
  for (const i of permutation(n, deriveSeed(seed, EVAL_SPLIT_STREAM)).slice(0, nEval)) isEval[i] = 1;
  return { eval: items.filter((_, i) => isEval[i] === 1), train: items.filter((_, i) => isEval[i] === 0) };
}

/** The chat settings a tokenizer carries: its template and (HfTokenizer) its special tokens' text. */
function chatOptions(tok: Tokenizer & { bosToken?: string; eosToken?: string }): ChatOptions {
  const bos = tok.bosToken;
  const eos = tok.eosToken;
  return {
    ...(tok.chatTemplate === undefined ? {} : { template: tok.chatTemplate }),
    ...(tok.chatTemplateError === undefined ? {} : { templateError: tok.chatTemplateError }),
    ...(bos === undefined || bos === '' ? {} : { bosToken: bos }),
    ...(eos === undefined || eos === '' ? {} : { eosToken: eos }),
  };
}

/** The text pairs of the train and eval sides, before tokenizing (also what `orpo-lab export` writes). */
export interface SplitPairs {
  train: PreferencePair[];
  eval: PreferencePair[];
  format: PairFormat;
  warnings: string[];
  /** Rows kept but worth a word (invalid UTF-8), with file:line. */
  notices: string[];
}

export async function readSplit(cfg: DataConfig, opts: LoadDatasetOptions): Promise<SplitPairs> {
  const chat = chatOptions(opts.tokenizer);
  const train = await readPairs(resolve(opts.configDir, cfg.train), cfg.train, {
    format: cfg.format,
    skipInvalid: opts.skipInvalid,
    chat,
    ...(cfg.limit === undefined ? {} : { limit: cfg.limit }),
  });
  const warnings = [...train.warnings];
  const notices = [...train.notices];
  if ((train.format === 'conversational' || train.format === 'sharegpt') && chat.template === undefined) {
    notices.push(`${cfg.train}: the conversations are rendered with ChatML (<|im_start|>role ... <|im_end|>), the default for a tokenizer without a chat template (no chat_template.jinja, none in tokenizer_config.json); set chat_template: in the config to use another`);
  }
  let trainPairs: PreferencePair[];
  let evalPairs: PreferencePair[];
  if (typeof cfg.eval === 'number') {
    if (train.pairs.length < 2) throw new DataError(cfg.train, 0, '', `expected at least 2 valid pairs to hold out an eval fraction, found ${train.pairs.length}`);
    const split = splitEval(train.pairs, cfg.eval, opts.seed);
    trainPairs = split.train;
    evalPairs = split.eval;
  } else {
    const ev = await readPairs(resolve(opts.configDir, cfg.eval), cfg.eval, { format: cfg.format, skipInvalid: opts.skipInvalid, chat });
    warnings.push(...ev.warnings);
    notices.push(...ev.notices);
    trainPairs = train.pairs;
    evalPairs = ev.pairs;
  }
  return { train: trainPairs, eval: evalPairs, format: train.format, warnings, notices };
}

/** The tokenization options of a data config (TRL's truncation rules, tokenize.ts). */
export const tokenizeOptions = (cfg: DataConfig) => ({ maxLength: cfg.max_length, maxPromptLength: cfg.max_prompt_length, ...(cfg.max_completion_length === undefined ? {} : { maxCompletionLength: cfg.max_completion_length }) });

export async function loadDataset(cfg: DataConfig, opts: LoadDatasetOptions): Promise<LoadedDataset> {
  const { train: trainPairs, eval: evalPairs, format, warnings, notices } = await readSplit(cfg, opts);
  const lengths = tokenizeOptions(cfg);
  let dropped = 0;
  const evalPrompts: string[] = [];
  const wantPrompts = opts.evalPromptCount ?? 4;
  const tokenizeAll = (pairs: PreferencePair[], prompts: boolean): TokenizedPair[] => {
    const out: TokenizedPair[] = [];
    for (const p of pairs) {
      const t = tokenizePair(p, opts.tokenizer, lengths);
      if (t === null) {
        dropped++;
        continue;
      }
      out.push(t);
      if (prompts && evalPrompts.length < wantPrompts) evalPrompts.push(p.prompt);
    }
    return out;
  };
  const trainTok = tokenizeAll(trainPairs, false);
  const evalTok = tokenizeAll(evalPairs, true);
  if (trainTok.length === 0) {
    throw new DataError(cfg.train, 0, '', `expected at least one training pair after truncation, but all ${trainPairs.length} were dropped (a response is empty once the prompt takes max_prompt_length ${cfg.max_prompt_length} of max_length ${cfg.max_length})`);
  }
  return {
    train: trainTok,
    eval: evalTok,
    format,
    warnings,
    skipped: warnings.length,
    notices,
    dropped,
    evalPrompts,
    rows: { train: trainPairs.length, eval: evalPairs.length },
  };
}

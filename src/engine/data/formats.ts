// Preference-pair formats (issue 2, "Data"): detection from the first row and per-format validation
// and normalisation of every row into one rendered PreferencePair.
// - explicit:       {prompt, chosen, rejected} as strings (TRL's standard explicit-prompt format).
// - implicit:       {chosen, rejected} full texts sharing the prompt (Anthropic HH-RLHF); implicit.ts.
// - conversational: TRL's message lists {prompt, chosen, rejected} of {role, content}; messages.ts.
// - sharegpt:       LLaMA-Factory's {conversations, chosen, rejected} of {from, value}; messages.ts.
import type { DataFormat } from '../../common/config';
import { normalizeImplicit } from './implicit';
import { normalizeConversational, normalizeSharegpt, type ChatOptions } from './messages';
import { fail, isObject, requireDifferent, requireObject, requireResponse, requireString, type RowContext } from './validate';

export type { ChatOptions } from './messages';
export type { RowContext } from './validate';

/** A concrete format (what `auto` resolves to). */
export type PairFormat = Exclude<DataFormat, 'auto'>;

export const PAIR_FORMATS: readonly PairFormat[] = ['explicit', 'implicit', 'conversational', 'sharegpt'];

/** One preference pair as text: the prompt and the two responses that continue it. */
export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
}

/**
 * The format of a row, from its shape; undefined when it matches none:
 * `conversations` → sharegpt; `chosen` a list → conversational; `chosen` a string with a string
 * `prompt` → explicit, without `prompt` → implicit.
 */
export function detectFormat(value: unknown): PairFormat | undefined {
  if (!isObject(value)) return undefined;
  if (Array.isArray(value.conversations)) return 'sharegpt';
  if (Array.isArray(value.chosen)) return 'conversational';
  if (typeof value.chosen === 'string') {
    if (typeof value.prompt === 'string') return 'explicit';
    if (value.prompt === undefined) return 'implicit';
  }
  return undefined;
}

export const DETECT_HINT =
  'expected one of the formats explicit {prompt, chosen, rejected} (strings), implicit {chosen, rejected} (texts sharing the prompt), conversational {prompt, chosen, rejected} (lists of {role, content}), sharegpt {conversations, chosen, rejected}';

function normalizeExplicit(value: unknown, ctx: RowContext): PreferencePair {
  const row = requireObject(ctx, value, '', 'a JSON object {prompt, chosen, rejected}');
  const prompt = requireString(ctx, row, 'prompt');
  const chosen = requireResponse(ctx, requireString(ctx, row, 'chosen'), 'chosen');
  const rejected = requireResponse(ctx, requireString(ctx, row, 'rejected'), 'rejected');
  requireDifferent(ctx, chosen === rejected);
  return { prompt, chosen, rejected };
}

/** Validates one row of the given format and renders it; throws DataError naming the field. */
export function normalizeRow(format: PairFormat, value: unknown, ctx: RowContext, chat: ChatOptions = {}): PreferencePair {
  switch (format) {
    case 'explicit':
      return normalizeExplicit(value, ctx);
    case 'implicit':
      return normalizeImplicit(value, ctx);
    case 'conversational':
      return normalizeConversational(value, ctx, chat);
    case 'sharegpt':
      return normalizeSharegpt(value, ctx, chat);
  }
}

/** The format to use for a file: the configured one, or (auto) the first row's. */
export function resolveFormat(configured: DataFormat, firstRow: unknown, ctx: RowContext): PairFormat {
  if (configured !== 'auto') return configured;
  const f = detectFormat(firstRow);
  if (f === undefined) throw fail(ctx, '', `cannot detect the data format from the first row: ${DETECT_HINT}`);
  return f;
}

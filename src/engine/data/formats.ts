// Preference-pair formats (issue 2, "Data"): per-format validation and normalisation of every row into
// one rendered PreferencePair; detection from the first row is shared with the language server
// (src/common/pairFormats.ts).
// - explicit:       {prompt, chosen, rejected} as strings (TRL's standard explicit-prompt format).
// - implicit:       {chosen, rejected} full texts sharing the prompt (Anthropic HH-RLHF); implicit.ts.
// - conversational: TRL's message lists {prompt, chosen, rejected} of {role, content}; messages.ts.
// - sharegpt:       LLaMA-Factory's {conversations, chosen, rejected} of {from, value}; messages.ts.
import type { DataFormat } from '../../common/config';
import { DETECT_HINT, detectFormat, type PairFormat } from '../../common/pairFormats';
import { normalizeImplicit } from './implicit';
import { normalizeConversational, normalizeSharegpt, type ChatOptions } from './messages';
import type { PreferencePair } from './pair';
import { fail, requireDifferent, requireObject, requireResponse, requireString, type RowContext } from './validate';

export type { ChatOptions } from './messages';
export type { RowContext } from './validate';
export type { PreferencePair } from './pair';
export { DETECT_HINT, PAIR_FORMATS, detectFormat, type PairFormat } from '../../common/pairFormats';

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

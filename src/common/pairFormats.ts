// Preference-pair dataset formats (issue 2, "Data") and their detection from a row's shape: the one
// rule the language server's sniffer (src/server/service/sniff.ts) and the engine's loader
// (src/engine/data/formats.ts) share, so the editor and a run agree on a file's format. Detection goes
// by which keys a row has; the types of their values are checked afterwards, per format, so a wrong
// type is reported on its field rather than as an unknown format.
// - explicit:       {prompt, chosen, rejected} as strings (TRL's standard explicit-prompt format).
// - implicit:       {chosen, rejected} full texts sharing the prompt (Anthropic HH-RLHF).
// - conversational: TRL's message lists {prompt, chosen, rejected} of {role, content}.
// - sharegpt:       LLaMA-Factory's {conversations, chosen, rejected} of {from, value}.
import type { DataFormat } from './config';

/** A concrete format (what `auto` resolves to). */
export type PairFormat = Exclude<DataFormat, 'auto'>;

export const PAIR_FORMATS: readonly PairFormat[] = ['explicit', 'implicit', 'conversational', 'sharegpt'];

/**
 * The format of a row, from its keys; undefined when it matches none: `conversations` → sharegpt;
 * `chosen` or `prompt` a list → conversational; `prompt` → explicit; `chosen` or `rejected` → implicit.
 */
export function detectFormat(row: unknown): PairFormat | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return undefined;
  const r = row as Record<string, unknown>;
  if ('conversations' in r) return 'sharegpt';
  if (Array.isArray(r.chosen) || Array.isArray(r.prompt)) return 'conversational';
  if ('prompt' in r) return 'explicit';
  if ('chosen' in r || 'rejected' in r) return 'implicit';
  return undefined;
}

export const DETECT_HINT =
  'expected one of the formats explicit {prompt, chosen, rejected} (strings), implicit {chosen, rejected} (texts sharing the prompt), conversational {prompt, chosen, rejected} (lists of {role, content}), sharegpt {conversations, chosen, rejected}';

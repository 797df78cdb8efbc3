// Pair text shared by the engine, the language server and the extension: where an implicit-prompt
// pair's shared prompt ends (the rule and its reference are in src/engine/data/implicit.ts), and the
// lengths of pairs under the byte tokenizer, measured as src/engine/data/tokenize.ts counts them
// (TRL's tokenize_row: prompt + the longer response + EOS; the byte tokenizer has no BOS).

/** Assistant-turn markers: HH-RLHF's, ChatML's and Llama 3's. */
export const ASSISTANT_MARKERS: readonly string[] = [
  '\n\nAssistant:',
  '<|im_start|>assistant\n',
  '<|start_header_id|>assistant<|end_header_id|>\n\n',
];

/** Length of the longest common prefix of two strings, in UTF-16 code units. */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * Where the shared prompt ends (an index just after the last complete assistant marker inside the
 * common prefix of chosen and rejected), or -1 when they share no marker.
 */
export function sharedPromptEnd(chosen: string, rejected: string): number {
  const shared = chosen.slice(0, commonPrefixLength(chosen, rejected));
  let end = -1;
  for (const m of ASSISTANT_MARKERS) {
    const k = shared.lastIndexOf(m);
    if (k >= 0) end = Math.max(end, k + m.length);
  }
  return end;
}

/** Byte-tokenizer lengths of one pair: the prompt, and the prompt plus the longer response and EOS. */
export interface PairLength { prompt: number; total: number }

const utf8 = new TextEncoder();
const bytes = (s: string) => utf8.encode(s).length;

/**
 * The byte lengths of an explicit ({prompt, chosen, rejected} strings) or implicit ({chosen, rejected}
 * sharing a prompt) row; undefined for other rows (conversational text depends on a chat template).
 */
export function pairByteLength(row: unknown): PairLength | undefined {
  if (!row || typeof row !== 'object' || Array.isArray(row)) return undefined;
  const r = row as Record<string, unknown>;
  if (typeof r.chosen !== 'string' || typeof r.rejected !== 'string') return undefined;
  let prompt: string;
  let chosen = r.chosen;
  let rejected = r.rejected;
  if ('prompt' in r) {
    if (typeof r.prompt !== 'string') return undefined;
    prompt = r.prompt;
  } else {
    const end = sharedPromptEnd(chosen, rejected);
    if (end < 0) return undefined;
    prompt = chosen.slice(0, end);
    chosen = chosen.slice(end);
    rejected = rejected.slice(end);
  }
  const p = bytes(prompt);
  return { prompt: p, total: p + Math.max(bytes(chosen), bytes(rejected)) + 1 };
}

/** The q-quantile (0..1) of ascending values, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

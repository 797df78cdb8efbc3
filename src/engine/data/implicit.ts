// The implicit-prompt format ({chosen, rejected} as full conversations sharing their prompt, as in
// Anthropic HH-RLHF) and its prompt extraction.
//
// The rule (issue 2: "the prompt is their common prefix, cut at the last turn boundary they share"):
//   1. take the longest common prefix of the chosen and rejected texts (character by character);
//   2. find, inside that prefix, the last complete assistant-turn marker (ASSISTANT_MARKERS, e.g.
//      "\n\nAssistant:"; the one that ends last wins);
//   3. the prompt is everything up to and including that marker; each response is the rest of its
//      text, starting right after the marker (HH-RLHF responses therefore begin with a space).
// Cutting at the marker rather than at the raw divergence point matters: responses often share their
// first words ("I can help" / "I cannot"), so the raw common prefix ends mid-word ("... I can"). The
// marker cut gives both responses in full. This is the same cut as the `extract_anthropic_prompt`
// helper in TRL's HH-RLHF DPO example (rfind of "\n\nAssistant:"), applied to the shared prefix.
import type { PreferencePair } from './pair';
import { fail, requireDifferent, requireObject, requireResponse, requireString, type RowContext } from './validate';

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

export function normalizeImplicit(value: unknown, ctx: RowContext): PreferencePair {
  const row = requireObject(ctx, value, '', 'a JSON object {chosen, rejected}');
  const chosen = requireString(ctx, row, 'chosen');
  const rejected = requireString(ctx, row, 'rejected');
  requireResponse(ctx, chosen, 'chosen');
  requireResponse(ctx, rejected, 'rejected');
  requireDifferent(ctx, chosen === rejected);
  const end = sharedPromptEnd(chosen, rejected);
  if (end < 0) {
    throw fail(
      ctx,
      'chosen',
      `expected chosen and rejected to share a prompt ending with an assistant turn marker (${JSON.stringify('\n\nAssistant:')}); their common prefix contains none`,
    );
  }
  return {
    prompt: chosen.slice(0, end),
    chosen: requireResponse(ctx, chosen.slice(end), 'chosen'),
    rejected: requireResponse(ctx, rejected.slice(end), 'rejected'),
  };
}

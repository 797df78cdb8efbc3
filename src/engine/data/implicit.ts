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

// The marker rule itself is shared with the language server's length checks (src/common/pairText.ts).
import { sharedPromptEnd } from '../../common/pairText';
export { ASSISTANT_MARKERS, commonPrefixLength, sharedPromptEnd } from '../../common/pairText';

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

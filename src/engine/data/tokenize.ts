// Tokenizing one preference pair, with the semantics of TRL's ORPOTrainer.tokenize_row (and the DPO
// trainer it was copied from), truncation_mode "keep_end":
//   1. the prompt and each response are encoded separately, without special tokens;
//   2. BOS is prepended to the prompt when the tokenizer has one and the prompt does not start with it
//      (add_bos_token_if_needed); EOS is appended to each response unless it already ends with it
//      (add_eos_token_if_needed);
//   2b. with max_completion_length, each response is cut from the right to that many tokens (as TRL's
//      DPO tokenize_row does);
//   3. if prompt + the longer response exceeds max_length, the prompt is truncated from the left to
//      its last max_prompt_length tokens;
//   4. if that is still too long, both responses are truncated from the right to
//      max_length - max_prompt_length tokens (the truncated response may lose its EOS, as in TRL).
// Issue 2: "Truncate the prompt from the left to max_prompt_length, then the responses to fit
// max_length. Drop any pair whose response is empty after truncation, and count it": a pair whose
// chosen or rejected keeps no content token (nothing, or only EOS) gives null; the caller counts it.
import type { Tokenizer } from '../tokenizer/types';
import type { PreferencePair } from './formats';

/** Token ids of one pair; responses exclude the prompt. */
export interface TokenizedPair {
  prompt: number[];
  chosen: number[];
  rejected: number[];
}

export interface TokenizeOptions {
  maxLength: number;
  maxPromptLength: number;
  /** TRL DPOConfig.max_completion_length: each response (EOS included) is cut to this many tokens first. */
  maxCompletionLength?: number;
}

function withEos(ids: number[], eos: number): number[] {
  return ids.length > 0 && ids[ids.length - 1] === eos ? ids : [...ids, eos];
}

function hasContent(ids: readonly number[], eos: number): boolean {
  return ids.some((id) => id !== eos);
}

export function tokenizePair(pair: PreferencePair, tok: Tokenizer, opts: TokenizeOptions): TokenizedPair | null {
  const { maxLength, maxPromptLength } = opts;
  if (!Number.isInteger(maxLength) || maxLength < 1 || !Number.isInteger(maxPromptLength) || maxPromptLength < 0) {
    throw new Error(`tokenizePair: expected positive integer lengths, got max_length ${maxLength}, max_prompt_length ${maxPromptLength}`);
  }
  let prompt = tok.encode(pair.prompt);
  if (tok.bosId !== undefined && prompt[0] !== tok.bosId) prompt = [tok.bosId, ...prompt];
  let chosen = withEos(tok.encode(pair.chosen), tok.eosId);
  let rejected = withEos(tok.encode(pair.rejected), tok.eosId);
  if (opts.maxCompletionLength !== undefined) {
    chosen = chosen.slice(0, opts.maxCompletionLength);
    rejected = rejected.slice(0, opts.maxCompletionLength);
  }

  const longer = Math.max(chosen.length, rejected.length);
  if (prompt.length + longer > maxLength) {
    prompt = maxPromptLength === 0 ? [] : prompt.slice(-maxPromptLength);
  }
  if (prompt.length + longer > maxLength) {
    const keep = Math.max(0, maxLength - maxPromptLength);
    chosen = chosen.slice(0, keep);
    rejected = rejected.slice(0, keep);
  }
  if (!hasContent(chosen, tok.eosId) || !hasContent(rejected, tok.eosId)) return null;
  return { prompt, chosen, rejected };
}

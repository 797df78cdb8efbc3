// Collation of tokenized pairs into one concatenated batch, for the single forward pass over chosen and
// rejected that TRL's ORPOTrainer.concatenated_forward makes (issue 2, "Losses").
//
// Layout: rows 0..B-1 are prompt+chosen, rows B..2B-1 are prompt+rejected, each right-padded with
// padId to T, the longest row of this batch. Everything is row-major [2B, T].
//
// Length buckets (issue 11, the WebGPU path): with `bucketCap`, T is rounded up to the next power of
// two from 32 (32, 64, 128, ...), capped at bucketCap (the model's context) and never below the
// longest row. So a run sees a few fixed shapes, and tfjs-webgpu's pipelines and buffer pool stop
// growing from batch to batch. The extra positions are padding: every mask is 0 there, and causal
// attention keeps them from touching real positions, so log-probs, losses and rewards do not change;
// `longest` keeps the unbucketed length for the one metric that counts padding (ORPO's logits/*).
//
// The shift, as in TRL's get_batch_logps (logits[:, :-1] scored against labels[:, 1:]): position t's
// logits predict the token at t+1. So for every position t of row r:
//   targets[r,t]  = ids[r,t+1]              (padId past the row's end; 0 at t = T-1)
//   seqMask[r,t]  = 1 iff t+1 < len(r)      (the next token is a real token, prompt included;
//                                            the NLL term when nll_on_prompt is true)
//   respMask[r,t] = 1 iff promptLen(r) <= t+1 < len(r)
//                                           (the next token is a response token, EOS included;
//                                            TRL's labels with the prompt set to -100, then shifted)
// The first token of a row is never a target. Masks come from lengths, never from comparing ids with
// padId, because the pad id may equal EOS (the byte tokenizer uses 256 for both).
import type { TokenizedPair } from './tokenize';

export interface CollatedBatch {
  /** Pairs in the batch; the tensors have 2B rows. */
  B: number;
  /** Padded row length. */
  T: number;
  /** The longest row (T before bucketing). */
  longest: number;
  ids: Int32Array;
  targets: Int32Array;
  respMask: Float32Array;
  seqMask: Float32Array;
  /** Prompt length of each of the 2B rows. */
  promptLengths: Int32Array;
  /** Real (unpadded) length of each of the 2B rows. */
  lengths: Int32Array;
  /** Real (non-pad) tokens in the batch, over all 2B rows. */
  tokens: number;
}

export interface CollateOptions {
  padId: number;
  /** Pad T up to at least this length (e.g. for fixed shapes). */
  minLength?: number;
  /** Round T up to its length bucket, at most this (see the header). */
  bucketCap?: number;
}

/** T's length bucket: the next power of two from 32, at most `cap`, never below T. */
export function bucketLength(T: number, cap: number): number {
  let b = 32;
  while (b < T) b *= 2;
  return Math.max(T, Math.min(b, cap));
}

export function collate(pairs: readonly TokenizedPair[], opts: CollateOptions): CollatedBatch {
  const B = pairs.length;
  if (B === 0) throw new Error('collate: expected at least one pair');
  const rows: { prompt: readonly number[]; response: readonly number[] }[] = [
    ...pairs.map((p) => ({ prompt: p.prompt, response: p.chosen })),
    ...pairs.map((p) => ({ prompt: p.prompt, response: p.rejected })),
  ];
  let longest = 0;
  for (const r of rows) longest = Math.max(longest, r.prompt.length + r.response.length);
  let T = Math.max(longest, opts.minLength ?? 0);
  if (opts.bucketCap !== undefined) T = bucketLength(T, opts.bucketCap);
  const n = 2 * B * T;
  const ids = new Int32Array(n).fill(opts.padId);
  const targets = new Int32Array(n);
  const respMask = new Float32Array(n);
  const seqMask = new Float32Array(n);
  const promptLengths = new Int32Array(2 * B);
  const lengths = new Int32Array(2 * B);
  let tokens = 0;
  rows.forEach((r, i) => {
    const base = i * T;
    const P = r.prompt.length;
    const L = P + r.response.length;
    ids.set(r.prompt, base);
    ids.set(r.response, base + P);
    promptLengths[i] = P;
    lengths[i] = L;
    tokens += L;
    for (let t = 0; t + 1 < T; t++) targets[base + t] = ids[base + t + 1] as number;
    for (let t = 0; t + 1 < L; t++) {
      seqMask[base + t] = 1;
      if (t + 1 >= P) respMask[base + t] = 1;
    }
  });
  return { B, T, longest, ids, targets, respMask, seqMask, promptLengths, lengths, tokens };
}

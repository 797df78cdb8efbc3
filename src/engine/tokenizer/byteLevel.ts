// Byte-level BPE tokenizer.json files (the Rust `tokenizers` serialization, as GPT-2's tokenizer.json):
// a ByteLevel pre-tokenizer (GPT-2's split regex, then each UTF-8 byte mapped to a printable character by
// GPT-2's bytes_to_unicode table), a BPE model whose vocabulary holds those 256 byte characters plus
// merged tokens, and a ByteLevel decoder. Used by the byte tokenizer (no merges) and the BPE trainer.

/** GPT-2's bytes_to_unicode: byte b → a printable character (printable Latin-1 bytes map to themselves). */
export function bytesToUnicode(): string[] {
  const keep = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let next = 0;
  for (let b = 0; b < 256; b++) table.push(String.fromCodePoint(keep(b) ? b : 256 + next++));
  return table;
}

/** GPT-2's pre-tokenization pattern, as the ByteLevel pre-tokenizer applies it with use_regex. */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export interface ByteLevelSpec {
  /** Tokens by id: ids 0..255 should be the byte characters; special tokens are included here too. */
  vocab: readonly string[];
  /** Merge rules in priority order, each a pair of tokens already in `vocab`. */
  merges: readonly (readonly [string, string])[];
  /** Ids (in `vocab`) of special tokens, e.g. <|endoftext|>. */
  specialIds: readonly number[];
}

/** A tokenizer.json object for a byte-level BPE; loadable by @huggingface/tokenizers and transformers. */
export function byteLevelTokenizerJson(spec: ByteLevelSpec): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  spec.vocab.forEach((t, i) => {
    if (t in vocab) throw new Error(`byte-level tokenizer: token ${JSON.stringify(t)} appears twice`);
    vocab[t] = i;
  });
  const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: spec.specialIds.map((id) => ({ id, content: spec.vocab[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...byteLevel },
    post_processor: { type: 'ByteLevel', ...byteLevel, trim_offsets: false },
    decoder: { type: 'ByteLevel', ...byteLevel },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
      fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab, merges: spec.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

/**
 * A tokenizer_config.json for transformers' PreTrainedTokenizerFast with one end-of-text special token.
 * `bos: false` declares no BOS (`bos_token: null`), for a tokenizer that never adds one (the byte
 * tokenizer), so a model continued from the checkpoint trains on the same token sequences.
 */
export function byteLevelTokenizerConfig(eos: string, eosId: number, maxLength?: number, bos = true): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: bos ? eos : null, eos_token: eos, pad_token: eos, unk_token: null,
    clean_up_tokenization_spaces: false,
    added_tokens_decoder: { [String(eosId)]: { content: eos, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true } },
    ...(maxLength ? { model_max_length: maxLength } : {}),
  };
}

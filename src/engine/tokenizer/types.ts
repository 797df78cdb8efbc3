// The tokenizer interface the engine trains with. Implementations: the byte tokenizer (bytes.ts) and
// Hugging Face tokenizer.json files (hf.ts). Data code and models only see this interface.

export interface Tokenizer {
  /** Number of ids the model's embedding must hold. */
  readonly vocabSize: number;
  readonly eosId: number;
  readonly padId: number;
  readonly bosId?: number;
  /** A Jinja chat template (tokenizer_config.json), when the tokenizer has one. */
  readonly chatTemplate?: string;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Writes tokenizer.json (and tokenizer_config.json) into dir, so transformers can load it. */
  save(dir: string): Promise<void>;
}

// The tokenizer interface the engine trains with. Implementations: the byte tokenizer (bytes.ts) and
// Hugging Face tokenizer.json files (hf.ts). Data code and models only see this interface.

export interface Tokenizer {
  /** Number of ids the model's embedding must hold. */
  readonly vocabSize: number;
  readonly eosId: number;
  readonly padId: number;
  readonly bosId?: number;
  /** A Jinja chat template (chat_template.jinja, tokenizer_config.json or the config's chat_template:), when there is one. */
  readonly chatTemplate?: string;
  /** Why the tokenizer's own template cannot be used (chatTemplate.ts), naming its file: an error when a conversation is rendered. */
  readonly chatTemplateError?: string;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Writes tokenizer.json (and tokenizer_config.json) into dir, so transformers can load it. */
  save(dir: string): Promise<void>;
}

// The byte tokenizer for from-scratch runs: ids 0..255 are UTF-8 bytes, 256 is <|endoftext|> (EOS,
// also used as pad). It saves as a byte-level tokenizer.json that Hugging Face tokenizers can load.
import type { Tokenizer } from './types';

export const BYTE_EOS = 256;
const EOS_TEXT = '<|endoftext|>';

export class ByteTokenizer implements Tokenizer {
  readonly vocabSize = 257;
  readonly eosId = BYTE_EOS;
  readonly padId = BYTE_EOS;
  private readonly enc = new TextEncoder();
  private readonly dec = new TextDecoder('utf-8', { fatal: false });

  /** UTF-8 bytes; the text `<|endoftext|>` is the EOS token, as transformers reads our tokenizer.json. */
  encode(text: string): number[] {
    const parts = text.split(EOS_TEXT);
    const ids: number[] = [];
    parts.forEach((part, i) => {
      if (i > 0) ids.push(BYTE_EOS);
      for (const b of this.enc.encode(part)) ids.push(b);
    });
    return ids;
  }

  decode(ids: readonly number[]): string {
    return this.dec.decode(Uint8Array.from(ids.filter((i) => i >= 0 && i < 256)));
  }

  async save(dir: string): Promise<void> {
    const { saveByteTokenizer } = await import('./bytesJson');
    await saveByteTokenizer(dir);
  }
}

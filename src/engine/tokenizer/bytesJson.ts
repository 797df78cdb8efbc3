// The byte tokenizer (bytes.ts) as Hugging Face files: a byte-level BPE tokenizer.json with no merges,
// whose vocabulary is GPT-2's 256 byte characters in byte order (id i = byte i) plus <|endoftext|> = 256,
// so @huggingface/tokenizers and transformers' PreTrainedTokenizerFast produce ByteTokenizer's ids.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { byteLevelTokenizerConfig, byteLevelTokenizerJson, bytesToUnicode } from './byteLevel';

export const BYTE_EOS_TOKEN = '<|endoftext|>';

export function byteTokenizerJson(): Record<string, unknown> {
  return byteLevelTokenizerJson({ vocab: [...bytesToUnicode(), BYTE_EOS_TOKEN], merges: [], specialIds: [256] });
}

export function byteTokenizerConfig(): Record<string, unknown> {
  return byteLevelTokenizerConfig(BYTE_EOS_TOKEN, 256, undefined, false); // ByteTokenizer adds no BOS
}

/** Writes tokenizer.json and tokenizer_config.json for the byte tokenizer into dir. */
export async function saveByteTokenizer(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(byteTokenizerJson(), null, 2) + '\n');
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(byteTokenizerConfig(), null, 2) + '\n');
}

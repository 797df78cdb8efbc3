// A Hugging Face tokenizer.json (the Rust `tokenizers` serialization) run by @huggingface/tokenizers,
// with special tokens and the chat template (chatTemplate.ts: chat_template.jinja or tokenizer_config.json; transformers'
// PreTrainedTokenizerBase conventions: bos_token / eos_token / pad_token as a string or {content}).
// encode adds no special tokens; callers add bosId / eosId where the data format wants them (as TRL does).
import { Tokenizer as HfLib } from '@huggingface/tokenizers';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CHAT_TEMPLATE_FILE, pickTemplate, readChatTemplates, type ChatTemplates } from './chatTemplate';
import type { Tokenizer } from './types';

type Json = Record<string, unknown>;

function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  return undefined;
}

async function readJson(path: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected a JSON object');
    return v as Json;
  } catch (e) {
    throw new Error(`${path}: not a valid JSON object: ${(e as Error).message}`);
  }
}

export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly eosId: number;
  readonly padId: number;
  readonly bosId?: number;
  readonly chatTemplate?: string;
  /** Why the tokenizer's own template cannot be used (bad Jinja, several without a "default"), naming its file. */
  readonly chatTemplateError?: string;
  /** Every template it has by name (for `chat_template: NAME`). */
  readonly chatTemplates?: ChatTemplates;
  /** The special tokens' text: bos/eos/pad, for chat templates. */
  readonly bosToken?: string;
  readonly eosToken: string;
  private readonly lib: HfLib;

  /**
   * @param json the parsed tokenizer.json; @param config the parsed tokenizer_config.json (may be {});
   * @param fallback special-token ids from elsewhere (config.json) when tokenizer_config.json names none;
   * @param where a file name for error messages.
   * @param templates the chat templates of the tokenizer's directory (readChatTemplates); default: the config's own.
   */
  constructor(readonly json: Json, readonly config: Json, fallback: { bos?: number; eos?: number } = {}, where = 'tokenizer.json', templates?: ChatTemplates) {
    try {
      this.lib = new HfLib(structuredClone(json), structuredClone(config)); // the library may keep and change what it gets
    } catch (e) {
      throw new Error(`${where}: @huggingface/tokenizers cannot load it: ${(e as Error).message}`);
    }
    const vocab = this.lib.get_vocab(true);
    let max = -1;
    for (const id of vocab.values()) max = Math.max(max, id);
    this.vocabSize = max + 1;
    const id = (name: string, content: string | undefined): number | undefined => {
      if (content === undefined) return undefined;
      const i = this.lib.token_to_id(content);
      if (i === undefined) throw new Error(`${where}: ${name} "${content}" (tokenizer_config.json) is not in the vocabulary`);
      return i;
    };
    const specials = ((json.added_tokens ?? []) as { id: number; content: string; special?: boolean }[]).filter((t) => t.special);
    let eos = id('eos_token', tokenContent(config.eos_token)) ?? fallback.eos;
    if (eos === undefined && specials.length === 1) eos = specials[0]?.id; // e.g. GPT-2: <|endoftext|> only
    if (eos === undefined) throw new Error(`${where}: no end-of-sequence token: tokenizer_config.json has no "eos_token" and config.json no "eos_token_id"`);
    this.eosId = eos;
    this.eosToken = this.lib.id_to_token(eos) ?? '';
    // An explicit `bos_token: null` means no BOS (as transformers reads it): no fallback to config.json.
    const bos = id('bos_token', tokenContent(config.bos_token)) ?? (config.bos_token === null ? undefined : fallback.bos);
    if (bos !== undefined) {
      this.bosId = bos;
      this.bosToken = this.lib.id_to_token(bos);
    }
    this.padId = id('pad_token', tokenContent(config.pad_token)) ?? eos; // TRL's habit: pad = eos when unset
    this.chatTemplates = templates ?? readChatTemplates(undefined, config);
    const picked = this.chatTemplates ? pickTemplate(this.chatTemplates) : undefined;
    if (picked && 'template' in picked) this.chatTemplate = picked.template;
    else if (picked) this.chatTemplateError = picked.error;
  }

  /** Loads `path`: a directory holding tokenizer.json (and tokenizer_config.json), or a tokenizer.json file. */
  static async load(path: string): Promise<HfTokenizer> {
    const isDir = existsSync(path) && statSync(path).isDirectory();
    const file = isDir ? join(path, 'tokenizer.json') : path;
    const dir = isDir ? path : dirname(path);
    if (!existsSync(file)) throw new Error(`${file}: no tokenizer.json${isDir ? ' in this directory' : ''}`);
    const json = await readJson(file);
    let config: Json = {};
    for (const side of ['tokenizer_config.json', 'special_tokens_map.json']) {
      const p = join(dir, side);
      if (existsSync(p)) config = { ...(await readJson(p)), ...config }; // tokenizer_config.json wins
    }
    // tokenizer_config.json may lack special tokens (GPT-2's does): fall back on the model's config.json.
    const fallback: { bos?: number; eos?: number } = {};
    const modelConfig = join(dir, 'config.json');
    if (existsSync(modelConfig) && basename(file) === 'tokenizer.json') {
      const mc = await readJson(modelConfig);
      if (typeof mc.eos_token_id === 'number') fallback.eos = mc.eos_token_id;
      if (typeof mc.bos_token_id === 'number') fallback.bos = mc.bos_token_id;
    }
    return new HfTokenizer(json, config, fallback, file, readChatTemplates(dir, config));
  }

  encode(text: string): number[] {
    return this.lib.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[]): string {
    const known = ids.filter((i) => i >= 0 && i < this.vocabSize && this.lib.id_to_token(i) !== undefined);
    if (known.length === 0) return '';
    return this.lib.decode(known, { skip_special_tokens: false, clean_up_tokenization_spaces: (this.config.clean_up_tokenization_spaces as boolean | undefined) ?? false });
  }

  /** The token string of an id (undefined when out of the vocabulary). */
  idToToken(id: number): string | undefined {
    return this.lib.id_to_token(id);
  }

  /** Writes tokenizer.json and tokenizer_config.json (with the special tokens and chat template) into dir. */
  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const config: Json = { ...this.config };
    config.tokenizer_class ??= 'PreTrainedTokenizerFast';
    config.eos_token ??= this.eosToken;
    if (this.bosToken !== undefined) config.bos_token ??= this.bosToken;
    config.pad_token ??= this.lib.id_to_token(this.padId);
    config.clean_up_tokenization_spaces ??= false;
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(this.json, null, 2) + '\n');
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2) + '\n');
    // A template read from chat_template.jinja is saved the same way (it takes priority over the config's).
    const jinja = this.chatTemplates?.file.endsWith('.jinja') ? this.chatTemplates.byName.default : undefined;
    if (jinja !== undefined) await writeFile(join(dir, CHAT_TEMPLATE_FILE), jinja);
  }
}

// Where a tokenizer's chat template comes from, as transformers' PreTrainedTokenizerBase reads it
// (tokenization_utils_base.py, from_pretrained and get_chat_template): `chat_template.jinja` (and
// named ones in `additional_chat_templates/NAME.jinja`) take priority over tokenizer_config.json's
// `chat_template`, which is a string or a list of {name, template}; of several, the one named
// "default" is used, and without one a template must be chosen by name. ORPO Lab's `chat_template:`
// setting overrides all of them: a .jinja file (relative to the config), an inline template, or a
// template name. Unreadable or unparsable templates are errors naming their file; ChatML
// (chat.ts DEFAULT_CHAT_TEMPLATE) is used only when no template exists at all.
import { Template } from '@huggingface/jinja';
import { chatTemplateKind } from '../../common/chatTemplateSetting';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { Tokenizer } from './types';

export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';
const EXTRA_DIR = 'additional_chat_templates';

/** A tokenizer's templates by name ("default" for a single one), with the file each came from. */
export interface ChatTemplates {
  byName: Record<string, string>;
  file: string;
}

/** The problem with a template's Jinja, or undefined when it parses. */
export function templateProblem(source: string): string | undefined {
  try {
    new Template(source);
    return undefined;
  } catch (e) {
    return `the chat template does not parse as Jinja: ${(e as Error).message}`;
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read the chat template (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/**
 * The templates of a tokenizer directory (its .jinja files, else tokenizer_config.json's `config`), or
 * of `config` alone when `dir` is undefined; undefined when there are none. Throws Error naming the file.
 */
export function readChatTemplates(dir: string | undefined, config: Record<string, unknown>): ChatTemplates | undefined {
  const byName: Record<string, string> = {};
  const main = join(dir ?? '', CHAT_TEMPLATE_FILE);
  const extra = join(dir ?? '', EXTRA_DIR);
  if (dir !== undefined) {
    if (existsSync(main)) byName.default = readText(main);
    if (existsSync(extra)) for (const n of readdirSync(extra).filter((f) => f.endsWith('.jinja')).sort()) byName[n.slice(0, -'.jinja'.length)] = readText(join(extra, n));
    if (Object.keys(byName).length) return { byName, file: existsSync(main) ? main : extra };
  }
  const file = join(dir ?? '', 'tokenizer_config.json');
  const t = config.chat_template;
  if (t === undefined || t === null) return undefined;
  if (typeof t === 'string') return { byName: { default: t }, file };
  const bad = (what: string) => new Error(`${file}: chat_template: expected a string or a list of {name, template}, got ${what}`);
  if (!Array.isArray(t)) throw bad(typeof t);
  for (const [i, e] of t.entries()) {
    const { name, template } = (e ?? {}) as { name?: unknown; template?: unknown };
    if (typeof name !== 'string' || typeof template !== 'string') throw bad(`entry [${i}] without a string name and template`);
    byName[name] = template;
  }
  return { byName, file };
}

/** The template to use: the named one, else "default" (transformers' rule); an error in words otherwise. */
export function pickTemplate(t: ChatTemplates, name?: string): { template: string } | { error: string } {
  const names = Object.keys(t.byName).sort().join(', ');
  const chosen = name ?? 'default';
  const template = t.byName[chosen];
  if (template === undefined) {
    return { error: name === undefined
      ? `${t.file}: the tokenizer has several chat templates and none named "default" (${names}); choose one with chat_template: NAME in the config`
      : `chat_template: "${name}" is not one of the tokenizer's chat templates (${names}, in ${t.file})` };
  }
  const bad = templateProblem(template);
  return bad ? { error: `${t.file}${name === undefined ? '' : ` (template "${name}")`}: ${bad}` } : { template };
}

/** The tokenizer with the config's `chat_template:` applied (same ids and methods); throws Error naming the file. */
export function withChatTemplate(tok: Tokenizer & { chatTemplates?: ChatTemplates }, setting: string, configDir: string): Tokenizer {
  let template: string;
  const kind = chatTemplateKind(setting);
  if (kind === 'name') {
    const picked = tok.chatTemplates ? pickTemplate(tok.chatTemplates, setting) : { error: `chat_template: "${setting}" is neither a .jinja file, an inline template, nor the name of one of the tokenizer's chat templates (it has none)` };
    if ('error' in picked) throw new Error(picked.error);
    template = picked.template;
  } else {
    const file = kind === 'file' ? (isAbsolute(setting) ? setting : resolve(configDir, setting)) : undefined;
    if (file && !existsSync(file)) throw new Error(`chat_template: ${file} not found (a .jinja file, resolved from "${setting}" against ${configDir})`);
    template = file ? readText(file) : setting;
    const bad = templateProblem(template);
    if (bad) throw new Error(`${file ?? 'chat_template (inline in the config)'}: ${bad}`);
  }
  const wrapped = Object.create(tok) as Tokenizer & { chatTemplateError?: string };
  Object.defineProperties(wrapped, {
    chatTemplate: { value: template },
    chatTemplateError: { value: undefined },
    // Saved beside the tokenizer, as transformers saves it, so the run's checkpoints render as it trained.
    save: { value: async (dir: string) => { await tok.save.call(wrapped, dir); await writeFile(join(dir, CHAT_TEMPLATE_FILE), template); } },
  });
  return wrapped;
}

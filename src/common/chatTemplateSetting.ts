// What the config's `chat_template:` names (one rule for the language server's check and the engine's
// loader, src/engine/tokenizer/chatTemplate.ts): an inline Jinja template when it holds `{{` or `{%`,
// else a .jinja file (relative to the config), else the name of one of the tokenizer's templates.

export type ChatTemplateSettingKind = 'file' | 'inline' | 'name';

export function chatTemplateKind(setting: string): ChatTemplateSettingKind {
  if (/\{[{%]/.test(setting)) return 'inline';
  return /\.jinja$/i.test(setting) ? 'file' : 'name';
}

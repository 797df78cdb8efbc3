// Types of the config validation service. They mirror the Language Server Protocol's shapes
// (https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/) so the
// LSP wiring can pass them through, without this service importing any LSP package.

/** 0-based line and UTF-16 character offset, as in LSP. */
export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
export interface TextEdit { range: Range; newText: string }

export type Severity = 'error' | 'warning' | 'info';

/** A client command a quick fix runs (e.g. the extension's file picker); the document URI is prepended to its arguments. */
export interface FixCommand { title: string; command: string; arguments: unknown[] }

/** A quick fix computed at validation time and carried in `ConfigDiagnostic.data`: edits, or a command. */
export interface Fix { title: string; edits: TextEdit[]; command?: FixCommand }

export interface ConfigDiagnostic {
  range: Range;
  severity: Severity;
  message: string;
  /** Stable id of the check, e.g. `unknown-key`, `range`, `data-row`. */
  code?: string;
  /** `{ fixes: Fix[] }` when the problem has quick fixes. */
  data?: unknown;
}

/** LSP CompletionItemKind values used here. */
export const CompletionKind = { Value: 12, Property: 10, Keyword: 14, File: 17, Folder: 19, EnumMember: 20 } as const;
export type CompletionKindValue = (typeof CompletionKind)[keyof typeof CompletionKind];

export interface MarkupContent { kind: 'markdown'; value: string }

export interface CompletionItem {
  label: string;
  kind: CompletionKindValue;
  detail?: string;
  documentation?: MarkupContent;
  /** Replaces `range` (the word at the cursor) with `newText`. */
  textEdit: TextEdit;
  sortText?: string;
  /** The client should ask for completions again after inserting (e.g. after a `/` in a path). */
  retrigger?: boolean;
}

export interface HoverResult { contents: MarkupContent; range: Range }

export interface CodeAction {
  title: string;
  kind: 'quickfix';
  isPreferred?: boolean;
  diagnostic: ConfigDiagnostic;
  edits: TextEdit[];
  command?: FixCommand;
}

export interface CodeLens {
  range: Range;
  command: { title: string; command: string; arguments: unknown[] };
}

/** Reads the fixes attached to a diagnostic's `data` (also after a round trip through an LSP client). */
export function fixesOf(d: ConfigDiagnostic): Fix[] {
  const data = d.data as { fixes?: unknown } | undefined;
  if (!data || !Array.isArray(data.fixes)) return [];
  return data.fixes.filter((f): f is Fix => !!f && typeof (f as Fix).title === 'string' && Array.isArray((f as Fix).edits));
}

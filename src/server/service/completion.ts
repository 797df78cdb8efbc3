// Completion at a cursor: the keys valid there (with documentation and defaults, minus keys already
// written), enum and boolean values, and file paths for data, tokenizer and model.from, resolved
// relative to the config. Works line by line so half-typed, unparsable documents still complete.
import * as path from 'node:path';
import { specAt, type FieldSpec, type ObjectSpec } from '../../common/schema';
import { defaultText, fieldMarkdown } from './docs';
import { createProbe, type FileProbe } from './fileProbe';
import { CompletionKind, type CompletionItem, type Position, type Range } from './types';

const indentOf = (l: string) => l.length - l.trimStart().length;
const isBlank = (l: string) => l.trim() === '' || l.trimStart().startsWith('#');
const KEY_LINE = /^\s*([\w.-]+)\s*:(\s*#.*|\s*)$/;

/** The key path of the block that holds a line indented by `indent`, or undefined if not in a mapping. */
export function parentPath(lines: readonly string[], line: number, indent: number): string[] | undefined {
  const out: string[] = [];
  let want = indent;
  for (let i = line - 1; i >= 0 && want > 0; i--) {
    const l = lines[i] ?? '';
    if (isBlank(l)) continue;
    const ind = indentOf(l);
    if (ind >= want) continue;
    const m = KEY_LINE.exec(l);
    if (!m) return undefined;
    out.unshift(m[1] as string);
    want = ind;
  }
  return out;
}

/** Keys already present in the block around `line` (same indentation, same parent). */
function siblingKeys(lines: readonly string[], line: number, indent: number): Set<string> {
  const keys = new Set<string>();
  const scan = (step: 1 | -1) => {
    for (let i = line + step; i >= 0 && i < lines.length; i += step) {
      const l = lines[i] ?? '';
      if (isBlank(l)) continue;
      const ind = indentOf(l);
      if (ind < indent) break;
      const m = /^\s*([\w.-]+)\s*:/.exec(l);
      if (ind === indent && m) keys.add(m[1] as string);
    }
  };
  scan(-1);
  scan(1);
  return keys;
}

function objectAt(p: readonly string[]): ObjectSpec | undefined {
  const s = p.length === 0 ? specAt([]) : specAt(p);
  if (s?.kind === 'object') return s;
  if (s?.kind === 'union') return s.variants.find((v): v is ObjectSpec => v.kind === 'object');
  return undefined;
}

/** Keys that exclude each other (rules.ts: give max_steps or epochs, not both), by parent block. */
const EXCLUSIVE: Record<string, readonly (readonly [string, string])[]> = { train: [['max_steps', 'epochs']] };

/** Whether `key` may still be offered: not written yet, and no key it excludes is. */
function offerable(parent: readonly string[], key: string, present: Set<string>): boolean {
  if (present.has(key)) return false;
  return !(EXCLUSIVE[parent.join('.')] ?? []).some(([a, b]) => (key === a && present.has(b)) || (key === b && present.has(a)));
}

function keyItems(parent: string[], present: Set<string>, range: Range, indent: number): CompletionItem[] {
  const obj = objectAt(parent);
  if (!obj) return [];
  return Object.entries(obj.fields)
    .filter(([k]) => offerable(parent, k, present))
    .map(([k, spec], i) => {
      const nested = spec.kind === 'object';
      const dflt = defaultText(spec);
      return {
        label: k,
        kind: CompletionKind.Property,
        detail: spec.required ? 'required' : dflt !== undefined ? `default: ${dflt}` : undefined,
        documentation: { kind: 'markdown', value: fieldMarkdown([...parent, k], spec) },
        textEdit: { range, newText: nested ? `${k}:\n${' '.repeat(indent + 2)}` : `${k}: ` },
        sortText: `${spec.required ? 0 : 1}${String(i).padStart(3, '0')}`,
        retrigger: !nested,
      } satisfies CompletionItem;
    });
}

function literal(label: string, kind: CompletionItem['kind'], range: Range, doc?: string): CompletionItem {
  return { label, kind, textEdit: { range, newText: label }, ...(doc ? { documentation: { kind: 'markdown', value: doc } } : {}) };
}

function pathItems(spec: FieldSpec, typed: string, pos: Position, ctx: { path: string; fs?: FileProbe }): CompletionItem[] {
  const stringSpec = spec.kind === 'string' ? spec : spec.kind === 'union' ? spec.variants.find((v) => v.kind === 'string') : undefined;
  if (stringSpec?.kind !== 'string' || !stringSpec.path || !ctx.path || !path.isAbsolute(ctx.path)) return [];
  const fs = ctx.fs ?? createProbe();
  const slash = typed.lastIndexOf('/');
  const dirPart = typed.slice(0, slash + 1);
  const range: Range = { start: { line: pos.line, character: pos.character - (typed.length - dirPart.length) }, end: pos };
  const dir = path.resolve(path.dirname(ctx.path), dirPart || '.');
  const wantDirs = stringSpec.path.type === 'dir';
  const fileOk = (n: string) => (stringSpec.path?.except?.includes('bytes') ? /\.json$/i.test(n) : /\.((jsonl|json)(\.gz)?|parquet)$/i.test(n));
  return fs
    .list(dir)
    .filter((e) => (typed.slice(slash + 1).startsWith('.') || !e.name.startsWith('.')) && (e.kind === 'dir' || (!wantDirs && e.kind === 'file' && fileOk(e.name))))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((e) => ({
      label: e.kind === 'dir' ? `${e.name}/` : e.name,
      kind: e.kind === 'dir' ? CompletionKind.Folder : CompletionKind.File,
      textEdit: { range, newText: e.kind === 'dir' && !wantDirs ? `${e.name}/` : e.name },
      sortText: `${e.kind === 'dir' ? 1 : 0}${e.name}`,
      retrigger: e.kind === 'dir' && !wantDirs,
    }));
}

function valueItems(keyPath: string[], typed: string, range: Range, pos: Position, ctx: { path: string; fs?: FileProbe }): CompletionItem[] {
  const spec = specAt(keyPath);
  if (!spec) return [];
  const variants = spec.kind === 'union' ? spec.variants : [spec];
  const items: CompletionItem[] = [];
  for (const v of variants) {
    if (v.kind === 'string' && v.enum) items.push(...v.enum.map((e) => literal(e, CompletionKind.EnumMember, range, e === v.default ? 'default' : undefined)));
    if (v.kind === 'string' && v.path?.except) items.push(...v.path.except.map((e) => literal(e, CompletionKind.Keyword, range)));
    if (v.kind === 'boolean') items.push(literal('true', CompletionKind.Value, range), literal('false', CompletionKind.Value, range));
  }
  if (spec.kind === 'number' && spec.default !== undefined) items.push(literal(String(spec.default), CompletionKind.Value, range, 'default'));
  items.push(...pathItems(spec, typed, pos, ctx));
  return items;
}

export function getCompletions(text: string, pos: Position, ctx: { path: string; fs?: FileProbe }): CompletionItem[] {
  try {
    const lines = text.split(/\r?\n/);
    const line = lines[pos.line] ?? '';
    const before = line.slice(0, pos.character);
    const keyMatch = /^(\s*)([\w.-]*)$/.exec(before);
    if (keyMatch) {
      const indent = (keyMatch[1] as string).length;
      const parent = parentPath(lines, pos.line, indent);
      if (!parent) return [];
      const wordEnd = pos.character + (/^[\w.-]*/.exec(line.slice(pos.character))?.[0].length ?? 0);
      const range: Range = { start: { line: pos.line, character: indent }, end: { line: pos.line, character: wordEnd } };
      const items = keyItems(parent, siblingKeys(lines, pos.line, indent), range, indent);
      // Renaming an existing key: keep its colon and value.
      if (/^\s*:/.test(line.slice(wordEnd))) return items.map((it) => ({ ...it, textEdit: { range, newText: it.label }, retrigger: false }));
      return items;
    }
    const valueMatch = /^(\s*)([\w.-]+)\s*:\s*(["']?)([^"'#]*)$/.exec(before);
    if (!valueMatch) return [];
    const indent = (valueMatch[1] as string).length;
    const parent = parentPath(lines, pos.line, indent);
    if (!parent) return [];
    const typed = valueMatch[4] as string;
    const range: Range = { start: { line: pos.line, character: pos.character - typed.length }, end: pos };
    return valueItems([...parent, valueMatch[2] as string], typed, range, pos, ctx);
  } catch {
    return [];
  }
}

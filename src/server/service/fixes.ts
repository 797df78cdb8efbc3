// Quick-fix edits computed at validation time: rename a key, replace a value, insert a missing key
// (with its example or default value, and the required keys below it) at the right indentation.
import * as path from 'node:path';
import { isMap } from 'yaml';
import type { FieldSpec } from '../../common/schema';
import { mapAt, positionAt, rangeAt, type ParsedConfig } from './document';
import type { Fix, Range } from './types';

export function replaceFix(title: string, range: Range, newText: string): Fix {
  return { title, edits: [{ range, newText }] };
}

function scalarText(v: string | number | boolean): string {
  if (typeof v !== 'string') return String(v);
  return /^[\w./-]+$/.test(v) && !/^(true|false|null|~|[-+.\d])/i.test(v) ? v : JSON.stringify(v);
}

/** The value a quick fix writes for a missing key: its example, its default, or required children. */
function exampleLines(key: string, spec: FieldSpec, indent: string, configPath: string): string[] {
  if (spec.kind === 'object') {
    const kids = Object.entries(spec.fields).filter(([, s]) => s.required);
    return [`${indent}${key}:`, ...kids.flatMap(([k, s]) => exampleLines(k, s, indent + '  ', configPath))];
  }
  let v: string | number | boolean | undefined = spec.example ?? spec.default;
  if (key === 'name' && indent === '') {
    const stem = path.basename(configPath).replace(/\.orpo\.ya?ml$|\.ya?ml$/i, '');
    if (/^[\w.-]+$/.test(stem)) v = stem;
  }
  if (v === undefined && spec.kind === 'union') {
    const first = spec.variants[0];
    if (first) return exampleLines(key, first, indent, configPath);
  }
  if (v === undefined && spec.kind === 'string' && spec.enum) v = spec.enum[0];
  return [`${indent}${key}: ${v === undefined ? '' : scalarText(v)}`.trimEnd()];
}

/** A fix that adds `key` to the mapping at `parent` ([] = the document root); undefined if unsafe. */
export function insertKeyFix(p: ParsedConfig, parent: readonly string[], key: string, spec: FieldSpec, configPath: string): Fix | undefined {
  const map = mapAt(p, parent);
  const title = `Add "${[...parent, key].join('.')}"`;
  if (!map) {
    // Only an empty document root can take a first key safely.
    if (parent.length > 0 || (p.doc?.contents ?? null) !== null) return undefined;
    const at = rangeAt(p, p.text.length, p.text.length);
    const sep = p.text === '' || p.text.endsWith('\n') ? '' : '\n';
    return { title, edits: [{ range: at, newText: sep + exampleLines(key, spec, '', configPath).join('\n') + '\n' }] };
  }
  if (map.flow || !isMap(map)) return undefined;
  if (parent.length === 0 && spec.kind === 'object') {
    // A new top-level block goes at the end of the file.
    const at = rangeAt(p, p.text.length, p.text.length);
    const sep = p.text.endsWith('\n') ? '' : '\n';
    return { title, edits: [{ range: at, newText: sep + exampleLines(key, spec, '', configPath).join('\n') + '\n' }] };
  }
  const first = map.items[0];
  const firstKeyStart = (first?.key as { range?: [number, number, number] } | null)?.range?.[0];
  if (firstKeyStart === undefined) return undefined;
  const pos = positionAt(p.lines, p.text, firstKeyStart);
  const indent = ' '.repeat(pos.character);
  const lineStart = { line: pos.line, character: 0 };
  return { title, edits: [{ range: { start: lineStart, end: lineStart }, newText: exampleLines(key, spec, indent, configPath).join('\n') + '\n' }] };
}

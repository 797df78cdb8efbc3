// Quick-fix edits computed at validation time: rename a key, replace a value, insert a missing key
// (with its example or default value, and the required keys below it) at the right indentation, set
// a key to a value (replace or insert), remove a key's line, and a command fix that lets the client
// pick a file (the extension's `orpoLab.pickFile`).
import * as path from 'node:path';
import { isMap, isScalar } from 'yaml';
import { specAt, type FieldSpec, type NumberSpec } from '../../common/schema';
import { mapAt, pairAt, positionAt, rangeAt, valueRange, type ParsedConfig } from './document';
import type { Fix, Range } from './types';

/** The client command that asks for a file and writes its path, relative to the config, into a range. */
export const PICK_FILE_COMMAND = 'orpoLab.pickFile';

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

/** Sets the scalar at `keyPath` to `value`: replaces it when written, else inserts the key. */
export function setValueFix(p: ParsedConfig, keyPath: readonly string[], value: number | boolean | string, title: string, configPath: string): Fix | undefined {
  const pair = pairAt(p.doc?.contents, keyPath);
  if (pair) return isScalar(pair.value) ? replaceFix(title, valueRange(p, keyPath), scalarText(value)) : undefined;
  const spec = specAt(keyPath);
  if (!spec || spec.kind === 'object') return undefined;
  const fix = insertKeyFix(p, keyPath.slice(0, -1), keyPath[keyPath.length - 1] as string, { ...spec, example: value } as FieldSpec, configPath);
  return fix ? { ...fix, title } : undefined;
}

/** Removes the line of a block-style `key: scalar` pair (with its comment); undefined otherwise. */
export function removeKeyFix(p: ParsedConfig, keyPath: readonly string[], title: string): Fix | undefined {
  const pair = pairAt(p.doc?.contents, keyPath);
  const k = (pair?.key as { range?: [number, number, number] } | null)?.range;
  const v = (pair?.value as { range?: [number, number, number] } | null)?.range;
  if (!pair || !k || !v || !isScalar(pair.value)) return undefined;
  const lineStart = p.text.lastIndexOf('\n', k[0] - 1) + 1;
  if (p.text.slice(lineStart, k[0]).trim() !== '') return undefined; // a flow mapping or `- key:`
  const nl = p.text.indexOf('\n', v[1]);
  const end = nl < 0 ? p.text.length : nl + 1;
  return { title, edits: [{ range: rangeAt(p, lineStart, end), newText: '' }] };
}

/** The nearest valid numbers to an out-of-range value: the bound it broke (when inclusive) and the default. */
export function rangeFixes(p: ParsedConfig, keyPath: readonly string[], spec: NumberSpec, v: unknown): Fix[] {
  if (typeof v !== 'number' || !Number.isFinite(v)) return [];
  const ok = (x: number) => (spec.min === undefined || x >= spec.min) && (spec.max === undefined || x <= spec.max)
    && (spec.exclusiveMin === undefined || x > spec.exclusiveMin) && (!spec.integer || Number.isInteger(x));
  const candidates: number[] = [];
  if (spec.min !== undefined && v < spec.min) candidates.push(spec.integer ? Math.ceil(spec.min) : spec.min);
  if (spec.max !== undefined && v > spec.max) candidates.push(spec.integer ? Math.floor(spec.max) : spec.max);
  if (spec.integer && !Number.isInteger(v)) candidates.push(Math.round(v));
  for (const d of [spec.default, spec.example]) if (typeof d === 'number') candidates.push(d);
  const seen = new Set<number>();
  return candidates.filter((x) => ok(x) && x !== v && !seen.has(x) && seen.add(x))
    .map((x) => replaceFix(`Change to ${x}${x === spec.default ? ' (the default)' : ''}`, valueRange(p, keyPath), String(x)));
}

/** A command fix: the client shows a file (or folder) picker and writes the relative path into `range`. */
export function pickFileFix(range: Range, kind: 'file' | 'dir', configPath: string): Fix {
  const title = kind === 'dir' ? 'Choose a folder…' : 'Choose a file…';
  return { title, edits: [], command: { title, command: PICK_FILE_COMMAND, arguments: [{ range, kind, configPath }] } };
}

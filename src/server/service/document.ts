// Safe parsing of an *.orpo.yaml document with the `yaml` package (https://eemeli.org/yaml/), keeping
// node ranges: YAML 1.2 core schema only (no custom or language tags), unique keys, and bounded alias
// expansion (`maxAliasCount`). Also the helpers that map a key path to its YAML node and offsets to
// LSP positions. Never throws: every failure becomes a diagnostic.
import { LineCounter, parseDocument, isAlias, isMap, isScalar, isPair, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ConfigDiagnostic, Position, Range } from './types';

/** Alias expansion budget (yaml counts each alias by the size of what it expands to). */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedConfig {
  text: string;
  doc: Document.Parsed | undefined;
  lines: LineCounter;
  /** The plain JS value (undefined when it could not be built). */
  value: unknown;
  /** YAML-level problems: syntax, duplicate keys, tags, alias bombs, nesting. */
  diagnostics: ConfigDiagnostic[];
  /** Our key path (dotted) → where its value was written under a TRL name (trlNames.ts). */
  moved?: ReadonlyMap<string, readonly string[]>;
}

/** Where the value of `path` was written: the TRL alias it came from, or `path` itself. */
function written(p: ParsedConfig, path: readonly string[]): readonly string[] {
  if (!p.moved) return path;
  for (let i = path.length; i > 0; i--) {
    const from = p.moved.get(path.slice(0, i).join('.'));
    if (from) return [...from, ...path.slice(i)];
  }
  return path;
}

export function positionAt(lc: LineCounter, text: string, offset: number): Position {
  const o = Math.max(0, Math.min(offset, text.length));
  const p = lc.linePos(o);
  return { line: p.line - 1, character: p.col - 1 };
}

export function offsetAt(lc: LineCounter, text: string, pos: Position): number {
  const starts = lc.lineStarts;
  if (pos.line < 0) return 0;
  if (pos.line >= starts.length) return text.length;
  const start = starts[pos.line] ?? 0;
  const next = starts[pos.line + 1] ?? text.length + 1;
  return Math.min(start + Math.max(0, pos.character), next - 1, text.length);
}

export function rangeAt(p: ParsedConfig, start: number, end: number): Range {
  return { start: positionAt(p.lines, p.text, start), end: positionAt(p.lines, p.text, Math.max(start, end)) };
}

function yamlDiagnostic(p: ParsedConfig, pos: [number, number], message: string, code: string): ConfigDiagnostic {
  return { range: rangeAt(p, pos[0], pos[1] > pos[0] ? pos[1] : pos[0] + 1), severity: 'error', message, code };
}

/** Limits that keep parsing fast and bounded; a real config is small and at most 3 levels deep. */
export const MAX_TEXT_LENGTH = 1 << 20;
export const MAX_NESTING = 64;

/** The first place where the text nests too deep (flow brackets or indentation), as an offset. */
function tooDeep(text: string): number | undefined {
  let depth = 0;
  let lineStart = 0;
  let indent = 0;
  let inIndent = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = i + 1;
      inIndent = true;
      indent = 0;
      continue;
    }
    if (inIndent) {
      if (c === 32 || c === 9) {
        if (++indent > MAX_NESTING * 4) return lineStart;
        continue;
      }
      inIndent = false;
    }
    if (c === 91 || c === 123) {
      if (++depth > MAX_NESTING) return i;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return undefined;
}

export function parseConfig(text: string): ParsedConfig {
  const lines = new LineCounter();
  const p: ParsedConfig = { text, doc: undefined, lines, value: undefined, diagnostics: [] };
  const refuse = (offset: number, message: string): ParsedConfig => {
    // Line starts are needed for positions even though the YAML parser never ran.
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    p.diagnostics.push({ ...yamlDiagnostic(p, [offset, offset + 1], message, 'yaml-limit') });
    return p;
  };
  if (text.length > MAX_TEXT_LENGTH) return refuse(0, `this file is ${(text.length / 1048576).toFixed(1)} MB: an ORPO config must be under 1 MB`);
  const deep = tooDeep(text);
  if (deep !== undefined) return refuse(deep, `YAML nested deeper than ${MAX_NESTING} levels here: an ORPO config is at most 3 levels deep, so this file is not parsed`);
  try {
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, schema: 'core', resolveKnownTags: false, customTags: [], logLevel: 'error' });
    p.doc = doc;
    for (const e of doc.errors) {
      const code = e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
      if (e.code === 'DUPLICATE_KEY') {
        // yaml points at the key's first character: cover the whole key.
        const key = /^("[^"\n]*"|'[^'\n]*'|[^:#\n]*?)(?=\s*:)/.exec(text.slice(e.pos[0], e.pos[0] + 200));
        if (key?.[0]) e.pos[1] = e.pos[0] + key[0].length;
      }
      const msg = e.code === 'DUPLICATE_KEY' ? `duplicate key "${text.slice(e.pos[0], e.pos[1]) || '?'}": each key may appear once` : `YAML syntax error: ${e.message}`;
      p.diagnostics.push(yamlDiagnostic(p, e.pos, msg, code));
    }
    for (const w of doc.warnings) {
      if (w.code === 'TAG_RESOLVE_FAILED') {
        p.diagnostics.push(yamlDiagnostic(p, w.pos, `tag ${text.slice(w.pos[0], w.pos[1])} is not allowed: an ORPO config uses plain YAML values only`, 'yaml-tag'));
      } else {
        p.diagnostics.push({ ...yamlDiagnostic(p, w.pos, `YAML: ${w.message}`, 'yaml-syntax'), severity: 'warning' });
      }
    }
  } catch (e) {
    // Only a pathological input (e.g. nesting deeper than the call stack) gets here.
    p.diagnostics.push({ range: rangeAt(p, 0, 0), severity: 'error', message: `cannot parse this file as YAML: ${e instanceof Error ? e.message : String(e)}`, code: 'yaml-syntax' });
    return p;
  }
  try {
    p.value = p.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const isBomb = e instanceof ReferenceError || /alias/i.test(String(e));
    const at = firstAlias(p.doc.contents);
    p.diagnostics.push({
      range: at?.range ? rangeAt(p, at.range[0], at.range[1]) : rangeAt(p, 0, 0),
      severity: 'error',
      message: isBomb ? `YAML aliases expand to too much data (limit ${MAX_ALIAS_COUNT}): refusing a possible alias bomb` : `cannot read this YAML: ${e instanceof Error ? e.message : String(e)}`,
      code: isBomb ? 'yaml-alias' : 'yaml-syntax',
    });
  }
  return p;
}

function firstAlias(node: unknown, depth = 0): Node | undefined {
  if (depth > 200 || !node) return undefined;
  if (isAlias(node)) return node;
  if (isMap(node)) {
    for (const it of node.items) {
      const found = firstAlias(it.value, depth + 1);
      if (found) return found;
    }
  } else if (node && typeof node === 'object' && 'items' in node && Array.isArray((node as { items: unknown[] }).items)) {
    for (const it of (node as { items: unknown[] }).items) {
      const found = firstAlias(isPair(it) ? it.value : it, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

export function keyName(pair: Pair): string | undefined {
  if (isScalar(pair.key)) return String(pair.key.value);
  return undefined;
}

/** The pair at a key path (aliases are not followed). */
export function pairAt(root: unknown, path: readonly string[]): Pair | undefined {
  let node: unknown = root;
  let pair: Pair | undefined;
  for (const seg of path) {
    if (!isMap(node)) return undefined;
    pair = (node as YAMLMap).items.find((it) => keyName(it) === seg);
    if (!pair) return undefined;
    node = pair.value;
  }
  return pair;
}

/** The map node at a key path ([] = the root), when it is a mapping. */
export function mapAt(p: ParsedConfig, path: readonly string[]): YAMLMap | undefined {
  const node = path.length === 0 ? p.doc?.contents : pairAt(p.doc?.contents, path)?.value;
  return isMap(node) ? node : undefined;
}

function nodeRange(n: unknown): [number, number] | undefined {
  const r = (n as { range?: [number, number, number] } | null)?.range;
  return r ? [r[0], r[1]] : undefined;
}

/** The range of the key at `path`; for [] the first line of the document. */
export function keyRange(p: ParsedConfig, at: readonly string[]): Range {
  const path = written(p, at);
  const pair = path.length ? pairAt(p.doc?.contents, path) : undefined;
  const r = pair ? nodeRange(pair.key) : undefined;
  if (r) return rangeAt(p, r[0], r[1]);
  if (path.length > 1) return keyRange(p, path.slice(0, -1));
  const firstLineEnd = p.text.indexOf('\n');
  return rangeAt(p, 0, firstLineEnd < 0 ? p.text.length : firstLineEnd);
}

/** The range of the value at `path`, or of its key when the value is empty; the closest ancestor otherwise. */
export function valueRange(p: ParsedConfig, at: readonly string[]): Range {
  const path = written(p, at);
  if (path.length === 0) {
    const r = nodeRange(p.doc?.contents);
    return r && r[1] > r[0] ? rangeAt(p, r[0], r[1]) : keyRange(p, []);
  }
  const pair = pairAt(p.doc?.contents, path);
  const r = pair ? nodeRange(pair.value) : undefined;
  if (r && r[1] > r[0]) return rangeAt(p, r[0], r[1]);
  return keyRange(p, path);
}

/** The key path and part (key or value) of the scalar at an offset, when there is one. */
export function locate(p: ParsedConfig, offset: number): { path: string[]; part: 'key' | 'value'; range: [number, number] } | undefined {
  const walk = (node: unknown, prefix: string[], depth: number): ReturnType<typeof locate> => {
    if (depth > 64 || !isMap(node)) return undefined;
    for (const pair of node.items) {
      const name = keyName(pair);
      if (name === undefined) continue;
      const kr = nodeRange(pair.key);
      if (kr && offset >= kr[0] && offset <= kr[1]) return { path: [...prefix, name], part: 'key', range: kr };
      const vr = nodeRange(pair.value);
      if (vr && offset >= vr[0] && offset <= vr[1]) {
        if (isMap(pair.value)) return walk(pair.value, [...prefix, name], depth + 1);
        if (isScalar(pair.value) || isAlias(pair.value)) return { path: [...prefix, name], part: 'value', range: vr };
      }
    }
    return undefined;
  };
  return walk(p.doc?.contents, [], 0);
}

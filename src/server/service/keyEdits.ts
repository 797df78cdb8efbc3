// Edits that remove, rename or move a key of a config, for quick fixes (trlNames.ts, peftNames.ts): the
// whole lines of a pair, a key renamed in place, or its value moved under another mapping.
import { isMap } from 'yaml';
import { keyRange, mapAt, pairAt, positionAt, rangeAt, type ParsedConfig } from './document';
import type { ConfigDiagnostic, Fix, Range, TextEdit } from './types';

const dotted = (path: readonly string[]) => path.join('.');

/** The whole lines holding the pair at `path` (key through value), as a range to delete. */
export function pairLines(p: ParsedConfig, path: readonly string[]): Range | undefined {
  const pair = pairAt(p.doc?.contents, path);
  const k = (pair?.key as { range?: [number, number, number] } | null)?.range;
  const v = (pair?.value as { range?: [number, number, number] } | null)?.range;
  if (!k) return undefined;
  const start = p.text.lastIndexOf('\n', k[0] - 1) + 1;
  const nl = p.text.indexOf('\n', v ? Math.max(v[1] - 1, k[1]) : k[1]);
  return rangeAt(p, start, nl < 0 ? p.text.length : nl + 1);
}

/** The source text of the value at `path`. */
function valueText(p: ParsedConfig, path: readonly string[]): string | undefined {
  const r = (pairAt(p.doc?.contents, path)?.value as { range?: [number, number, number] } | null)?.range;
  return r ? p.text.slice(r[0], r[1]).trim() : undefined;
}

/** Edits that write `leaf: text` into the mapping at `parent` (created at the end when absent). */
function insertEdits(p: ParsedConfig, parent: readonly string[], leaf: string, text: string): TextEdit[] | undefined {
  const map = mapAt(p, parent);
  if (map) {
    if (map.flow || !isMap(map)) return undefined;
    const first = (map.items[0]?.key as { range?: [number, number, number] } | null)?.range;
    if (!first) return undefined;
    const pos = positionAt(p.lines, p.text, first[0]);
    const at = { line: pos.line, character: 0 };
    return [{ range: { start: at, end: at }, newText: `${' '.repeat(pos.character)}${leaf}: ${text}\n` }];
  }
  if (parent.length !== 1 || pairAt(p.doc?.contents, parent)) return undefined;
  const end = rangeAt(p, p.text.length, p.text.length);
  const sep = p.text === '' || p.text.endsWith('\n') ? '' : '\n';
  return [{ range: end, newText: `${sep}${parent[0] as string}:\n  ${leaf}: ${text}\n` }];
}

/** A fix that renames the key at `from` to our key `to` (same mapping), or moves it there. */
export function renameFix(p: ParsedConfig, from: readonly string[], to: readonly string[]): Fix | undefined {
  const title = `Rename to "${dotted(to)}"`;
  const leaf = to[to.length - 1] as string;
  if (dotted(from.slice(0, -1)) === dotted(to.slice(0, -1))) return { title, edits: [{ range: keyRange(p, from), newText: leaf }] };
  const del = pairLines(p, from);
  const text = valueText(p, from);
  const ins = text === undefined ? undefined : insertEdits(p, to.slice(0, -1), leaf, text);
  return del && ins ? { title, edits: [{ range: del, newText: '' }, ...ins] } : undefined;
}

export const withFixes = (d: ConfigDiagnostic, fixes: (Fix | undefined)[]): ConfigDiagnostic => {
  const fs = fixes.filter((f): f is Fix => !!f);
  return fs.length ? { ...d, data: { fixes: fs } } : d;
};

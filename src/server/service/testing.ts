// Test helpers for the service tests: a cursor marker in inline YAML, the text under a range, and
// applying text edits, and the seeded config mutations of the fuzz test. Used only by *.test.ts files.
import type { Position, Range, TextEdit } from './types';

export const CURSOR = '<|>';

/** Removes the `<|>` marker and returns the text with the marker's position. */
export function withCursor(marked: string): { text: string; pos: Position } {
  const i = marked.indexOf(CURSOR);
  if (i < 0) throw new Error('no <|> cursor marker in the test text');
  const before = marked.slice(0, i).split('\n');
  return { text: marked.slice(0, i) + marked.slice(i + CURSOR.length), pos: { line: before.length - 1, character: (before[before.length - 1] ?? '').length } };
}

function offset(text: string, p: Position): number {
  const lines = text.split('\n');
  let o = 0;
  for (let i = 0; i < p.line; i++) o += (lines[i] ?? '').length + 1;
  return o + p.character;
}

export function textAt(text: string, r: Range): string {
  return text.slice(offset(text, r.start), offset(text, r.end));
}

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offset(text, b.range.start) - offset(text, a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(out, e.range.start)) + e.newText + out.slice(offset(out, e.range.end));
  return out;
}

/** mulberry32: a small seeded PRNG, so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SNIPPETS = [': ', '\n', '  ', '- ', '{', '}', '[', ']', '&a ', '*a', '!!str ', '!tag ', '? ', '|\n', '>-\n', '"', "'", '#', '---\n', '...\n', '%YAML 1.2\n', '<<: *a\n', 'null', '~', '\u0000', '\uFEFF', '\u2028', 'é', '😀', '\\', '\r\n'];
const VALUES = ['1e308', '-1e400', '99999999999999999999999', '0x1F', '0o17', '.inf', '-.inf', '.nan', '[]', '{}', '[1, 2]', '{a: 1}', 'true', 'null', '""', "'x'", '-0', '3.0e-4', 'yes', '2001-12-14', '~', '*nope', '&anchor 5'];

export function mutate(src: string, r: () => number, i: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const at = Math.floor(r() * (src.length + 1));
  const lines = src.split('\n');
  switch (i % 12) {
    case 0: { // delete a span
      const len = Math.floor(r() * 40) + 1;
      return src.slice(0, at) + src.slice(at + len);
    }
    case 1: // insert YAML punctuation
      return src.slice(0, at) + pick(SNIPPETS) + src.slice(at);
    case 2: { // swap a value's type
      const li = Math.floor(r() * lines.length);
      lines[li] = (lines[li] ?? '').replace(/:\s.*$/, `: ${pick(VALUES)}`);
      return lines.join('\n');
    }
    case 3: { // garbage bytes, decoded as UTF-8 (invalid sequences become U+FFFD)
      const bytes = Buffer.from(Array.from({ length: Math.floor(r() * 64) + 1 }, () => Math.floor(r() * 256)));
      return src.slice(0, at) + bytes.toString('utf8') + src.slice(at);
    }
    case 4: // invalid UTF-8 inside a value
      return src.replace(/name: \S+/, `name: ${Buffer.from([0x68, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]).toString('utf8')}`);
    case 5: { // deep nesting: flow, or block mappings
      const n = 50 + Math.floor(r() * 5000);
      if (r() < 0.5) return src + `deep: ${'['.repeat(n)}${']'.repeat(r() < 0.5 ? n : 0)}\n`;
      const m = Math.min(n, 400);
      return src + Array.from({ length: m }, (_, k) => `${' '.repeat(k)}k${k}:`).join('\n') + ' 1\n';
    }
    case 6: { // huge numbers
      const li = Math.floor(r() * lines.length);
      lines[li] = (lines[li] ?? '').replace(/:\s.*$/, `: ${r() < 0.5 ? '9'.repeat(1 + Math.floor(r() * 400)) : `1e${Math.floor(r() * 2000) - 1000}`}`);
      return lines.join('\n');
    }
    case 7: // tabs
      return r() < 0.5 ? src.replace(/^ {2}/gm, '\t') : src.slice(0, at) + '\t' + src.slice(at);
    case 8: { // anchor/alias bombs
      const width = 2 + Math.floor(r() * 9);
      const depth = 2 + Math.floor(r() * 8);
      const row = (ref: string) => `[${Array.from({ length: width }, () => ref).join(', ')}]`;
      const bomb = [`l0: &l0 ${row('lol')}`, ...Array.from({ length: depth }, (_, k) => `l${k + 1}: &l${k + 1} ${row(`*l${k}`)}`)].join('\n');
      return src + '\n' + bomb + '\n';
    }
    case 9: { // duplicate or drop lines
      const li = Math.floor(r() * lines.length);
      if (r() < 0.5) lines.splice(li, 0, lines[li] ?? '');
      else lines.splice(li, 1);
      return lines.join('\n');
    }
    case 10: { // several random mutations in a row
      let s = src;
      for (let k = 0; k < 4; k++) s = mutate(s, r, Math.floor(r() * 10));
      return s;
    }
    default: // pure garbage
      return Buffer.from(Array.from({ length: Math.floor(r() * 2000) }, () => Math.floor(r() * 256))).toString(r() < 0.5 ? 'utf8' : 'latin1');
  }
}

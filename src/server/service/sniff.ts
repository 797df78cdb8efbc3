// A small dataset sniffer for the language server: reads at most the first 50 rows of a preference-pair
// file (.jsonl or a .json array, optionally gzip-compressed, from a bounded prefix; .parquet from its
// footer and first row group, parquet.ts), detects its format
// and finds the first bad row with its file line. The formats are issue 2's (TRL's explicit, implicit and
// conversational preference datasets, LLaMA-Factory's sharegpt); the engine's own reader lives in
// src/engine/data and is deliberately not imported here (the server never imports engine code). Format
// detection is the engine's too: src/common/pairFormats.ts.
import { roleProblem } from '../../common/roles';
import * as zlib from 'node:zlib';
import * as path from 'node:path';
import { DETECT_HINT, detectFormat, type PairFormat } from '../../common/pairFormats';
import { pairByteLength } from '../../common/pairText';
import type { FileProbe } from './fileProbe';
import { parquetHead, parquetStats } from './parquet';

export { detectFormat, type PairFormat } from '../../common/pairFormats';
export const SNIFF_ROWS = 50;
const HEAD_BYTES = 1 << 20; // compressed or plain bytes read for sniffing
const MAX_TEXT = 32 << 20; // decompressed bytes accepted
const COUNT_MAX_BYTES = 64 << 20; // files above this are not counted (hover only)

export interface RowProblem { line: number; row: number; message: string }
export interface SniffResult {
  /** The detected (or configured) format; undefined when no row could be read. */
  format?: PairFormat;
  rows: number;
  problem?: RowProblem;
  /** The file cannot be read as a dataset at all. */
  fatal?: string;
}

type Row = Record<string, unknown>;
const isRow = (v: unknown): v is Row => !!v && typeof v === 'object' && !Array.isArray(v);

function checkMessages(v: unknown, field: string, keys: [string, string]): string | undefined {
  if (!Array.isArray(v)) return `"${field}" must be a list of {${keys[0]}, ${keys[1]}} messages`;
  for (const [i, m] of v.entries()) {
    if (!isRow(m) || typeof m[keys[0]] !== 'string' || typeof m[keys[1]] !== 'string') return `"${field}"[${i}] must be {${keys[0]}: string, ${keys[1]}: string}`;
    const bad = keys[0] === 'role' ? roleProblem(m.role as string) : undefined;
    if (bad) return `"${field}"[${i}].role: ${bad}`;
  }
  return undefined;
}

function checkMessage(v: unknown, field: string): string | undefined {
  if (!isRow(v) || typeof v.from !== 'string' || typeof v.value !== 'string') return `"${field}" must be {from: string, value: string}`;
  return undefined;
}

function responseText(v: unknown, format: PairFormat): string {
  if (format === 'conversational') return Array.isArray(v) ? v.map((m) => (isRow(m) ? String(m.content) : '')).join('') : '';
  if (format === 'sharegpt') return isRow(v) ? String(v.value) : '';
  return typeof v === 'string' ? v : '';
}

/** The problem with one row in a given format, or undefined when it is a valid pair. */
export function checkRow(row: unknown, format: PairFormat): string | undefined {
  if (!isRow(row)) return `a row must be a JSON object, got ${Array.isArray(row) ? 'an array' : row === null ? 'null' : typeof row}`;
  const need = format === 'explicit' ? ['prompt', 'chosen', 'rejected'] : format === 'implicit' ? ['chosen', 'rejected'] : format === 'conversational' ? ['chosen', 'rejected'] : ['conversations', 'chosen', 'rejected'];
  for (const f of need) if (!(f in row)) return `missing field "${f}" (format ${format})`;
  let bad: string | undefined;
  switch (format) {
    case 'explicit':
    case 'implicit':
      for (const f of need) if (typeof row[f] !== 'string') return `field "${f}" must be a string, got ${Array.isArray(row[f]) ? 'a list' : row[f] === null ? 'null' : typeof row[f]} (format ${format})`;
      break;
    case 'conversational':
      // Without `prompt`, TRL takes the shared leading messages of chosen and rejected as the prompt.
      bad = (row.prompt === undefined ? undefined : checkMessages(row.prompt, 'prompt', ['role', 'content'])) ?? checkMessages(row.chosen, 'chosen', ['role', 'content']) ?? checkMessages(row.rejected, 'rejected', ['role', 'content']);
      break;
    case 'sharegpt':
      bad = checkMessages(row.conversations, 'conversations', ['from', 'value']) ?? checkMessage(row.chosen, 'chosen') ?? checkMessage(row.rejected, 'rejected');
      break;
  }
  if (bad) return `${bad} (format ${format})`;
  for (const f of ['chosen', 'rejected']) if (responseText(row[f], format).trim() === '') return `empty response in "${f}"`;
  if (JSON.stringify(row.chosen) === JSON.stringify(row.rejected)) return '"chosen" is identical to "rejected"';
  return undefined;
}

/** Splits the start of a JSON array into its elements' source text, with their 1-based lines. */
function* arrayElements(text: string, complete: boolean): Generator<{ src: string; line: number } | { error: string; line: number }> {
  let i = 0;
  let line = 1;
  const skipWs = () => {
    while (i < text.length && /\s/.test(text[i] as string)) if (text[i++] === '\n') line++;
  };
  skipWs();
  if (i < text.length && text[i] !== '[') return yield { error: 'a .json dataset must be an array of rows', line };
  i++;
  for (;;) {
    skipWs();
    if (i >= text.length) return complete ? yield { error: 'the JSON array is not closed', line } : undefined;
    if (text[i] === ']') return;
    const start = i;
    const startLine = line;
    let depth = 0;
    let inStr = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') line++;
      if (inStr) {
        if (c === '\\') i++;
        else if (c === '"') inStr = false;
      } else if (c === '"') inStr = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) break;
    }
    if (i >= text.length && !complete) return;
    yield { src: text.slice(start, i), line: startLine };
    if (text[i] === ',') i++;
  }
}

/** Sniffs dataset text (a prefix when `complete` is false). `format` is the configured one, or 'auto'. */
export function sniffText(text: string, kind: 'jsonl' | 'json', format: PairFormat | 'auto', complete: boolean): SniffResult {
  const res: SniffResult = { rows: 0 };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 BOM, which the engine's reader skips too
  if (text.trim() === '') return { rows: 0, fatal: 'the dataset is empty' };
  const visit = visitor(res, format);
  if (kind === 'jsonl') {
    const lines = text.split('\n');
    if (!complete) lines.pop(); // possibly cut mid-row
    for (const [i, l] of lines.entries()) {
      if (l.trim() === '') continue;
      if (!visit(() => JSON.parse(l), i + 1) || res.rows >= SNIFF_ROWS) break;
    }
  } else {
    for (const el of arrayElements(text, complete)) {
      if ('error' in el) return { ...res, fatal: `${el.error} (line ${el.line})` };
      if (!visit(() => JSON.parse(el.src), el.line) || res.rows >= SNIFF_ROWS) break;
    }
  }
  if (res.rows === 0 && !res.problem) res.fatal = 'the dataset has no rows';
  return res;
}

/** Checks rows into `res` one at a time (detecting the format on the first); false once one is bad. `line` 0: a Parquet row. */
function visitor(res: SniffResult, format: PairFormat | 'auto'): (parse: () => unknown, line: number) => boolean {
  return (parse, line) => {
    res.rows++;
    let row: unknown;
    try {
      row = parse();
    } catch (e) {
      res.problem = { line, row: res.rows, message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
      return false;
    }
    if (!res.format) {
      const f = format === 'auto' ? detectFormat(row) : format;
      if (!f) {
        res.problem = { line, row: res.rows, message: `cannot detect the format: the row has keys ${isRow(row) ? Object.keys(row).map((k) => `"${k}"`).join(', ') || 'none' : 'none'}; ${DETECT_HINT}` };
        return false;
      }
      res.format = f;
    }
    const bad = checkRow(row, res.format);
    if (bad) res.problem = { line, row: res.rows, message: bad };
    return !bad;
  };
}

function fileKind(file: string): 'jsonl' | 'json' | 'parquet' | undefined {
  if (file.toLowerCase().endsWith('.parquet')) return 'parquet';
  const base = file.toLowerCase().replace(/\.gz$/, '');
  return base.endsWith('.jsonl') ? 'jsonl' : base.endsWith('.json') ? 'json' : undefined;
}

/** The first rows of a Parquet file, checked as the text formats' rows are (Parquet has no lines: line 0). */
function sniffParquet(fs: FileProbe, file: string, format: PairFormat | 'auto'): SniffResult {
  const head = parquetHead(fs, file, SNIFF_ROWS, MAX_TEXT);
  if ('fatal' in head) return { rows: 0, fatal: head.fatal };
  const rows = head.rows;
  const res: SniffResult = { rows: 0 };
  const visit = visitor(res, format);
  for (const row of rows) if (!visit(() => row, 0)) break;
  return res;
}

/** Decompresses (when gzip) a prefix; `complete` tells whether it is the whole file. */
function decode(bytes: Uint8Array, wholeFile: boolean): { text: string; complete: boolean } | { error: string } {
  const gz = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (!gz) return { text: Buffer.from(bytes).toString('utf8'), complete: wholeFile };
  try {
    const out = zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: MAX_TEXT });
    return { text: out.toString('utf8'), complete: wholeFile };
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return { error: 'it decompresses to more than 32 MB within its first 1 MB' };
    return { error: `it is not valid gzip: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Sniffs the first rows of a dataset file (cached by the probe). */
export function sniffFile(fs: FileProbe, file: string, format: PairFormat | 'auto'): SniffResult {
  return fs.memo(`sniff:${format}`, file, () => {
    const kind = fileKind(file);
    if (!kind) return { rows: 0, fatal: `${path.basename(file)}: a dataset must be .jsonl or .json, optionally .gz, or .parquet` };
    if (kind === 'parquet') return sniffParquet(fs, file, format);
    const size = fs.stat(file).size;
    const head = fs.readHead(file, HEAD_BYTES);
    if (!head) return { rows: 0, fatal: `cannot read ${file}` };
    const d = decode(head, head.length >= size);
    if ('error' in d) return { rows: 0, fatal: `cannot read ${path.basename(file)}: ${d.error}` };
    return sniffText(d.text, kind, format, d.complete);
  });
}

/** What a whole-file pass finds: the pair count and, per explicit/implicit row, its byte lengths. */
export interface DatasetStats {
  pairs: number;
  /** Byte-tokenizer lengths (src/common/pairText.ts) of the rows that have them, in file order. */
  prompt: number[];
  total: number[];
}

/** Reads a whole file (non-empty lines, or array elements) once; undefined above 64 MB or unreadable. */
export function datasetStats(fs: FileProbe, file: string): DatasetStats | undefined {
  return fs.memo('stats', file, () => {
    const kind = fileKind(file);
    const size = fs.stat(file).size;
    if (kind === 'parquet') return parquetStats(fs, file, size <= COUNT_MAX_BYTES);
    if (!kind || size > COUNT_MAX_BYTES) return undefined;
    const bytes = fs.readHead(file, size);
    if (!bytes) return undefined;
    const gz = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
    let text: string;
    try {
      text = gz ? zlib.gunzipSync(bytes, { maxOutputLength: 8 * COUNT_MAX_BYTES }).toString('utf8') : Buffer.from(bytes).toString('utf8');
    } catch {
      return undefined;
    }
    const stats: DatasetStats = { pairs: 0, prompt: [], total: [] };
    const visit = (src: string) => {
      stats.pairs++;
      let len;
      try {
        len = pairByteLength(JSON.parse(src));
      } catch {
        return; // a bad row: reported by the sniff when it is among the first rows, by the engine otherwise
      }
      if (len) {
        stats.prompt.push(len.prompt);
        stats.total.push(len.total);
      }
    };
    if (kind === 'jsonl') {
      for (const l of text.split('\n')) if (l.trim() !== '') visit(l);
    } else {
      for (const el of arrayElements(text, true)) {
        if ('error' in el) return undefined;
        visit(el.src);
      }
    }
    return stats;
  });
}

/** Counts the pairs of a whole file (non-empty lines, or array elements); undefined above 64 MB. */
export function countPairs(fs: FileProbe, file: string): number | undefined {
  return datasetStats(fs, file)?.pairs;
}

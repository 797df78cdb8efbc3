// Streaming readers for preference data files: JSON Lines (.jsonl) and a top-level JSON array (.json),
// each optionally gzip-compressed (.gz), and Parquet (.parquet, parquet.ts). Issue 2 ("Files and rows"): never hold two copies of a file
// in memory. A .jsonl file is split line by line; a .json array is split element by element by a small
// scanner that tracks strings, escapes and bracket depth (RFC 8259 grammar), so only the current row's
// text is ever held, and each element is JSON.parse'd on its own.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { DataError } from './errors';
import { parquetRows } from './parquet';

/** One row read from a file. `error` is set (and `value` undefined) when the row is not valid JSON. */
export interface RawRow {
  value: unknown | undefined;
  /** 1-based line where the row starts. */
  line: number;
  /** 0-based row number: the array index in a .json file, the non-blank line count in .jsonl. */
  index: number;
  /** 1-based row number in a .parquet file (which has no lines; `line` is then 0). */
  row?: number;
  error?: string;
  /** The row's text holds U+FFFD: bytes that were not valid UTF-8 were replaced when decoding. */
  badUtf8?: true;
}

export type FileKind = 'jsonl' | 'json' | 'parquet';

/** The container kind and compression of a data file, from its name; undefined when unsupported. */
export function fileKind(path: string): { kind: FileKind; gzip: boolean } | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.parquet')) return { kind: 'parquet', gzip: false }; // compressed inside, per column
  const gzip = lower.endsWith('.gz');
  const base = gzip ? lower.slice(0, -3) : lower;
  if (base.endsWith('.jsonl')) return { kind: 'jsonl', gzip };
  if (base.endsWith('.json')) return { kind: 'json', gzip };
  return undefined;
}

/**
 * Reads every row of a .jsonl / .json file (optionally .gz) or a .parquet file as a stream.
 * @param path  the file to open
 * @param label the name used in error messages (defaults to path)
 * Throws DataError for problems with the file as a whole (unreadable, not gzip, not an array).
 */
export async function* readRows(path: string, label: string = path): AsyncGenerator<RawRow> {
  const kind = fileKind(path);
  if (!kind) throw new DataError(label, 0, '', 'expected a .jsonl or .json file, optionally .gz, or a .parquet file');
  if (kind.kind === 'parquet') return yield* parquetRows(path, label);
  const file = createReadStream(path);
  let stream: Readable = file;
  if (kind.gzip) {
    const gunzip = createGunzip();
    file.on('error', (e) => gunzip.destroy(e));
    stream = file.pipe(gunzip);
  }
  stream.setEncoding('utf8');
  const chunks = guard(stream as AsyncIterable<string>, label);
  try {
    if (kind.kind === 'jsonl') yield* jsonlRows(chunks);
    else yield* jsonArrayRows(chunks, label);
  } finally {
    file.destroy();
    stream.destroy();
  }
}

/** Re-throws stream failures (missing file, corrupt gzip) as file-level DataErrors. */
async function* guard(chunks: AsyncIterable<string>, label: string): AsyncGenerator<string> {
  try {
    for await (const c of chunks) yield c;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const what =
      err.code === 'ENOENT' ? 'file not found'
      : err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR' ? `not a valid gzip file (${err.message})`
      : err.message;
    throw new DataError(label, 0, '', `cannot read: ${what}`);
  }
}

function parseRow(text: string, line: number, index: number, what: string): RawRow {
  const bad = text.includes('\ufffd') ? { badUtf8: true as const } : {};
  try {
    return { value: JSON.parse(text) as unknown, line, index, ...bad };
  } catch (e) {
    return { value: undefined, line, index, error: `invalid JSON: ${(e as Error).message}; expected ${what}`, ...bad };
  }
}

/** Splits text chunks into lines (\n or \r\n), holding at most one partial line between chunks. */
export async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  let first = true;
  for await (let chunk of chunks) {
    if (first && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const piece = rest + chunk.slice(start, nl);
      rest = '';
      yield piece.endsWith('\r') ? piece.slice(0, -1) : piece;
      start = nl + 1;
    }
    rest += chunk.slice(start);
  }
  if (rest.length > 0) yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

/** JSON Lines: one value per non-blank line. */
export async function* jsonlRows(chunks: AsyncIterable<string>): AsyncGenerator<RawRow> {
  let line = 0;
  let index = 0;
  for await (const text of splitLines(chunks)) {
    line++;
    if (text.trim() === '') continue;
    yield parseRow(text, line, index++, 'one JSON object per line');
  }
}

const enum S {
  Start,
  SeekFirst,
  Seek,
  InElem,
  Done,
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * A top-level JSON array, element by element. Only the current element's text is held. Elements that
 * are not valid JSON become rows with `error`; a file that is not an array (or is cut short) throws.
 */
export async function* jsonArrayRows(chunks: AsyncIterable<string>, label: string): AsyncGenerator<RawRow> {
  let state = S.Start as S;
  let line = 1;
  let index = 0;
  let openLine = 1; // line of the '['
  let elemLine = 0;
  let depth = 0;
  let inString = false;
  let escape = false;
  let parts: string[] = [];
  let first = true;

  for await (const chunk of chunks) {
    let segStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (state === S.InElem) {
        if (inString) {
          if (escape) escape = false;
          else if (c === 0x5c) escape = true; // backslash
          else if (c === 0x22) inString = false; // quote
          else if (c === 0x0a) line++;
          continue;
        }
        if (c === 0x22) inString = true;
        else if (c === 0x5b || c === 0x7b) depth++; // [ {
        else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--; // ] }
        else if (c === 0x0a) line++;
        else if (depth === 0 && (c === 0x2c || c === 0x5d)) {
          // ',' or ']' at the array's own level: the element ends here.
          parts.push(chunk.slice(segStart, i));
          const text = parts.join('');
          parts = [];
          yield parseRow(text, elemLine, index++, 'a JSON object as each array element');
          state = c === 0x2c ? S.Seek : S.Done;
        }
        continue;
      }
      if (c === 0x0a) line++;
      if (isWs(c) || (first && i === 0 && c === 0xfeff)) continue;
      switch (state) {
        case S.Start:
          if (c !== 0x5b) throw new DataError(label, line, '', `expected a JSON array ('[') at the top level, found '${chunk[i]}'`);
          openLine = line;
          state = S.SeekFirst;
          break;
        case S.SeekFirst:
        case S.Seek:
          if (c === 0x5d) {
            if (state === S.Seek) throw new DataError(label, line, `[${index}]`, "expected an array element after ',', found ']'");
            state = S.Done;
            break;
          }
          if (c === 0x2c) throw new DataError(label, line, `[${index}]`, "expected an array element, found ','");
          state = S.InElem;
          elemLine = line;
          segStart = i;
          depth = 0;
          inString = false;
          escape = false;
          i--; // re-read this character inside the element
          break;
        case S.Done:
          throw new DataError(label, line, '', `expected the end of the file after the array's closing ']', found '${chunk[i]}'`);
      }
    }
    if (state === S.InElem) parts.push(chunk.slice(segStart));
    if (chunk.length > 0) first = false;
  }
  if (state === S.Start) throw new DataError(label, 0, '', 'expected a JSON array, found an empty file');
  if (state !== S.Done) {
    const where = state === S.InElem ? `; element [${index}] starting at line ${elemLine} is incomplete` : '';
    throw new DataError(label, line, '', `unexpected end of file: expected ']' closing the array opened at line ${openLine}${where}`);
  }
}

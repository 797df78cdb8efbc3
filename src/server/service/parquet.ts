// Parquet preference files for the language server (issue 13 §7): validation is synchronous, so the
// sniffer reads rows through hyparquet's synchronous decoders (its column reader and nested-column
// assembly, the parts its own asynchronous parquetRead runs on fetched bytes) from byte ranges the
// caller reads: the footer first, then the column chunks of the row groups it needs. The engine reads
// with hyparquet's public asynchronous API (src/engine/data/parquet.ts); a test checks both give the
// rows of the JSONL fixtures. Reference: hyparquet 1.33 (src/read.js, src/rowgroup.js); the Parquet
// format's footer (`<metadata><u32 length>PAR1`).
import * as zlib from 'node:zlib';
import { flatten, parquetMetadata, parquetSchema, type Compressors, type DecodedArray, type FileMetaData } from 'hyparquet';
import { assembleNested } from 'hyparquet/src/assemble.js';
import { readColumn } from 'hyparquet/src/column.js';
import { DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { getTreePath } from 'hyparquet/src/schema.js';
import * as path from 'node:path';
import { pairByteLength } from '../../common/pairText';
import type { FileProbe } from './fileProbe';

/** Codecs beyond hyparquet's own (SNAPPY, UNCOMPRESSED), from node:zlib: GZIP (either framing), BROTLI, and ZSTD where Node has it. */
export const PARQUET_COMPRESSORS: Compressors = {
  GZIP: (input) => zlib.unzipSync(input),
  BROTLI: (input) => zlib.brotliDecompressSync(input),
  ...('zstdDecompressSync' in zlib ? { ZSTD: (input: Uint8Array) => (zlib as unknown as { zstdDecompressSync(b: Uint8Array): Uint8Array }).zstdDecompressSync(input) } : {}),
};

/** hyparquet's messages in words a user can act on (`parquet unsupported compression codec: LZ4`). */
export function parquetProblem(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const codec = /unsupported compression codec: (\w+)/.exec(msg);
  if (codec) return `it is compressed with ${codec[1]}, which ORPO Lab cannot decompress (SNAPPY, GZIP, BROTLI${PARQUET_COMPRESSORS.ZSTD ? ', ZSTD' : ''} and none are read); re-save it with snappy, e.g. pandas' df.to_parquet(path)`;
  if (/footer != PAR1|too short|metadata length/.test(msg)) return `not a Parquet file (${msg})`;
  return msg;
}

/** Reads bytes [start, end) of the file; undefined when unreadable. */
export type ReadRange = (start: number, end: number) => Uint8Array | undefined;

/** The file's metadata from its footer (two reads: the length, then the metadata). Throws Error. */
export function readFooter(size: number, read: ReadRange): FileMetaData {
  if (size < 12) throw new Error('not a Parquet file (shorter than its header and footer)');
  const tail = read(size - 8, size);
  if (!tail || tail.length < 8) throw new Error('cannot read its footer');
  const len = new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
  if (len + 8 > size) throw new Error(`not a Parquet file (footer length ${len} exceeds the file)`);
  const footer = read(size - 8 - len, size);
  if (!footer) throw new Error('cannot read its footer');
  try {
    return parquetMetadata(footer);
  } catch (e) {
    throw new Error(parquetProblem(e));
  }
}

/** A JSON-like value: 64-bit integers as numbers (beyond 2^53 they lose precision, as JSON.parse would). */
export function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** The compressed bytes a row group's columns take: what reading it costs. */
export function groupBytes(md: FileMetaData, g: number): number {
  return (md.row_groups[g]?.columns ?? []).reduce((n, c) => n + Number(c.meta_data?.total_compressed_size ?? 0), 0);
}

/**
 * Rows of the first row groups, until `maxRows` rows are read (all of them by default), as plain
 * objects keyed by top-level column. Throws Error (in parquetProblem's words) on a corrupt chunk.
 */
export function readRowsSync(md: FileMetaData, read: ReadRange, maxRows = Infinity): Record<string, unknown>[] {
  const tree = parquetSchema(md);
  const rows: Record<string, unknown>[] = [];
  let groupStart = 0;
  for (const group of md.row_groups) {
    if (rows.length >= maxRows) break;
    const groupRows = Number(group.num_rows);
    const leaves = new Map<string, DecodedArray>();
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta) throw new Error('a column chunk has no metadata');
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const bytes = read(start, start + Number(meta.total_compressed_size));
      if (!bytes) throw new Error(`cannot read column "${meta.path_in_schema.join('.')}"`);
      const schemaPath = getTreePath(tree, meta.path_in_schema);
      const element = schemaPath[schemaPath.length - 1]?.element;
      if (!element) throw new Error(`column "${meta.path_in_schema.join('.')}" is not in the schema`);
      const decoder = { pathInSchema: meta.path_in_schema, element, schemaPath, type: meta.type, codec: meta.codec, parsers: DEFAULT_PARSERS, compressors: PARQUET_COMPRESSORS };
      try {
        const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
        leaves.set(meta.path_in_schema.join('.'), flatten(readColumn(reader, { groupStart, selectStart: 0, selectEnd: groupRows, groupRows }, decoder).data));
      } catch (e) {
        throw new Error(`column "${meta.path_in_schema.join('.')}": ${parquetProblem(e)}`);
      }
    }
    const columns: [string, DecodedArray][] = [];
    for (const child of tree.children) {
      const name = child.element.name;
      if (child.children.length) {
        const sub = new Map([...leaves].filter(([k]) => k === name || k.startsWith(`${name}.`)));
        assembleNested(sub, child, DEFAULT_PARSERS);
        const col = sub.get(name);
        if (col) columns.push([name, col]);
      } else {
        const col = leaves.get(name);
        if (col) columns.push([name, col]);
      }
    }
    for (let i = 0; i < groupRows && rows.length < maxRows; i++) rows.push(Object.fromEntries(columns.map(([k, col]) => [k, plain(col[i])])));
    groupStart += groupRows;
  }
  return rows;
}

/** A Parquet file's footer, or the reason it cannot be read (cached with the file's stamp). */
function footerOf(fs: FileProbe, file: string): FileMetaData | string {
  return fs.memo('parquet-footer', file, () => {
    try {
      return readFooter(fs.stat(file).size, (a, b) => fs.readRange(file, a, b));
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  });
}

/**
 * The first `maxRows` rows, for the sniffer; none (not fatal) when the first row group is larger than
 * `maxBytes` compressed: that file is left to the engine.
 */
export function parquetHead(fs: FileProbe, file: string, maxRows: number, maxBytes: number): { rows: Record<string, unknown>[] } | { fatal: string } {
  const md = footerOf(fs, file);
  const name = path.basename(file);
  if (typeof md === 'string') return { fatal: `cannot read ${name}: ${md}` };
  if (Number(md.num_rows) === 0) return { fatal: 'the dataset has no rows' };
  if (groupBytes(md, 0) > maxBytes) return { rows: [] };
  try {
    return { rows: readRowsSync(md, (a, b) => fs.readRange(file, a, b), maxRows) };
  } catch (e) {
    return { fatal: `cannot read ${name}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The pair count (from the footer, at any size) and, when `lengths`, every row's byte lengths (pairText.ts). */
export function parquetStats(fs: FileProbe, file: string, lengths: boolean): { pairs: number; prompt: number[]; total: number[] } | undefined {
  const md = footerOf(fs, file);
  if (typeof md === 'string') return undefined;
  const stats = { pairs: Number(md.num_rows), prompt: [] as number[], total: [] as number[] };
  if (!lengths) return stats;
  let rows: Record<string, unknown>[];
  try {
    rows = readRowsSync(md, (a, b) => fs.readRange(file, a, b));
  } catch {
    return stats; // the sniff reports a corrupt file
  }
  for (const row of rows) {
    const len = pairByteLength(row);
    if (len) {
      stats.prompt.push(len.prompt);
      stats.total.push(len.total);
    }
  }
  return stats;
}

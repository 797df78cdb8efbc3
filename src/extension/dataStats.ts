// What the "New Experiment" scaffold measures in the picked data: the number of pairs and their
// byte-tokenizer lengths (src/common/pairText.ts), read from .jsonl or a .json array, optionally
// gzip-compressed, or .parquet (the language server's reader, src/server/service/parquet.ts). No vscode
// import. Files above 64 MB are not read (the scaffold keeps its defaults).
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { pairByteLength } from '../common/pairText';
import { createProbe } from '../server/service/fileProbe';
import { parquetStats } from '../server/service/parquet';

export interface DataStats {
  pairs: number;
  /** Byte lengths of the rows they could be measured for (explicit and implicit formats). */
  prompt: number[];
  total: number[];
}

const MAX_BYTES = 64 << 20;

export function measureData(file: string): DataStats | undefined {
  try {
    if (statSync(file).size > MAX_BYTES) return undefined;
    if (/\.parquet$/i.test(file)) return parquetStats(createProbe(), file, true);
    const raw = readFileSync(file);
    const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw, { maxOutputLength: 8 * MAX_BYTES }) : raw).toString('utf8');
    const rows: unknown[] = /\.json(\.gz)?$/i.test(file) ? (JSON.parse(text) as unknown[]) : text.split('\n').filter((l) => l.trim() !== '').map((l) => { try { return JSON.parse(l) as unknown; } catch { return undefined; } });
    if (!Array.isArray(rows)) return undefined;
    const stats: DataStats = { pairs: rows.length, prompt: [], total: [] };
    for (const r of rows) {
      const len = pairByteLength(r);
      if (len) { stats.prompt.push(len.prompt); stats.total.push(len.total); }
    }
    return stats;
  } catch {
    return undefined; // unreadable or not JSON: the language server reports it once the config is open
  }
}

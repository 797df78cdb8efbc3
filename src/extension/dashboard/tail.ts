// Tails a JSON-lines file that another process appends to (the engine's metrics.jsonl,
// distributions.jsonl, samples.jsonl): each read returns the rows completed since the last one,
// reading from the last byte offset. A partial last line waits for its newline (bytes are split at
// 0x0A, which never occurs inside a UTF-8 sequence); a file that shrank or was replaced is read again
// from the start and reported as a reset. Node only (no vscode), so it is unit-tested in Node.
import { open, stat } from 'node:fs/promises';
import type { LineParser } from '../../common/runFiles';
import { parseLines } from '../../common/runFiles';

export interface TailRead<T> {
  rows: T[];
  problems: string[];
  /** The file was truncated or replaced: `rows` start again from its first line. */
  reset: boolean;
}

const CHUNK = 8 * 1024 * 1024;

export class JsonlTail<T> {
  private offset = 0;
  private rest: Buffer = Buffer.alloc(0);
  private line = 0;
  private ino: number | undefined;

  constructor(readonly path: string, private readonly file: string, private readonly parse: LineParser<T>) {}

  /** Forgets what was read: the next read starts from the first line. */
  restart(): void {
    this.offset = 0;
    this.rest = Buffer.alloc(0);
    this.line = 0;
    this.ino = undefined;
  }

  async read(): Promise<TailRead<T>> {
    const out: TailRead<T> = { rows: [], problems: [], reset: false };
    let size: number;
    try {
      const s = await stat(this.path);
      size = s.size;
      if ((this.ino !== undefined && s.ino !== this.ino) || size < this.offset) {
        this.restart();
        out.reset = true;
      }
      this.ino = s.ino;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw e;
    }
    if (size === this.offset) return out;
    const fh = await open(this.path, 'r');
    try {
      while (this.offset < size) {
        const len = Math.min(CHUNK, size - this.offset);
        const buf = Buffer.alloc(len);
        const { bytesRead } = await fh.read(buf, 0, len, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.take(Buffer.concat([this.rest, buf.subarray(0, bytesRead)]), out);
      }
    } finally {
      await fh.close();
    }
    return out;
  }

  private take(data: Buffer, out: TailRead<T>): void {
    const end = data.lastIndexOf(0x0a);
    if (end < 0) {
      this.rest = data;
      return;
    }
    const lines = data.subarray(0, end).toString('utf8').split('\n');
    this.rest = Buffer.from(data.subarray(end + 1));
    const parsed = parseLines(lines, this.file, this.line + 1, this.parse);
    this.line += lines.length;
    out.rows.push(...parsed.rows);
    out.problems.push(...parsed.problems);
  }
}

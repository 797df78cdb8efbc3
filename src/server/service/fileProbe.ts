// File-system access for the validation service, behind an interface so tests need no disk and the
// LSP wiring can invalidate its cache when files change (workspace/didChangeWatchedFiles).
// `createProbe` caches stats (for `statTtlMs`, or until `invalidate`) and memoises derived results
// (dataset sniffs, parsed config.json files) by path, size and modification time.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type FileKind = 'file' | 'dir' | 'missing' | 'other';
export interface FileStat { kind: FileKind; size: number; mtimeMs: number }
export interface DirEntry { name: string; kind: FileKind }

/** Raw, uncached access to files. */
export interface FileAccess {
  stat(p: string): FileStat;
  /** Up to `maxBytes` bytes from the start of the file; undefined when unreadable. */
  readHead(p: string, maxBytes: number): Uint8Array | undefined;
  /** Bytes [start, end) of the file (fewer at its end); undefined when unreadable. For Parquet footers and column chunks. */
  readRange(p: string, start: number, end: number): Uint8Array | undefined;
  list(dir: string): DirEntry[];
  /** Whether `require.resolve(name)` succeeds from `fromDir` (or from this package). */
  resolvePackage(name: string, fromDir: string): boolean;
}

/** Cached access, the `fs` of a validation context. */
export interface FileProbe extends FileAccess {
  /** Computes `compute()` once per (key, file path, size, mtime). */
  memo<T>(key: string, file: string, compute: () => T): T;
  /** Forgets what is cached for one path (and anything below it), or everything. */
  invalidate(p?: string): void;
}

const MISSING: FileStat = { kind: 'missing', size: 0, mtimeMs: 0 };

export const nodeFileAccess: FileAccess = {
  stat(p) {
    try {
      const s = fs.statSync(p);
      return { kind: s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other', size: s.size, mtimeMs: s.mtimeMs };
    } catch {
      return MISSING;
    }
  },
  readHead(p, maxBytes) {
    return nodeFileAccess.readRange(p, 0, maxBytes);
  },
  readRange(p, start, end) {
    let fd: number | undefined;
    try {
      fd = fs.openSync(p, 'r');
      const buf = Buffer.alloc(Math.max(0, end - start));
      let n = 0;
      while (n < buf.length) {
        const r = fs.readSync(fd, buf, n, buf.length - n, start + n);
        if (r === 0) break;
        n += r;
      }
      return buf.subarray(0, n);
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  },
  list(dir) {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).map((e) => ({
        name: e.name,
        kind: e.isDirectory() ? 'dir' : e.isFile() ? 'file' : e.isSymbolicLink() ? nodeFileAccess.stat(path.join(dir, e.name)).kind : 'other',
      }));
    } catch {
      return [];
    }
  },
  resolvePackage(name, fromDir) {
    try {
      require.resolve(name, { paths: [fromDir, __dirname] });
      return true;
    } catch {
      return false;
    }
  },
};

/** In-memory files (absolute POSIX paths), for tests and virtual documents. Directories are implied. */
export function memoryFileAccess(files: Record<string, string | Uint8Array>, packages: readonly string[] = []): FileAccess {
  const data = new Map(Object.entries(files).map(([k, v]) => [path.posix.normalize(k), typeof v === 'string' ? Buffer.from(v) : v]));
  const isDir = (p: string) => [...data.keys()].some((k) => k.startsWith(p.endsWith('/') ? p : p + '/'));
  return {
    stat(p) {
      const f = data.get(path.posix.normalize(p));
      if (f) return { kind: 'file', size: f.length, mtimeMs: 0 };
      return isDir(path.posix.normalize(p)) ? { kind: 'dir', size: 0, mtimeMs: 0 } : MISSING;
    },
    readHead(p, maxBytes) {
      return data.get(path.posix.normalize(p))?.subarray(0, maxBytes);
    },
    readRange(p, start, end) {
      return data.get(path.posix.normalize(p))?.subarray(start, end);
    },
    list(dir) {
      const prefix = path.posix.normalize(dir).replace(/\/?$/, '/');
      const out = new Map<string, DirEntry>();
      for (const k of data.keys()) {
        if (!k.startsWith(prefix)) continue;
        const [first, ...rest] = k.slice(prefix.length).split('/');
        if (first) out.set(first, { name: first, kind: rest.length ? 'dir' : 'file' });
      }
      return [...out.values()];
    },
    resolvePackage(name) {
      return packages.includes(name);
    },
  };
}

export function createProbe(access: FileAccess = nodeFileAccess, opts: { statTtlMs?: number; now?: () => number } = {}): FileProbe {
  const ttl = opts.statTtlMs ?? 2000;
  const now = opts.now ?? Date.now;
  const stats = new Map<string, { at: number; stat: FileStat }>();
  const memos = new Map<string, { stamp: string; value: unknown }>();
  const packages = new Map<string, boolean>();
  const stat = (p: string): FileStat => {
    const hit = stats.get(p);
    if (hit && now() - hit.at < ttl) return hit.stat;
    const s = access.stat(p);
    stats.set(p, { at: now(), stat: s });
    return s;
  };
  return {
    stat,
    readHead: (p, n) => access.readHead(p, n),
    readRange: (p, s, e) => access.readRange(p, s, e),
    list: (dir) => access.list(dir),
    resolvePackage(name, fromDir) {
      const key = `${name}\0${fromDir}`;
      let r = packages.get(key);
      if (r === undefined) packages.set(key, (r = access.resolvePackage(name, fromDir)));
      return r;
    },
    memo<T>(key: string, file: string, compute: () => T): T {
      const s = stat(file);
      const stamp = `${s.kind}:${s.size}:${s.mtimeMs}`;
      const id = `${key}\0${file}`;
      const hit = memos.get(id);
      if (hit && hit.stamp === stamp) return hit.value as T;
      const value = compute();
      memos.set(id, { stamp, value });
      return value;
    },
    invalidate(p) {
      if (p === undefined) {
        stats.clear();
        memos.clear();
        packages.clear();
        return;
      }
      const under = (k: string) => k === p || k.startsWith(p.endsWith(path.sep) ? p : p + path.sep);
      for (const k of [...stats.keys()]) if (under(k)) stats.delete(k);
      for (const k of [...memos.keys()]) if (under(k.slice(k.indexOf('\0') + 1))) memos.delete(k);
      // A package may have been installed or removed.
      if (p.includes('node_modules')) packages.clear();
    },
  };
}

// The cache of `auto`'s timings (issue 11 §5): one JSON file holding, per machine (host name, CPU model,
// GPU adapters), model shape and engine version, the milliseconds per step measured and the backend
// picked. Written atomically (temporary file + rename); a corrupt file is ignored with a warning and
// replaced on the next write; entries of other engine versions are stale and dropped when writing.
// Where: $ORPO_LAB_CACHE_DIR (the extension passes its global storage), else the platform's cache
// folder ($XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows).
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheDir } from '../../common/gpuLimits';

export interface CacheEntry {
  machine: string;
  shape: string;
  version: string;
  backend: string;
  times: Record<string, number>;
  /** ISO time of the measurement. */
  date: string;
}

const FILE = 'backend-timings.json';

export function cacheFile(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  return join(cacheDir(env, platform, home), FILE);
}

const isEntry = (v: unknown): v is CacheEntry => {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return ['machine', 'shape', 'version', 'backend', 'date'].every((k) => typeof o[k] === 'string') &&
    typeof o.times === 'object' && o.times !== null && Object.values(o.times).every((t) => typeof t === 'number' && t > 0);
};

/** Every entry of the file; [] when it does not exist; undefined (after a warning) when it is corrupt. */
function readAll(file: string, warn: (m: string) => void): CacheEntry[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  try {
    const v = JSON.parse(text) as { entries?: unknown };
    if (!Array.isArray(v.entries) || !v.entries.every(isEntry)) throw new Error('expected {"entries": [...]} with machine, shape, version, backend, times, date');
    return v.entries;
  } catch (e) {
    warn(`${file}: the backend timing cache is corrupt and was ignored (${e instanceof Error ? e.message : String(e)}); the backends are timed again`);
    return undefined;
  }
}

/** The entry for this machine, shape and version, if cached. */
export function readCache(file: string, key: Pick<CacheEntry, 'machine' | 'shape' | 'version'>, warn: (m: string) => void): CacheEntry | undefined {
  return readAll(file, warn)?.find((e) => e.machine === key.machine && e.shape === key.shape && e.version === key.version);
}

/** Adds or replaces ENTRY, drops entries of other engine versions, and writes the file atomically. */
export function writeCache(file: string, entry: CacheEntry, warn: (m: string) => void): void {
  const kept = (readAll(file, () => {}) ?? []).filter((e) => e.version === entry.version && !(e.machine === entry.machine && e.shape === entry.shape));
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, JSON.stringify({ entries: [...kept, entry] }, null, 1) + '\n');
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    warn(`${file}: could not save the backend timing (${e instanceof Error ? e.message : String(e)}); the next run times again`);
  }
}

// A run directory and its files, as the rest of ORPO Lab reads them (issue 2, "What a run writes"):
// config.yaml (the resolved config), metrics.jsonl, distributions.jsonl, samples.jsonl and
// checkpoints/. JSONL files are appended one line at a time with a synchronous write, so every row is
// on disk before the next step starts and nothing is lost when the process dies.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const finite = (_k: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

export class JsonlFile {
  constructor(readonly path: string) {}

  append(row: object): void {
    appendFileSync(this.path, JSON.stringify(row, finite) + '\n');
  }

  /** Keeps only rows whose `step` is at most `step` (resuming from a checkpoint at that step). */
  truncateAfter(step: number): void {
    if (!existsSync(this.path)) return;
    const kept = readFileSync(this.path, 'utf8').split('\n').filter((line) => {
      if (!line.trim()) return false;
      try {
        const s = (JSON.parse(line) as { step?: unknown }).step;
        return typeof s === 'number' && s <= step;
      } catch {
        return false; // a torn last line from a killed run
      }
    });
    const tmp = this.path + '.tmp';
    writeFileSync(tmp, kept.map((l) => l + '\n').join(''));
    renameSync(tmp, this.path);
  }
}

export interface RunFiles {
  dir: string;
  metrics: JsonlFile;
  distributions: JsonlFile;
  samples: JsonlFile;
  checkpoints: string;
}

export function runFiles(dir: string): RunFiles {
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  return {
    dir,
    metrics: new JsonlFile(join(dir, 'metrics.jsonl')),
    distributions: new JsonlFile(join(dir, 'distributions.jsonl')),
    samples: new JsonlFile(join(dir, 'samples.jsonl')),
    checkpoints: join(dir, 'checkpoints'),
  };
}

/** `<base>/<name>-<YYYYMMDD-HHMMSS>`, with a numeric suffix if that exists already. */
export function newRunDir(base: string, name: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const safe = basename(name).replace(/[^A-Za-z0-9._-]+/g, '-') || 'run';
  let dir = join(base, `${safe}-${stamp}`);
  for (let i = 2; existsSync(dir); i++) dir = join(base, `${safe}-${stamp}-${i}`);
  return dir;
}

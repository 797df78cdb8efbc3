// A run directory and its files, as the rest of ORPO Lab reads them (issue 2, "What a run writes"):
// config.yaml (the resolved config), metrics.jsonl, distributions.jsonl, samples.jsonl and
// checkpoints/ (the directory itself is created by runLock.ts). JSONL files are appended one line at a time with a synchronous write, so every row is
// on disk before the next step starts and nothing is lost when the process dies.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const finite = (_k: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

export class JsonlFile {
  constructor(readonly path: string) {}

  append(row: object): void {
    try {
      appendFileSync(this.path, JSON.stringify(row, finite) + '\n');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw Object.assign(new Error(`${this.path}: ${err.code === 'ENOSPC' ? 'no space left on device' : err.message} while appending a row`), { code: err.code });
    }
  }

  /**
   * Keeps only rows whose `step` is at most `step` (resuming from a checkpoint at that step). The rows
   * removed (written after the checkpoint, or torn by a kill) are kept in `<file>.before-resume-<step>`
   * (`-2`, `-3`, ... when that exists); returns how many there were and where they went.
   */
  truncateAfter(step: number): { dropped: number; backup?: string } {
    if (!existsSync(this.path)) return { dropped: 0 };
    const kept: string[] = [];
    const dropped: string[] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let s: unknown;
      try {
        s = (JSON.parse(line) as { step?: unknown }).step;
      } catch {
        s = undefined; // a torn last line from a killed run
      }
      (typeof s === 'number' && s <= step ? kept : dropped).push(line);
    }
    if (dropped.length === 0) return { dropped: 0 };
    let backup = `${this.path}.before-resume-${step}`;
    for (let i = 2; existsSync(backup); i++) backup = `${this.path}.before-resume-${step}-${i}`;
    writeFileSync(backup, dropped.map((l) => l + '\n').join(''));
    const tmp = this.path + '.tmp';
    writeFileSync(tmp, kept.map((l) => l + '\n').join(''));
    renameSync(tmp, this.path);
    return { dropped: dropped.length, backup };
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

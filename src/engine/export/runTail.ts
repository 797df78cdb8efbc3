// Following a run directory that another process writes (a TRL run's orpo_lab_callback.py) and turning
// what appears into ORPO Lab's engine events: each new complete line of metrics.jsonl and
// distributions.jsonl, and each new checkpoints/checkpoint-N (step-N in runs written before). Lines cross a process boundary, so every event
// is validated with parseEvent before it is passed on; a line that fails becomes a warning.
import { closeSync, existsSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseEvent, type EngineEvent } from '../../common/events';
import { EVAL_PREFIX } from '../../common/metrics';

/** Reads the complete lines appended to a file since the last call (a torn last line waits). */
export class LineTail {
  private offset = 0;
  private rest = '';

  constructor(readonly path: string) {}

  read(): string[] {
    if (!existsSync(this.path)) return [];
    const fd = openSync(this.path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size < this.offset) {
        // Truncated (a resumed run rewrote it): start over.
        this.offset = 0;
        this.rest = '';
      }
      if (size === this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      const text = this.rest + buf.toString('utf8');
      const lines = text.split('\n');
      this.rest = lines.pop() ?? '';
      return lines.filter((l) => l.trim() !== '');
    } finally {
      closeSync(fd);
    }
  }
}

const STEP_DIR = /^(?:checkpoint|step)-(\d+)$/;
/** The file of a Trainer checkpoint that transformers can resume from (TRAINER_STATE_NAME). */
export const TRAINER_STATE = 'trainer_state.json';

/**
 * The newest RUN_DIR/checkpoints/checkpoint-N holding trainer_state.json: what train.py --resume
 * continues from (orpo_lab_run.last_checkpoint, the same rule); undefined when there is none.
 */
export function lastTrainerCheckpoint(runDir: string): { step: number; path: string } | undefined {
  const ckpt = join(runDir, 'checkpoints');
  if (!existsSync(ckpt)) return undefined;
  return readdirSync(ckpt)
    .map((n) => ({ step: Number(/^checkpoint-(\d+)$/.exec(n)?.[1] ?? NaN), path: join(ckpt, n) }))
    .filter((c) => Number.isInteger(c.step) && existsSync(join(c.path, TRAINER_STATE)))
    .sort((a, b) => b.step - a.step)[0];
}

export class RunDirTail {
  private readonly metrics: LineTail;
  private readonly distributions: LineTail;
  private readonly seen = new Set<number>();
  /** The last train and eval rows seen, for the `finished` summary. */
  last: { step: number; train?: Record<string, number>; eval?: Record<string, number> } = { step: 0 };

  constructor(readonly dir: string) {
    this.metrics = new LineTail(join(dir, 'metrics.jsonl'));
    this.distributions = new LineTail(join(dir, 'distributions.jsonl'));
  }

  /** Takes what the directory holds now as seen (a resumed run): only what is written after is reported. */
  skipExisting(): void {
    for (const line of this.metrics.read()) {
      try {
        const r = JSON.parse(line) as Record<string, number>;
        if (typeof r.step === 'number') this.last.step = Math.max(this.last.step, r.step);
      } catch {
        // a line the resumed run replaces
      }
    }
    this.distributions.read();
    const ckpt = join(this.dir, 'checkpoints');
    if (existsSync(ckpt)) for (const n of readdirSync(ckpt)) { const m = STEP_DIR.exec(n); if (m) this.seen.add(Number(m[1])); }
  }

  /** The events for everything new in the run directory since the last poll. */
  poll(): EngineEvent[] {
    const out: EngineEvent[] = [];
    const check = (candidate: unknown, line: string) => {
      const p = parseEvent(JSON.stringify(candidate));
      out.push(p.ok ? p.value : { type: 'warning', message: `${this.dir}: a line the TRL run wrote is not a valid ORPO Lab row (${p.error}): ${line.slice(0, 120)}` });
      return p.ok;
    };
    for (const line of this.metrics.read()) {
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        out.push({ type: 'warning', message: `${this.dir}/metrics.jsonl: not JSON: ${line.slice(0, 120)}` });
        continue;
      }
      const isEval = !!row && typeof row === 'object' && Object.keys(row).some((k) => k.startsWith(EVAL_PREFIX));
      if (check({ type: 'metrics', split: isEval ? 'eval' : 'train', row }, line)) {
        const r = row as Record<string, number>;
        this.last.step = Math.max(this.last.step, r.step ?? 0);
        this.last[isEval ? 'eval' : 'train'] = r;
      }
    }
    for (const line of this.distributions.read()) {
      try {
        check({ type: 'distributions', row: JSON.parse(line) as unknown }, line);
      } catch {
        out.push({ type: 'warning', message: `${this.dir}/distributions.jsonl: not JSON: ${line.slice(0, 120)}` });
      }
    }
    const ckpt = join(this.dir, 'checkpoints');
    if (existsSync(ckpt)) {
      const found = readdirSync(ckpt).map((n) => ({ n, step: Number(STEP_DIR.exec(n)?.[1] ?? NaN) })).filter((x) => Number.isInteger(x.step)).sort((a, b) => a.step - b.step);
      for (const { n, step } of found) {
        if (this.seen.has(step)) continue;
        this.seen.add(step);
        out.push({ type: 'checkpoint', step, path: join(ckpt, n) });
      }
    }
    return out;
  }

  /** The last train and eval metrics in one record, eval keys already prefixed. */
  summary(): Record<string, number> {
    const pick = (r: Record<string, number> | undefined) => Object.fromEntries(Object.entries(r ?? {}).filter(([k, v]) => typeof v === 'number' && !['step', 'epoch', 'time'].includes(k)));
    return { ...pick(this.last.train), ...pick(this.last.eval) };
  }
}

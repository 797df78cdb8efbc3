// Watches one run directory for the dashboard: tails metrics.jsonl, distributions.jsonl and
// samples.jsonl (src/extension/dashboard/tail.ts) and hands new rows on in batches. fs.watch on the
// directory wakes it early; a slow poll covers file systems where watching misses events (network
// mounts, WSL). Rows arriving within `batchMs` go out as one batch. A directory that disappears
// (deleted or moved) ends the watch with `gone`. Node only (no vscode).
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DistributionsRow, MetricsRow } from '../../common/metrics';
import { parseDistributionsLine, parseMetricsLine, parseSampleLine } from '../../common/runFiles';
import type { SampleRow } from '../../common/webviewProtocol';
import { JsonlTail } from './tail';

export interface RunBatch {
  metrics: MetricsRow[];
  distributions: DistributionsRow[];
  samples: SampleRow[];
  problems: string[];
  /** A file was truncated or replaced: the receiver should drop what it had and take this batch whole. */
  reset: boolean;
}

export interface WatchHandlers {
  batch(b: RunBatch): void;
  error(e: unknown): void;
  /** The run directory no longer exists; the watcher has stopped. */
  gone?(): void;
}

/** Whether `dir` exists as a directory (false when it, or a parent, is gone). */
export async function dirExists(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw e;
  }
}

export interface WatchOptions {
  batchMs?: number;
  pollMs?: number;
  /** false: poll only, as on a network mount or synced folder where fs.watch sees no writes made elsewhere. */
  watch?: boolean;
}

export class RunWatcher {
  private readonly metrics: JsonlTail<MetricsRow>;
  private readonly dists: JsonlTail<DistributionsRow>;
  private readonly samples: JsonlTail<SampleRow>;
  private watcher: FSWatcher | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private reading: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(readonly dir: string, private readonly on: WatchHandlers, private readonly opts: WatchOptions = {}) {
    this.metrics = new JsonlTail(join(dir, 'metrics.jsonl'), 'metrics.jsonl', parseMetricsLine);
    this.dists = new JsonlTail(join(dir, 'distributions.jsonl'), 'distributions.jsonl', parseDistributionsLine);
    this.samples = new JsonlTail(join(dir, 'samples.jsonl'), 'samples.jsonl', parseSampleLine);
  }

  /** Reads everything written so far (the first batch), then starts watching. */
  async start(): Promise<RunBatch> {
    const first = await this.readAll();
    if (this.disposed) return first;
    try {
      if (this.opts.watch !== false) {
        this.watcher = watch(this.dir, () => this.schedule());
        this.watcher.on('error', () => this.watcher?.close());
      }
    } catch {
      // The directory may not exist yet, or watching is unsupported: the poll still runs.
    }
    this.poll = setInterval(() => this.schedule(), this.opts.pollMs ?? 1000);
    return first;
  }

  private schedule(): void {
    if (this.pending || this.disposed) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.reading = this.reading.then(async () => {
        if (this.disposed) return;
        try {
          if (!(await dirExists(this.dir))) {
            if (this.disposed) return;
            this.dispose();
            this.on.gone?.();
            return;
          }
          const b = await this.readAll();
          if (!this.disposed && (b.reset || b.metrics.length || b.distributions.length || b.samples.length || b.problems.length)) this.on.batch(b);
        } catch (e) {
          this.on.error(e);
        }
      });
    }, this.opts.batchMs ?? 100);
  }

  private async readAll(): Promise<RunBatch> {
    const tails = [this.metrics, this.dists, this.samples] as const;
    let [m, d, s] = await Promise.all([this.metrics.read(), this.dists.read(), this.samples.read()]);
    const reset = m.reset || d.reset || s.reset;
    if (reset) {
      // One file was rewritten (a new run in the same directory): start all three over, so the
      // receiver can replace what it had with this batch.
      for (const t of tails) t.restart();
      [m, d, s] = await Promise.all([this.metrics.read(), this.dists.read(), this.samples.read()]);
    }
    return { metrics: m.rows, distributions: d.rows, samples: s.rows, problems: [...m.problems, ...d.problems, ...s.problems], reset };
  }

  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
    if (this.pending) clearTimeout(this.pending);
  }
}

// Runs the variants of a sweep (issue 15): each one a normal `orpo-lab train` child process (this same
// CLI entry), at most `parallel` at a time, each with ORPO_LAB_THREADS = threads / parallel. Follows each
// child's JSON events to keep sweep.json current (written atomically), marks a variant that exits badly
// as crashed and goes on with the others, and stops every running child on request. Each child follows
// this process (ORPO_LAB_PARENT_PID, parentWatch.ts): if it dies, kill -9 included, they checkpoint and stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseEvent } from '../../common/events';
import { SWEEP_INDEX, type SweepEvent, type SweepIndex, type SweepVariant } from '../../common/sweepIndex';
import { latestCheckpoint } from '../train/checkpoint';
import { PARENT_ENV } from './parentWatch';

export interface RunnerOptions {
  sweepDir: string;
  index: SweepIndex;
  parallel: number;
  /** Threads per variant (ORPO_LAB_THREADS of each child). */
  threads: number;
  /** Extra `train` flags passed to every variant (e.g. --max-steps, --backend). */
  trainFlags: string[];
  emit: (e: SweepEvent) => void;
  log: (line: string) => void;
}

export function writeIndex(sweepDir: string, index: SweepIndex): void {
  const file = join(sweepDir, SWEEP_INDEX);
  writeFileSync(file + '.tmp', JSON.stringify(index, null, 2) + '\n');
  renameSync(file + '.tmp', file);
}

/** At most one progress write of sweep.json (and `variant` event) per this many ms while steps go on. */
const PROGRESS_MS = 2000;

/** The argv that runs this CLI again (node [--import tsx] entry), so a child is the same engine. */
const selfArgv = (): string[] => [...process.execArgv, process.argv[1] as string];

export class SweepRunner {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;
  private savedAt = 0;

  constructor(private readonly o: RunnerOptions) {}

  /** Asks every running variant to checkpoint and stop; starts no new ones. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.o.log(`stopping ${this.children.size} running variant(s)`);
    for (const child of this.children.values()) {
      if (child.stdin?.writable) child.stdin.write('{"type":"stop"}\n');
      else child.kill('SIGTERM');
    }
  }

  get stopped(): boolean {
    return this.stopping;
  }

  private save(v: SweepVariant): void {
    this.savedAt = Date.now();
    writeIndex(this.o.sweepDir, this.o.index);
    this.o.emit({ type: 'variant', name: v.name, status: v.status, run_dir: v.run_dir, ...(v.step !== undefined ? { step: v.step } : {}), ...(v.total_steps !== undefined ? { total_steps: v.total_steps } : {}), ...(v.error ? { error: v.error } : {}) });
  }

  private runOne(v: SweepVariant): Promise<void> {
    const runDir = join(this.o.sweepDir, v.run_dir);
    const config = join(this.o.sweepDir, v.config);
    const resume = latestCheckpoint(runDir) !== undefined;
    const args = [...selfArgv(), 'train', config, ...(resume ? ['--resume', runDir] : ['--out', runDir]), ...this.o.trainFlags];
    this.o.log(`${v.name}: ${resume ? 'resuming from its checkpoint' : 'starting'}`);
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ORPO_LAB_THREADS: String(this.o.threads), [PARENT_ENV]: String(process.pid) } });
    this.children.set(v.name, child);
    v.status = 'running';
    delete v.error;
    this.save(v);
    let reason: 'completed' | 'stopped' | undefined;
    let lastError: string | undefined;
    let lastStderr = '';
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const p = parseEvent(line);
      if (!p.ok) return;
      const e = p.value;
      if (e.type === 'started') {
        v.total_steps = e.total_steps;
        v.step = e.start_step;
        this.save(v);
      } else if (e.type === 'metrics' && e.split === 'train') {
        v.step = e.row.step;
        if (Date.now() - this.savedAt >= PROGRESS_MS) this.save(v); // the overall progress, every few seconds
      }
      else if (e.type === 'finished') {
        reason = e.reason;
        v.step = e.step;
        v.wall_s = (v.wall_s ?? 0) + e.wall_s;
      } else if (e.type === 'error') lastError = e.message;
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.trim()) lastStderr = line;
      this.o.log(`${v.name}: ${line}`);
    });
    child.stdin?.on('error', () => undefined); // a child that died before reading its stdin
    if (this.stopping) child.stdin?.write('{"type":"stop"}\n');
    return new Promise((resolve) => {
      child.on('error', (e) => {
        lastError = e.message;
      });
      child.on('close', (code, signal) => {
        this.children.delete(v.name);
        if (code === 0 && reason === 'completed') v.status = 'completed';
        else if (code === 0 && reason === 'stopped') v.status = 'stopped';
        else {
          v.status = 'crashed';
          v.error = lastError ?? (signal ? `killed by ${signal}` : `exited with code ${String(code)}${lastStderr ? `: ${lastStderr}` : ''}`);
        }
        this.save(v);
        resolve();
      });
    });
  }

  /** Runs every variant that is not completed; resolves when all are done or stopped. */
  async run(): Promise<void> {
    const queue = this.o.index.variants.filter((v) => v.status !== 'completed');
    const worker = async (): Promise<void> => {
      for (let v = queue.shift(); v && !this.stopping; v = queue.shift()) await this.runOne(v);
    };
    await Promise.all(Array.from({ length: Math.max(1, this.o.parallel) }, worker));
    // Variants never started stay pending (or keep their earlier stopped/crashed state) for --resume.
    writeIndex(this.o.sweepDir, this.o.index);
  }
}

// The run manager: starts `orpo-lab train` child processes, reads their JSON-lines events (the protocol
// in src/common/events.ts, validated by `parseEvent`), keeps one state per run, stops runs (a
// `{"type":"stop"}` line on stdin, then SIGTERM, then SIGKILL) and detects crashes. Several runs may go
// at once. It does not import vscode: the process launcher is a parameter, so Node tests drive it
// against a fake engine script (test-fixtures/fake-engine.ts).
import { dirname, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { parseEvent, type BackendEvent, type EngineEvent, type ErrorEvent, type FinishedEvent, type StartedEvent, type ControlMessage } from '../common/events';
import type { MetricsRow } from '../common/metrics';
import { LineSplitter, trainArgs, type StartOptions } from './engineCli';

export { LineSplitter, trainArgs, type StartOptions };

/** The part of a ChildProcess the manager uses. */
export interface EngineProcess {
  readonly pid?: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly stdin: Writable | null;
  kill(signal?: NodeJS.Signals): boolean;
  /** After the process exited and its stdio streams closed. */
  on(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}

/** Starts the engine with CLI arguments (`train CONFIG ...`), in a working directory. */
export type EngineLauncher = (args: string[], cwd: string) => EngineProcess;

export type RunStatus = 'starting' | 'running' | 'stopping' | 'completed' | 'stopped' | 'failed';

export interface RunState {
  /** Unique within the manager; stable for the run's life. */
  readonly id: string;
  /** Launch order within the manager (1, 2, ...): among states of one folder the highest is current. */
  readonly seq: number;
  readonly configPath: string;
  status: RunStatus;
  /** Known from the start when resuming, otherwise from the `started` event. */
  runDir?: string;
  name?: string;
  /** The backend chosen and why (the run's first event). */
  backend?: BackendEvent;
  started?: StartedEvent;
  step: number;
  totalSteps?: number;
  lastTrain?: MetricsRow;
  lastEval?: MetricsRow;
  lastCheckpoint?: string;
  finished?: FinishedEvent;
  error?: ErrorEvent;
  /** Why the run failed, for people: the error event, or how the process ended plus its last stderr. */
  failure?: string;
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  /** Last few KB of stderr, for crash messages. */
  stderrTail: string;
  malformedLines: number;
  /** Milliseconds (the manager's clock) when the process was launched, and per-step timing for the ETA. */
  launchedAt: number;
  firstStep?: { step: number; at: number };
  lastStepAt?: number;
}

export interface RunListener {
  /** A valid event from the engine. */
  event?(run: RunState, event: EngineEvent): void;
  /** A stdout line that is not a valid event; the run goes on. */
  malformed?(run: RunState, line: string, error: string): void;
  stderr?(run: RunState, text: string): void;
  /** Any change of the state (status, step, metrics). */
  change?(run: RunState): void;
  /** The process is gone; the status is final. */
  exit?(run: RunState): void;
}

export interface RunManagerOptions {
  launch: EngineLauncher;
  /** Time between the stdin stop line and SIGTERM, then between SIGTERM and SIGKILL. */
  stopGraceMs?: number;
  killGraceMs?: number;
  now?: () => number;
}

const STDERR_TAIL = 4096;
const TERMINAL: ReadonlySet<RunStatus> = new Set(['completed', 'stopped', 'failed']);

export function isLive(run: RunState): boolean {
  return !TERMINAL.has(run.status);
}

/** Seconds left, from the mean step time since the first step seen; undefined until two steps are known. */
export function etaSeconds(run: RunState): number | undefined {
  if (!run.firstStep || run.lastStepAt === undefined || run.totalSteps === undefined) return undefined;
  const done = run.step - run.firstStep.step;
  if (done <= 0) return undefined;
  const perStep = (run.lastStepAt - run.firstStep.at) / done;
  return Math.max(0, ((run.totalSteps - run.step) * perStep) / 1000);
}

interface Entry {
  state: RunState;
  proc: EngineProcess;
  timers: NodeJS.Timeout[];
  done: Promise<RunState>;
}

export class RunManager {
  private readonly runs = new Map<string, Entry>();
  private readonly listeners = new Set<RunListener>();
  private counter = 0;
  private readonly stopGraceMs: number;
  private readonly killGraceMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: RunManagerOptions) {
    this.stopGraceMs = opts.stopGraceMs ?? 30_000;
    this.killGraceMs = opts.killGraceMs ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  subscribe(l: RunListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  list(): RunState[] {
    return [...this.runs.values()].map((e) => e.state);
  }

  get(id: string): RunState | undefined {
    return this.runs.get(id)?.state;
  }

  /** The live run writing into this directory, if any. */
  liveByDir(runDir: string): RunState | undefined {
    return this.list().find((r) => isLive(r) && sameDir(r.runDir, runDir));
  }

  /** Resolves when the run's process has exited and its status is final. */
  whenDone(id: string): Promise<RunState> {
    const e = this.runs.get(id);
    if (!e) return Promise.reject(new Error(`no run ${id}`));
    return e.done;
  }

  start(o: StartOptions): RunState {
    if (o.resumeDir && this.liveByDir(o.resumeDir)) throw new Error(`a run is already writing into ${o.resumeDir}`);
    const seq = ++this.counter;
    const id = `run-${seq}`;
    const state: RunState = {
      id, seq, configPath: o.configPath, status: 'starting', step: 0, stderrTail: '', malformedLines: 0, launchedAt: this.now(),
      ...(o.resumeDir ? { runDir: o.resumeDir } : {}),
    };
    const cwd = dirname(o.configPath);
    const proc = this.opts.launch(trainArgs(o), cwd);
    let resolveDone!: (s: RunState) => void;
    const done = new Promise<RunState>((r) => (resolveDone = r));
    const entry: Entry = { state, proc, timers: [], done };
    this.runs.set(id, entry);

    const out = new LineSplitter();
    proc.stdout?.setEncoding('utf8');
    proc.stderr?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => out.push(chunk).forEach((l) => this.onLine(entry, l)));
    proc.stderr?.on('data', (text: string) => {
      state.stderrTail = (state.stderrTail + text).slice(-STDERR_TAIL);
      this.emit((l) => l.stderr?.(state, text));
    });
    // A broken stdin (the engine already exited) must not crash the host.
    proc.stdin?.on('error', () => undefined);
    let exited = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (exited) return;
      exited = true;
      const last = out.flush();
      if (last !== undefined) this.onLine(entry, last);
      entry.timers.forEach(clearTimeout);
      state.exitCode = code;
      state.signal = signal;
      this.settle(state, spawnError);
      this.emit((l) => l.change?.(state));
      this.emit((l) => l.exit?.(state));
      resolveDone(state);
    };
    // 'close' (not 'exit'): stdout is drained by then.
    proc.on('close', (code, signal) => finish(code, signal));
    proc.on('error', (err) => finish(null, null, err));
    this.emit((l) => l.change?.(state));
    return state;
  }

  /**
   * Asks a run to stop: it checkpoints and reports `finished` with reason `stopped`. Falls back to
   * SIGTERM, then SIGKILL, when the engine does not exit within the grace periods.
   */
  stop(id: string): void {
    const e = this.runs.get(id);
    if (!e || !isLive(e.state) || e.state.status === 'stopping') return;
    e.state.status = 'stopping';
    this.emit((l) => l.change?.(e.state));
    const msg: ControlMessage = { type: 'stop' };
    const wrote = e.proc.stdin?.writable ? e.proc.stdin.write(JSON.stringify(msg) + '\n') : false;
    const term = () => {
      e.proc.kill('SIGTERM');
      e.timers.push(setTimeout(() => e.proc.kill('SIGKILL'), this.killGraceMs));
    };
    if (wrote === false && !e.proc.stdin?.writable) term();
    else e.timers.push(setTimeout(term, this.stopGraceMs));
  }

  /** Stops every live run and waits for them to exit. */
  async stopAll(): Promise<void> {
    const live = this.list().filter(isLive);
    live.forEach((r) => this.stop(r.id));
    await Promise.all(live.map((r) => this.whenDone(r.id)));
  }

  /** Forgets the finished runs of one folder (after it was deleted); live ones stay. */
  forgetDir(runDir: string): void {
    for (const [id, e] of this.runs) if (!isLive(e.state) && sameDir(e.state.runDir, runDir)) this.runs.delete(id);
  }

  /** Forgets finished runs (their directories stay on disk). */
  prune(): void {
    for (const [id, e] of this.runs) if (!isLive(e.state)) this.runs.delete(id);
  }

  private onLine(e: Entry, line: string): void {
    if (line.trim() === '') return;
    const parsed = parseEvent(line);
    if (!parsed.ok) {
      e.state.malformedLines++;
      this.emit((l) => l.malformed?.(e.state, line, parsed.error));
      return;
    }
    this.apply(e.state, parsed.value);
    this.emit((l) => l.event?.(e.state, parsed.value));
    this.emit((l) => l.change?.(e.state));
  }

  private apply(s: RunState, ev: EngineEvent): void {
    switch (ev.type) {
      case 'started':
        s.started = ev;
        s.runDir = ev.run_dir;
        s.name = ev.name;
        s.totalSteps = ev.total_steps;
        s.step = ev.start_step;
        if (s.status === 'starting') s.status = 'running';
        return;
      case 'metrics': {
        if (ev.split === 'eval') { s.lastEval = ev.row; return; }
        s.lastTrain = ev.row;
        s.step = Math.max(s.step, ev.row.step);
        const at = this.now();
        if (!s.firstStep) s.firstStep = { step: ev.row.step, at };
        s.lastStepAt = at;
        return;
      }
      case 'checkpoint':
        s.lastCheckpoint = ev.path;
        return;
      case 'finished':
        s.finished = ev;
        s.step = ev.step;
        s.runDir = ev.run_dir;
        return;
      case 'error':
        s.error = ev;
        if (ev.checkpoint) s.lastCheckpoint = ev.checkpoint;
        return;
      case 'backend':
        s.backend = ev;
        return;
      case 'distributions':
      case 'sample':
      case 'warning':
        return;
      default: {
        const never: never = ev;
        throw new Error(`unhandled event ${JSON.stringify(never)}`);
      }
    }
  }

  /** The final status once the process is gone: finished events decide, everything else is a crash. */
  private settle(s: RunState, spawnError?: Error): void {
    if (spawnError) {
      s.status = 'failed';
      s.failure = `could not start the engine: ${spawnError.message}`;
    } else if (s.finished && !s.error && s.exitCode === 0) {
      s.status = s.finished.reason;
    } else {
      s.status = 'failed';
      const how = s.signal ? `was killed by ${s.signal}` : `exited with code ${s.exitCode}`;
      const cause = s.error?.message ?? (s.exitCode === 2 ? 'invalid config or data' : s.finished ? 'after finishing' : 'without finishing');
      const tail = lastLines(s.stderrTail, 5);
      s.failure = `The engine ${how}: ${cause}${tail ? `\n${tail}` : ''}`;
    }
  }

  private emit(f: (l: RunListener) => void): void {
    for (const l of this.listeners) {
      try {
        f(l);
      } catch (err) {
        // A faulty listener must not break the stream of other runs' events.
        console.error('orpo-lab run listener failed:', err);
      }
    }
  }
}

function sameDir(a: string | undefined, b: string): boolean {
  return a !== undefined && resolve(a) === resolve(b);
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

// The engine's event protocol: one JSON object per line on the engine's stdout, and the control
// messages it reads on stdin. One source for the engine, the run manager and the dashboard
// (in the spirit of vscode-eslint's shared message types). Everything read from another process
// goes through `parseEvent` / `parseControl`, which validate the shape.
import { DISTRIBUTION_KEYS, type DistributionsRow, type MetricsRow } from './metrics';
import { isObj, type Obj } from './json';

export type FinishReason = 'completed' | 'stopped';

export interface StartedEvent {
  type: 'started';
  run_dir: string;
  config: string;
  name: string;
  method: string;
  backend: string;
  device: string;
  total_steps: number;
  /** Step the run resumed from, 0 for a fresh run. */
  start_step: number;
  pid: number;
  time: string;
}

/**
 * The first event of a run: the backend chosen and why (issue 11 §5). `auto` times the run's model shape
 * on each hardware GPU and the native CPU path when both exist, or reuses a cached timing.
 */
export interface BackendEvent {
  type: 'backend';
  /** What the config (or --backend) asked for: auto or a backend name. */
  requested: string;
  backend: string;
  device: string;
  /** In words, e.g. "webgpu: 41 ms/step vs native 452 ms/step, timed now". */
  reason: string;
  /** Milliseconds per step of each backend timed (or cached) for this run's shape. */
  times?: Record<string, number>;
  /** When the cached timing was measured (ISO time), when the choice came from the cache. */
  cached_from?: string;
}

export interface MetricsEvent {
  type: 'metrics';
  split: 'train' | 'eval';
  row: MetricsRow;
}

export interface DistributionsEvent {
  type: 'distributions';
  row: DistributionsRow;
}

export interface CheckpointEvent {
  type: 'checkpoint';
  step: number;
  path: string;
}

export interface SampleEvent {
  type: 'sample';
  step: number;
  prompt: string;
  completion: string;
}

export interface WarningEvent {
  type: 'warning';
  message: string;
}

export interface FinishedEvent {
  type: 'finished';
  reason: FinishReason;
  step: number;
  run_dir: string;
  wall_s: number;
  /** The last train and eval metrics. */
  summary: Record<string, number>;
  /** A completed run's final model (RUN/final: a transformers directory without optimizer state). */
  model_dir?: string;
}

export interface ErrorEvent {
  type: 'error';
  message: string;
  step?: number;
  /** The last good checkpoint, when there is one. */
  checkpoint?: string;
}

export type EngineEvent =
  | BackendEvent
  | StartedEvent
  | MetricsEvent
  | DistributionsEvent
  | CheckpointEvent
  | SampleEvent
  | WarningEvent
  | FinishedEvent
  | ErrorEvent;

export type EventType = EngineEvent['type'];

/** Messages the engine accepts on stdin, one JSON object per line. */
export type ControlMessage = { type: 'stop' };

const str = (o: Obj, k: string) => typeof o[k] === 'string';
const num = (o: Obj, k: string) => typeof o[k] === 'number';
const optNum = (o: Obj, k: string) => o[k] === undefined || num(o, k);
const optStr = (o: Obj, k: string) => o[k] === undefined || str(o, k);
const numRecord = (v: unknown) => isObj(v) && Object.values(v).every((x) => typeof x === 'number' || x === null);
const numArray = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null);

function checkEvent(o: Obj): string | undefined {
  const t = o.type as EventType;
  switch (t) {
    case 'started':
      return ['run_dir', 'config', 'name', 'method', 'backend', 'device', 'time'].every((k) => str(o, k)) &&
        ['total_steps', 'start_step', 'pid'].every((k) => num(o, k)) ? undefined : 'started: missing or mistyped field';
    case 'backend':
      return ['requested', 'backend', 'device', 'reason'].every((k) => str(o, k)) && (o.times === undefined || numRecord(o.times)) && optStr(o, 'cached_from')
        ? undefined : 'backend: needs requested, backend, device, reason (times a numeric record, cached_from a string)';
    case 'metrics':
      return (o.split === 'train' || o.split === 'eval') && isObj(o.row) && num(o.row, 'step') && numRecord(o.row)
        ? undefined : 'metrics: needs split train|eval and a numeric row with step';
    case 'distributions':
      return isObj(o.row) && num(o.row, 'step') && DISTRIBUTION_KEYS.every((k) => numArray((o.row as Obj)[k]))
        ? undefined : 'distributions: needs step and per-example arrays';
    case 'checkpoint':
      return num(o, 'step') && str(o, 'path') ? undefined : 'checkpoint: needs step and path';
    case 'sample':
      return num(o, 'step') && str(o, 'prompt') && str(o, 'completion') ? undefined : 'sample: needs step, prompt, completion';
    case 'warning':
      return str(o, 'message') ? undefined : 'warning: needs message';
    case 'finished':
      return (o.reason === 'completed' || o.reason === 'stopped') && num(o, 'step') && str(o, 'run_dir') && num(o, 'wall_s') && numRecord(o.summary) && optStr(o, 'model_dir')
        ? undefined : 'finished: needs reason, step, run_dir, wall_s, summary';
    case 'error':
      return str(o, 'message') && optNum(o, 'step') && optStr(o, 'checkpoint') ? undefined : 'error: needs message';
    default: {
      const never: never = t;
      return `unknown event type ${JSON.stringify(never)}`;
    }
  }
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses and validates one stdout line of the engine. */
export function parseEvent(line: string): Parsed<EngineEvent> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, error: `not JSON: ${line.slice(0, 120)}` };
  }
  if (!isObj(v) || typeof v.type !== 'string') return { ok: false, error: 'an event must be an object with a string "type"' };
  const err = checkEvent(v);
  return err ? { ok: false, error: err } : { ok: true, value: v as unknown as EngineEvent };
}

/** Parses and validates one stdin line sent to the engine. */
export function parseControl(line: string): Parsed<ControlMessage> {
  try {
    const v: unknown = JSON.parse(line);
    if (isObj(v) && v.type === 'stop') return { ok: true, value: { type: 'stop' } };
    return { ok: false, error: `unknown control message: ${line.slice(0, 120)}` };
  } catch {
    return { ok: false, error: `not JSON: ${line.slice(0, 120)}` };
  }
}

/** Serialises an event as one stdout line (NaN/Infinity become null, which JSON cannot carry). */
export function formatEvent(e: EngineEvent): string {
  return JSON.stringify(e, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

// The message protocol between the VS Code host (src/extension/dashboard) and the dashboard webview,
// also used by the standalone report (window.postMessage). A discriminated union on `type`, validated
// on receipt on both sides (the webview cannot import vscode, so this file is the shared contract).
// Follows VS Code's webview guide: postMessage carries JSON-serialisable data only.
import { DISTRIBUTION_KEYS, type DistributionsRow, type MetricsRow } from './metrics';
import { isObj } from './json';

/** One generated sample, a line of DIR/samples.jsonl (the engine's SampleEvent without `type`). */
export interface SampleRow {
  step: number;
  prompt: string;
  completion: string;
}

/** What the dashboard knows about a run: from DIR/config.yaml. */
export interface RunInfo {
  /** Stable id, unique among the shown runs (the run directory). */
  id: string;
  name: string;
  method: string;
  dir: string;
  /** ORPO's λ (or DPO's β): scales log-probs into rewards. */
  lambda?: number;
}

export interface RunPayload {
  info: RunInfo;
  metrics: MetricsRow[];
  distributions: DistributionsRow[];
  samples: SampleRow[];
  /** Problems met while reading the run (bad lines, missing files), shown to the user. */
  problems: string[];
  /** The run's folder no longer exists (deleted or moved): the dashboard says so (goneText) instead of showing empty cards. */
  gone?: true;
}

/** What the dashboard says about a run whose folder no longer exists. */
export function goneText(dir: string): string {
  return `This run's folder ${dir} no longer exists: it was deleted or moved. Close this dashboard, or open another run from the Runs view.`;
}

/** Host → webview. */
export type HostMessage =
  | { type: 'runs'; runs: RunPayload[] }
  | { type: 'append'; runId: string; metrics: MetricsRow[]; distributions: DistributionsRow[]; samples: SampleRow[]; problems: string[] }
  | { type: 'reset'; runId: string }
  /** The run's folder was deleted or moved while shown. */
  | { type: 'gone'; runId: string };

/** Webview → host. */
export type ViewMessage =
  | { type: 'ready' }
  /** Save a file: `data` is UTF-8 text for csv, base64 for png. */
  | { type: 'save'; kind: 'csv' | 'png'; filename: string; data: string }
  | { type: 'error'; message: string };

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const isNumOrNull = (x: unknown) => typeof x === 'number' || x === null;

function checkMetricsRow(v: unknown): boolean {
  return isObj(v) && typeof v.step === 'number' && Object.values(v).every(isNumOrNull);
}
function checkDistRow(v: unknown): boolean {
  return isObj(v) && typeof v.step === 'number' && DISTRIBUTION_KEYS.every((k) => Array.isArray(v[k]) && (v[k] as unknown[]).every(isNumOrNull));
}
function checkSample(v: unknown): boolean {
  return isObj(v) && typeof v.step === 'number' && typeof v.prompt === 'string' && typeof v.completion === 'string';
}
const arrayOf = (v: unknown, f: (x: unknown) => boolean) => Array.isArray(v) && v.every(f);
const strings = (v: unknown) => arrayOf(v, (x) => typeof x === 'string');

function checkInfo(v: unknown): boolean {
  return isObj(v) && ['id', 'name', 'method', 'dir'].every((k) => typeof v[k] === 'string') && (v.lambda === undefined || typeof v.lambda === 'number');
}
function checkPayload(v: unknown): boolean {
  return isObj(v) && checkInfo(v.info) && arrayOf(v.metrics, checkMetricsRow) && arrayOf(v.distributions, checkDistRow) &&
    arrayOf(v.samples, checkSample) && strings(v.problems) && (v.gone === undefined || v.gone === true);
}

/** Validates a message received by the webview. */
export function parseHostMessage(v: unknown): Checked<HostMessage> {
  if (!isObj(v) || typeof v.type !== 'string') return { ok: false, error: 'message must be an object with a string "type"' };
  const t = v.type as HostMessage['type'];
  switch (t) {
    case 'runs':
      return arrayOf(v.runs, checkPayload) ? { ok: true, value: v as unknown as HostMessage } : { ok: false, error: 'runs: expected runs[] of {info, metrics, distributions, samples, problems}' };
    case 'append':
      return typeof v.runId === 'string' && arrayOf(v.metrics, checkMetricsRow) && arrayOf(v.distributions, checkDistRow) && arrayOf(v.samples, checkSample) && strings(v.problems)
        ? { ok: true, value: v as unknown as HostMessage }
        : { ok: false, error: 'append: expected runId, metrics[], distributions[], samples[], problems[]' };
    case 'reset':
    case 'gone':
      return typeof v.runId === 'string' ? { ok: true, value: v as unknown as HostMessage } : { ok: false, error: `${t}: expected runId` };
    default: {
      const never: never = t;
      return { ok: false, error: `unknown message type ${JSON.stringify(never)}` };
    }
  }
}

/** Validates a message received by the host. */
export function parseViewMessage(v: unknown): Checked<ViewMessage> {
  if (!isObj(v) || typeof v.type !== 'string') return { ok: false, error: 'message must be an object with a string "type"' };
  const t = v.type as ViewMessage['type'];
  switch (t) {
    case 'ready':
      return { ok: true, value: { type: 'ready' } };
    case 'save':
      return (v.kind === 'csv' || v.kind === 'png') && typeof v.filename === 'string' && /^[\w.@+-]+$/.test(v.filename) && typeof v.data === 'string'
        ? { ok: true, value: v as unknown as ViewMessage }
        : { ok: false, error: 'save: expected kind csv|png, a plain file name and string data' };
    case 'error':
      return typeof v.message === 'string' ? { ok: true, value: { type: 'error', message: v.message } } : { ok: false, error: 'error: expected message' };
    default: {
      const never: never = t;
      return { ok: false, error: `unknown message type ${JSON.stringify(never)}` };
    }
  }
}

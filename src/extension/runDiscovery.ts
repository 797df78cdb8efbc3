// Run discovery: finds run directories (issue 2's layout: config.yaml, metrics.jsonl,
// distributions.jsonl, checkpoints/checkpoint-N/) under the runs directories and reads what the Runs view
// shows: status, progress, last metrics, checkpoints. No vscode import, so Node tests cover it.
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { EVAL_PREFIX, type MetricsRow } from '../common/metrics';
import { LOCK_FILE, parseLockOwner, type LockOwner } from '../common/runLockFile';
import { ENGINE_FILE, parseEngineInfo, type EngineInfo } from '../common/runEngine';
import { hostname } from 'node:os';

/** `running` only for runs the run manager owns; `incomplete` = stopped or crashed earlier, outcome unknown. */
export type PastStatus = 'completed' | 'stopped' | 'failed' | 'incomplete';

export interface Checkpoint {
  step: number;
  path: string;
}

export interface RunSummary {
  dir: string;
  name: string;
  status: PastStatus;
  configFile?: string;
  method?: string;
  totalSteps?: number;
  lastStep: number;
  lastTrain?: MetricsRow;
  lastEval?: MetricsRow;
  checkpoints: Checkpoint[];
  /** The final model (RUN/final, written when a run completes: a transformers directory for model.from). */
  finalModel?: string;
  /** The engine that wrote the run (DIR/engine.json; none: ORPO Lab's). Undefined when that file is unreadable. */
  engine?: EngineInfo;
  engineProblem?: string;
  /** Last modification of metrics.jsonl (or the directory), ms since the epoch. */
  mtime: number;
}

const TAIL_BYTES = 64 * 1024;

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

/** Whether a directory looks like a run: a resolved config plus metrics or checkpoints. */
export async function isRunDir(dir: string): Promise<boolean> {
  if (!(await exists(join(dir, 'config.yaml')))) return false;
  return (await exists(join(dir, 'metrics.jsonl'))) || (await exists(join(dir, 'checkpoints')));
}

/**
 * The process that holds DIR/run.lock and may still be writing there: a live process on this host, or
 * any owner on another host (its liveness cannot be checked from here). Undefined when there is no
 * lock, or its process on this host is gone (a stale lock after kill -9).
 */
export async function lockHolder(dir: string, host = hostname()): Promise<LockOwner | undefined> {
  const owner = parseLockOwner(await readFile(join(dir, LOCK_FILE), 'utf8').catch(() => ''));
  if (!owner) return undefined;
  if (owner.host !== host) return owner;
  try {
    process.kill(owner.pid, 0);
    return owner;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? owner : undefined;
  }
}

/** The last bytes of a file, cut to whole lines. */
async function readTail(file: string, bytes: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await fh.close();
  }
}

/** The last train row and the last eval row of metrics.jsonl text; unreadable lines are skipped. */
export function lastMetrics(text: string): { train?: MetricsRow; eval?: MetricsRow } {
  const out: { train?: MetricsRow; eval?: MetricsRow } = {};
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0 && !(out.train && out.eval); i--) {
    const line = lines[i]?.trim();
    if (!line) continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      continue; // a half-written last line while the run writes
    }
    if (typeof row !== 'object' || row === null || typeof (row as { step?: unknown }).step !== 'number') continue;
    const isEval = Object.keys(row).some((k) => k.startsWith(EVAL_PREFIX));
    if (isEval) out.eval ??= row as MetricsRow;
    else out.train ??= row as MetricsRow;
  }
  return out;
}

export async function listCheckpoints(dir: string): Promise<Checkpoint[]> {
  const names = await readdir(join(dir, 'checkpoints')).catch(() => [] as string[]);
  return names
    .map((n) => ({ n, m: /^(?:checkpoint|step)-(\d+)$/.exec(n) })) // checkpoint-N; step-N in runs written before
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .map(({ n, m }) => ({ step: Number(m[1]), path: join(dir, 'checkpoints', n) }))
    .sort((a, b) => a.step - b.step);
}

/** Reads one run directory; undefined if it is not one. `known` is a status recorded when the run ended. */
export async function readRun(dir: string, known?: PastStatus): Promise<RunSummary | undefined> {
  if (!(await isRunDir(dir))) return undefined;
  let cfg: Record<string, unknown> = {};
  try {
    const v: unknown = parse(await readFile(join(dir, 'config.yaml'), 'utf8'));
    if (typeof v === 'object' && v !== null) cfg = v as Record<string, unknown>;
  } catch {
    // A damaged config.yaml still leaves the metrics worth showing.
  }
  const train = (typeof cfg.train === 'object' && cfg.train !== null ? cfg.train : {}) as Record<string, unknown>;
  const metricsFile = join(dir, 'metrics.jsonl');
  const text = await readTail(metricsFile, TAIL_BYTES).catch(() => '');
  const last = lastMetrics(text);
  const checkpoints = await listCheckpoints(dir);
  // A folder deleted while it is read is no run (rather than a failed refresh of the whole view).
  const info = await stat(metricsFile).catch(() => stat(dir)).catch(() => undefined);
  if (!info) return undefined;
  const mtime = info.mtimeMs;
  const engine = parseEngineInfo(await readFile(join(dir, ENGINE_FILE), 'utf8').catch(() => undefined), join(dir, ENGINE_FILE));
  const totalSteps = typeof train.max_steps === 'number' ? train.max_steps : undefined;
  const lastStep = Math.max(last.train?.step ?? 0, last.eval?.step ?? 0, checkpoints.at(-1)?.step ?? 0);
  const finalModel = (await exists(join(dir, 'final', 'config.json'))) ? join(dir, 'final') : undefined;
  const done = finalModel !== undefined || (totalSteps !== undefined && (checkpoints.at(-1)?.step ?? 0) >= totalSteps);
  const summary: RunSummary = {
    dir,
    name: typeof cfg.name === 'string' ? cfg.name : basename(dir),
    status: known ?? (done ? 'completed' : 'incomplete'),
    configFile: join(dir, 'config.yaml'),
    lastStep,
    checkpoints,
    mtime,
    ...(engine.ok ? { engine: engine.value } : { engineProblem: engine.error }),
  };
  if (typeof cfg.method === 'string') summary.method = cfg.method;
  if (totalSteps !== undefined) summary.totalSteps = totalSteps;
  if (last.train) summary.lastTrain = last.train;
  if (last.eval) summary.lastEval = last.eval;
  if (finalModel) summary.finalModel = finalModel;
  return summary;
}

/**
 * Every run directly under each runs directory (a runs directory may itself be a run), newest first.
 * Missing directories are skipped; each run appears once. `extra`: run directories found elsewhere
 * (a sweep's variants, one level deeper).
 */
export async function discoverRuns(runsDirs: readonly string[], known: (dir: string) => PastStatus | undefined = () => undefined, extra: readonly string[] = []): Promise<RunSummary[]> {
  const candidates = new Set<string>(extra);
  for (const root of runsDirs) {
    candidates.add(root);
    const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) candidates.add(join(root, e.name));
  }
  const runs = await Promise.all([...candidates].map((d) => readRun(d, known(d))));
  return runs.filter((r): r is RunSummary => r !== undefined).sort((a, b) => b.mtime - a.mtime);
}

const KEY_METRICS = ['loss', 'rewards/accuracies', 'rewards/margins', 'log_odds_ratio', 'nll_loss', 'eval/loss', 'eval/rewards/accuracies', 'eval/rewards/margins'] as const;

/** The key metrics of a run as `name: value` lines (last train row, then last eval row). */
export function keyMetricLines(train?: MetricsRow, evalRow?: MetricsRow): string[] {
  const lines: string[] = [];
  for (const k of KEY_METRICS) {
    const v = (k.startsWith(EVAL_PREFIX) ? evalRow : train)?.[k];
    if (typeof v === 'number') lines.push(`${k}: ${formatNumber(v)}`);
  }
  return lines;
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/** Where a config's runs go: its `output_dir` (default `runs`) relative to the config file. */
export function outputDirOf(configPath: string, configText: string): string {
  let out = 'runs';
  try {
    const v: unknown = parse(configText);
    const o = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).output_dir : undefined;
    if (typeof o === 'string' && o.trim() !== '') out = o.trim();
  } catch {
    // An unparsable config (being edited) still has the default runs directory.
  }
  return isAbsolute(out) ? out : resolve(dirname(configPath), out);
}

/** The `name` of a config, if it has a string one. */
export function configNameOf(configText: string): string | undefined {
  try {
    const v: unknown = parse(configText);
    const n = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).name : undefined;
    return typeof n === 'string' ? n : undefined;
  } catch {
    return undefined;
  }
}

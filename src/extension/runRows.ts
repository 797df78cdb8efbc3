// The rows of the Runs view, from what is on disk (run discovery) and what the run manager holds, as
// a pure function (no `vscode`), so Node tests cover it (issue 12, point 1). One row per run folder,
// never per process: the manager keeps a state per launch, and a stopped then resumed run has two
// states for one folder; only the most recently launched one is merged into the folder's row. A folder
// that is gone from disk and has no live process has no row. Order: live runs first (newest launch
// first), then every other run newest first (last write to metrics.jsonl).
import { resolve, sep } from 'node:path';
import type { LockOwner } from '../common/runLockFile';
import type { PastStatus, RunSummary } from './runDiscovery';
import { isLive, type RunState, type RunStatus } from './runManager';

/** One row: a run folder (with the latest live state merged in), or a launch whose folder is not known yet. */
export interface RunNode {
  /** The folder (resolved), or `launch:<id>` for a run that has not reported its folder yet. */
  key: string;
  /** The folder's name, or the config's file name before the folder is known. */
  name: string;
  dir?: string;
  status: RunStatus | PastStatus;
  live?: RunState;
  past?: RunSummary;
}

/** A folder as a comparable key (absolute, normalised). */
export function dirKey(dir: string): string {
  return resolve(dir);
}

export function baseName(p: string): string {
  return p.replace(/[\\/]+$/, '').replace(/^.*[\\/]/, '');
}

/** What notifications and the status bar call a run: its folder's name, or its config's before the folder exists. */
export function runLabel(run: Pick<RunState, 'runDir' | 'configPath'>): string {
  return baseName(run.runDir ?? run.configPath);
}

/** Whether `a` launched after `b` (launch time, then launch order). */
function newer(a: RunState, b: RunState): boolean {
  return a.launchedAt !== b.launchedAt ? a.launchedAt > b.launchedAt : a.seq > b.seq;
}

/** The most recently launched state per folder; older states of a folder are dropped. */
export function latestByDir(states: readonly RunState[]): Map<string, RunState> {
  const byDir = new Map<string, RunState>();
  for (const s of states) {
    if (s.runDir === undefined) continue;
    const k = dirKey(s.runDir);
    const prev = byDir.get(k);
    if (!prev || newer(s, prev)) byDir.set(k, s);
  }
  return byDir;
}

/** The rows of the Runs view: one per folder on disk or written by a live process, ordered (see header). */
export function runRows(states: readonly RunState[], past: readonly RunSummary[]): RunNode[] {
  const latest = latestByDir(states);
  const rows: RunNode[] = [];
  const seen = new Set<string>();
  for (const p of past) {
    const k = dirKey(p.dir);
    if (seen.has(k)) continue;
    seen.add(k);
    const live = latest.get(k);
    rows.push({ key: k, name: baseName(p.dir), dir: p.dir, status: live?.status ?? p.status, past: p, ...(live ? { live } : {}) });
  }
  for (const [k, s] of latest) {
    // Not on disk as a run: shown only while a process writes there (it may not have written yet).
    if (seen.has(k) || !isLive(s)) continue;
    seen.add(k);
    rows.push({ key: k, name: baseName(k), dir: s.runDir as string, status: s.status, live: s });
  }
  for (const s of states) {
    if (s.runDir === undefined && isLive(s)) rows.push({ key: `launch:${s.id}`, name: s.name ?? baseName(s.configPath), status: s.status, live: s });
  }
  return rows.sort(compareRows);
}

function isLiveRow(n: RunNode): boolean {
  return n.live !== undefined && isLive(n.live);
}

function compareRows(a: RunNode, b: RunNode): number {
  const la = isLiveRow(a);
  const lb = isLiveRow(b);
  if (la !== lb) return la ? -1 : 1;
  if (la && a.live && b.live) return newer(a.live, b.live) ? -1 : newer(b.live, a.live) ? 1 : 0;
  const ta = a.past?.mtime ?? 0;
  const tb = b.past?.mtime ?? 0;
  // Same time: folder names end in their start time, so the later name is the newer run.
  return ta !== tb ? tb - ta : b.key.localeCompare(a.key);
}

/**
 * The row's step and total, as "4/50" or "step 4": the process's once the engine has started (or
 * when there is nothing on disk), else what the folder holds (a resumed run starts at its checkpoint).
 */
export function progressText(n: RunNode): string {
  const fromLive = n.live !== undefined && (n.live.started !== undefined || !n.past);
  const step = (fromLive ? n.live?.step : n.past?.lastStep) ?? 0;
  const total = n.live?.totalSteps ?? n.past?.totalSteps;
  return total ? `${step}/${total}` : `step ${step}`;
}

/** A live process belongs to the row (its latest state is running, starting or stopping). */
export const liveRow = isLiveRow;

export function checkpointCount(n: RunNode): number {
  return Math.max(n.past?.checkpoints.length ?? 0, n.live?.lastCheckpoint !== undefined ? 1 : 0);
}

/** Can be resumed: a folder with a checkpoint, not completed, no live process. */
export function resumable(n: RunNode): boolean {
  return !isLiveRow(n) && n.dir !== undefined && n.status !== 'completed' && checkpointCount(n) > 0;
}

/** Why a row (undefined: no run folder on disk) cannot be resumed now, for people; undefined when it can. */
export function resumeRefusal(n: RunNode | undefined): string | undefined {
  if (!n?.dir || (!n.past && !isLiveRow(n))) return 'its folder is no longer a run on disk';
  if (isLiveRow(n)) return `it is ${n.status}`;
  if (n.status === 'completed') return 'it has completed';
  if (checkpointCount(n) === 0) return 'it has no checkpoint';
  if (n.past?.engineProblem) return `the engine it was started with is unknown (${n.past.engineProblem})`;
  return undefined;
}

/** Can be deleted from the view: a folder on disk with no live process. */
export function deletable(n: RunNode): boolean {
  return !isLiveRow(n) && n.dir !== undefined && n.past !== undefined;
}

/** Flags the package.json menus test with `viewItem =~ /\bflag\b/`. */
export function contextValue(n: RunNode): string {
  const flags = ['orpoRun', isLiveRow(n) ? 'live' : 'past'];
  if (checkpointCount(n) > 0) flags.push('checkpoint');
  if (resumable(n)) flags.push('resumable');
  if (n.live) flags.push('haslog');
  return flags.join(' ');
}

/**
 * Why a folder must not be deleted now, checked at the moment of deleting: a live process writes into
 * it (or into a folder inside it), or it is no longer a run on disk. Undefined when deleting is safe.
 */
export function deleteRefusal(dir: string, states: readonly RunState[], onDisk: boolean, lock?: LockOwner): string | undefined {
  const k = dirKey(dir);
  const writer = states.find((s) => isLive(s) && s.runDir !== undefined && (dirKey(s.runDir) === k || dirKey(s.runDir).startsWith(k + sep)));
  if (writer) return `a run is writing into ${writer.runDir} (${writer.status}): stop it first`;
  // A run this window did not start (another window, a terminal) holds the folder's run.lock.
  if (lock) return `process ${lock.pid} on ${lock.host} (started ${lock.started}) is writing into it: stop that run first`;
  if (!onDisk) return `${dir} is no longer a run folder on disk`;
  return undefined;
}

/** The live runs started from this config (by its path), for "already running" questions. */
export function liveRunsOfConfig(states: readonly RunState[], configPath: string): RunState[] {
  const k = resolve(configPath);
  return states.filter((s) => isLive(s) && (resolve(s.configPath) === k || (s.started?.config !== undefined && resolve(s.started.config) === k)));
}

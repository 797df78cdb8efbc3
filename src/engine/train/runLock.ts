// One writer per run directory. A fresh run directory is created atomically (mkdir of the final
// component without `recursive`, a numeric suffix on EEXIST), before any data is read, and every run,
// fresh or resumed, holds DIR/run.lock: an exclusively created file naming the owning process (pid,
// host, start time). A second writer is refused with the owner named; a lock whose process is gone
// (same host, pid no longer alive, e.g. after kill -9) is stale and taken over.
// Reference: the lock-file convention of git's index.lock (O_CREAT|O_EXCL), with a liveness check.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { LOCK_FILE, parseLockOwner, type LockOwner } from '../../common/runLockFile';

export { LOCK_FILE, type LockOwner } from '../../common/runLockFile';

/** Refusal to write a run directory that another process owns or that holds a finished run. */
export class RunDirError extends Error {}

/** `<name>-<YYYYMMDD-HHMMSS>` in local time, with unsafe characters replaced. */
export function runDirName(name: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const safe = basename(name).replace(/[^A-Za-z0-9._-]+/g, '-') || 'run';
  return `${safe}-${stamp}`;
}

/** Creates a new, empty run directory under `base` atomically: `<name>-<stamp>`, then `-2`, `-3`, ... */
export function createRunDir(base: string, name: string, now = new Date()): string {
  mkdirSync(base, { recursive: true });
  const stem = join(base, runDirName(name, now));
  for (let i = 1; i < 10_000; i++) {
    const dir = i === 1 ? stem : `${stem}-${i}`;
    try {
      mkdirSync(dir); // not recursive: EEXIST when another run took this name first
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new RunDirError(`${stem}: could not find a free run directory name`);
}

/** Whether process `pid` runs on this host (EPERM: it does, as another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return parseLockOwner(readFileSync(path, 'utf8'));
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The live process on this host that holds DIR/run.lock, if any (a dead owner's lock is stale). */
export function liveLockOwner(dir: string): LockOwner | undefined {
  const owner = readOwner(join(dir, LOCK_FILE));
  return owner && owner.host === hostname() && alive(owner.pid) ? owner : undefined;
}

/** A held lock; `release` is idempotent and also runs when the process exits. */
export interface RunLock {
  dir: string;
  release(): void;
}

/**
 * Takes DIR/run.lock for this process (DIR must exist). Throws RunDirError naming the owner when a
 * live process holds it. A lock left by a dead process on this host is replaced (and said so via `log`).
 */
export function acquireRunLock(dir: string, log: (line: string) => void = () => undefined): RunLock {
  const path = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = readOwner(path);
      if (owner && owner.host === me.host && !alive(owner.pid)) {
        log(`${path}: removing a stale lock of process ${owner.pid} (started ${owner.started}), which is no longer running`);
        rmSync(path, { force: true });
        continue;
      }
      if (!owner && attempt === 0) {
        // The owner may be between creating and writing the file: look again shortly.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
        continue;
      }
      const who = owner ? `process ${owner.pid} on ${owner.host} (started ${owner.started})` : 'another process (unreadable lock file)';
      throw new RunDirError(`${dir} is in use by ${who}; wait for it to finish or stop it, or choose another output directory. If that process is gone, delete ${path}.`);
    }
    writeSync(fd, JSON.stringify(me) + '\n');
    closeSync(fd);
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      process.off('exit', release);
      const cur = readOwner(path);
      if (cur && cur.pid === me.pid && cur.host === me.host) rmSync(path, { force: true });
    };
    process.on('exit', release);
    return { dir, release };
  }
  throw new RunDirError(`${path}: could not take the run lock`);
}

/** Whether DIR already holds a run (its config, metrics or checkpoints). */
export function holdsRun(dir: string): boolean {
  return ['config.yaml', 'metrics.jsonl', 'checkpoints'].some((f) => existsSync(join(dir, f)));
}

/**
 * Opens the explicit `--out DIR` of a new run: creates it (parents too) and takes its lock. A directory
 * that already holds a run is refused: a run's files are never appended to by another run.
 */
export function claimOutDir(dir: string, log?: (line: string) => void): RunLock {
  mkdirSync(dir, { recursive: true });
  const lock = acquireRunLock(dir, log);
  if (holdsRun(dir)) {
    lock.release();
    throw new RunDirError(`${dir} already holds a run (config.yaml, metrics.jsonl or checkpoints/); continue it with --resume ${dir}, or choose a new --out directory. Nothing was written.`);
  }
  return lock;
}

/** Removes a run directory this process created when the run failed before writing anything into it. */
export function removeIfEmpty(dir: string): void {
  try {
    const left = readdirSync(dir).filter((n) => n !== LOCK_FILE && n !== 'checkpoints');
    const ck = join(dir, 'checkpoints');
    if (left.length === 0 && (!existsSync(ck) || readdirSync(ck).length === 0)) {
      rmSync(join(dir, LOCK_FILE), { force: true });
      rmSync(ck, { recursive: true, force: true });
      rmdirSync(dir);
    }
  } catch {
    // best effort: an empty directory left behind is harmless
  }
}

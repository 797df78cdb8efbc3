// The run directory's lock file, RUN_DIR/run.lock, as the engine writes it and the extension reads it
// (issue 12: one writer per run directory; no UI action deletes a folder a run is writing into, even a
// run started from another window or a terminal). One JSON line naming the owning process.
export const LOCK_FILE = 'run.lock';

export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the owner took the lock. */
  started: string;
}

/** The owner named by a lock file's text; undefined for torn or foreign content. */
export function parseLockOwner(text: string): LockOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0 && typeof v.host === 'string' && typeof v.started === 'string') {
      return { pid: v.pid, host: v.host, started: v.started };
    }
  } catch {
    // not JSON: no owner
  }
  return undefined;
}

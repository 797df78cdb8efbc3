// A sweep variant follows its sweep (issue 15): `orpo-lab sweep` starts each variant's `train` with
// ORPO_LAB_PARENT_PID set to its own pid. When that process dies, even by kill -9 (no signal handler
// runs), the variant notices within a second, because its parent pid changes (the orphan is re-parented)
// or its stdin pipe reaches end of file, and stops at a checkpoint like any stop, so that
// `orpo-lab sweep --resume` continues it. Writes to the dead parent's pipes fail with EPIPE; they are
// dropped instead of crashing the variant (its files in the run directory hold everything).
// Same idea as Linux's prctl(PR_SET_PDEATHSIG), without native code.

import { alive } from '../train/runLock';

export const PARENT_ENV = 'ORPO_LAB_PARENT_PID';

/** The parent pid to follow, from the environment; undefined when not started by a sweep. */
export function parentToFollow(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env[PARENT_ENV];
  return v && /^[1-9]\d*$/.test(v) ? Number(v) : undefined;
}

/** A parent being watched: `check` looks now (e.g. when stdin reaches its end); `stop` ends the watch. */
export interface ParentWatch {
  check(): void;
  stop(): void;
}

/**
 * Calls `onGone` once, with a sentence, when the parent `pid` has died; checks every `intervalMs` and on
 * `check()`. A failed write to stdout or stderr (EPIPE once the parent's ends are closed) is not fatal:
 * it only makes the watch look at once.
 */
export function watchParent(pid: number, onGone: (why: string) => void, intervalMs = 500): ParentWatch {
  let done = false;
  const check = (): void => {
    if (done) return;
    const how = process.ppid !== pid ? `this process now has parent ${process.ppid}` : !alive(pid) ? 'it no longer runs' : undefined;
    if (!how) return;
    done = true;
    clearInterval(timer);
    onGone(`the sweep process ${pid} that started this variant is gone (${how}); stopping at a checkpoint so that orpo-lab sweep --resume continues it`);
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  process.stdout.on('error', check);
  process.stderr.on('error', check);
  return {
    check,
    stop: () => {
      done = true;
      clearInterval(timer);
    },
  };
}

// A stop (SIGTERM, SIGINT) that arrives while `orpo-lab train` is still loading its modules would kill
// the process with no event at all (exit 143). bin/orpo-lab.js (before it loads the bundle) and cli.ts
// (when run from source) hold such signals: they are only recorded, in one state object shared through
// Symbol.for, and train.ts takes them over with its own handlers and ends the run with a `finished`
// (stopped) event.

interface Held {
  signal?: NodeJS.Signals;
  record: (sig: NodeJS.Signals) => void;
}

const KEY = Symbol.for('orpo-lab.heldStop');
type WithHeld = NodeJS.Process & { [KEY]?: Held };

/** Records SIGTERM and SIGINT instead of dying, until takeHeldStop() is called; idempotent. */
export function holdStopSignals(): void {
  const p = process as WithHeld;
  if (p[KEY]) return;
  const held: Held = { record: (sig) => { held.signal ??= sig; } };
  p[KEY] = held;
  process.on('SIGTERM', held.record);
  process.on('SIGINT', held.record);
}

/** Removes the holding handlers (call after installing the real ones); returns a signal received meanwhile. */
export function takeHeldStop(): NodeJS.Signals | undefined {
  const p = process as WithHeld;
  const held = p[KEY];
  if (!held) return undefined;
  process.off('SIGTERM', held.record);
  process.off('SIGINT', held.record);
  delete p[KEY];
  return held.signal;
}

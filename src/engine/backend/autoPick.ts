// `backend: auto` between hardware GPUs and the native CPU path (issue 11 §5): the pick from measured
// milliseconds per step of the run's own model shape, and the words the first event gives for it.
// Pure: the timing itself is timeStep.ts, the cache autoCache.ts.

/** One candidate's measurement: milliseconds per step, or why it could not be timed (e.g. out of memory). */
export type Timed = { backend: string; ms: number } | { backend: string; error: string };

export interface Choice {
  backend: string;
  reason: string;
  /** Milliseconds per step of every candidate timed. */
  times: Record<string, number>;
  /** ISO time of the cached measurement, when it came from the cache. */
  cachedFrom?: string;
}

const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms/step`;

/** "webgpu: 41 ms/step vs native 452 ms/step" (the chosen first, the others by time). */
export function timesText(backend: string, times: Record<string, number>): string {
  const others = Object.entries(times).filter(([b]) => b !== backend).sort((a, b) => a[1] - b[1]);
  const chosen = times[backend];
  return `${backend}: ${chosen === undefined ? 'not timed' : ms(chosen)}${others.length ? ` vs ${others.map(([b, t]) => `${b} ${ms(t)}`).join(', ')}` : ''}`;
}

/** The fastest candidate that was timed; undefined when none was. Ties keep the earlier candidate. */
export function pickFastest(timed: readonly Timed[]): Choice | undefined {
  const ok = timed.filter((t): t is { backend: string; ms: number } => 'ms' in t && Number.isFinite(t.ms) && t.ms > 0);
  if (ok.length === 0) return undefined;
  const best = ok.reduce((a, b) => (b.ms < a.ms ? b : a));
  const times = Object.fromEntries(ok.map((t) => [t.backend, Math.round(t.ms * 10) / 10]));
  const failed = timed.filter((t): t is { backend: string; error: string } => 'error' in t);
  const notes = failed.map((f) => `; ${f.backend} could not be timed (${f.error})`).join('');
  return { backend: best.backend, times, reason: `${timesText(best.backend, times)}, timed now${notes}` };
}

/** A cached pick, when its backend is among today's candidates. */
export function fromCache(entry: { backend: string; times: Record<string, number>; date: string }, candidates: readonly string[]): Choice | undefined {
  if (!candidates.includes(entry.backend)) return undefined;
  return { backend: entry.backend, times: entry.times, cachedFrom: entry.date, reason: `${timesText(entry.backend, entry.times)}, cached from ${entry.date}` };
}

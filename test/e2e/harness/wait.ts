// Bounded polling for the end-to-end tests: check a condition until it holds or a deadline passes,
// then fail naming what was awaited. The only waiting the tests do; no fixed sleeps.
import { setTimeout as delay } from 'node:timers/promises';

/** Polls `check` until it returns a value other than undefined/false; throws after `timeoutMs`. */
export async function waitUntil<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, what: string, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      // An error that names an early exit is final; others (element detached...) are retried.
      if (e instanceof Error && /exited early/.test(e.message)) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${why}`);
    }
    await delay(intervalMs);
  }
}

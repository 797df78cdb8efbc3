// The code lens on `sweep:` (issue 15): "▶ Start ORPO sweep: 36 runs, about 18 min". The time is
// steps per variant × seconds per step, the step time measured from the newest run of this config under
// its output_dir (metrics.jsonl: the last row's `time` / `step`, so evaluation and checkpoints count),
// or DEFAULT_STEP_SECONDS when there is none (documented in docs/lsp.md).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SWEEP_KEY, applyVariant, expandGrid, gridSize, readSweep, MAX_SWEEP_RUNS } from '../../common/sweep';
import { keyRange, parseConfig } from './document';
import type { CodeLens } from './types';
import { asObj } from '../../common/json';

export const START_SWEEP_COMMAND = 'orpoLab.startSweep';
/** Seconds per optimizer step assumed without a measured run: the embedded default on 2 idle CPU cores (36 s for 300 steps, docs/benchmarks.md). */
export const DEFAULT_STEP_SECONDS = 0.12;


/** A run's seconds per step from its metrics.jsonl text, when it has a row with time and step. */
export function stepSeconds(metricsText: string): { seconds: number; steps: number } | undefined {
  const lines = metricsText.split('\n').filter((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const r = JSON.parse(lines[i] as string) as { step?: unknown; time?: unknown };
      if (typeof r.step === 'number' && typeof r.time === 'number' && r.step > 0 && r.time > 0) return { seconds: r.time / r.step, steps: r.step };
    } catch {
      // a torn last line of a killed run
    }
  }
  return undefined;
}

/** The newest metrics.jsonl of a run named `<name>-…` under `outDir` (a plain run or a sweep variant). */
export function newestMetrics(outDir: string, name: string): string | undefined {
  const found: { file: string; mtime: number }[] = [];
  const consider = (file: string) => {
    try {
      found.push({ file, mtime: fs.statSync(file).mtimeMs });
    } catch {
      // not there
    }
  };
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(outDir).filter((e) => e.startsWith(name + '-'));
  } catch {
    return undefined;
  }
  for (const e of entries.slice(-200)) {
    const dir = path.join(outDir, e);
    consider(path.join(dir, 'metrics.jsonl'));
    try {
      for (const v of fs.readdirSync(dir).slice(0, MAX_SWEEP_RUNS)) consider(path.join(dir, v, 'metrics.jsonl'));
    } catch {
      // a file, not a folder
    }
  }
  found.sort((a, b) => b.mtime - a.mtime);
  return found[0]?.file;
}

/** "18 min", "2 h 5 min", "40 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  const min = Math.round(seconds / 60);
  return min < 120 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** The lens title, or undefined when the config has no usable sweep. */
export function sweepLensTitle(value: unknown, configPath: string): string | undefined {
  const sweep = readSweep(value);
  if (!sweep) return undefined;
  const n = gridSize(sweep);
  if (!Number.isFinite(n) || n <= 0 || n > MAX_SWEEP_RUNS) return '▶ Start ORPO sweep (fix the sweep first)';
  const runs = `${n} run${n === 1 ? '' : 's'}`;
  const root = asObj(value);
  const outDir = configPath ? path.resolve(path.dirname(configPath), typeof root.output_dir === 'string' ? root.output_dir : 'runs') : '';
  const name = typeof root.name === 'string' ? root.name : '';
  const metricsFile = outDir && name ? newestMetrics(outDir, name) : undefined;
  let measured: { seconds: number; steps: number } | undefined;
  try {
    measured = metricsFile ? stepSeconds(fs.readFileSync(metricsFile, 'utf8')) : undefined;
  } catch {
    measured = undefined;
  }
  let steps = 0;
  for (const v of expandGrid(sweep)) {
    const s = asObj(applyVariant(value, v.values).train).max_steps;
    const perVariant = typeof s === 'number' && s > 0 ? s : measured?.steps;
    if (perVariant === undefined) return `▶ Start ORPO sweep: ${runs}`;
    steps += perVariant;
  }
  const secs = steps * (measured?.seconds ?? DEFAULT_STEP_SECONDS);
  return `▶ Start ORPO sweep: ${runs}, about ${formatDuration(secs)}${measured ? '' : ` (assuming ${DEFAULT_STEP_SECONDS} s/step)`}`;
}

/** The lens on the `sweep:` key, when the document has one. */
export function sweepLenses(text: string, uri: string): CodeLens[] {
  try {
    const p = parseConfig(text);
    const title = sweepLensTitle(p.value, uri.startsWith('file:') ? fileURLToPath(uri) : '');
    if (!title) return [];
    const r = keyRange(p, [SWEEP_KEY]);
    return [{ range: { start: r.start, end: r.start }, command: { title, command: START_SWEEP_COMMAND, arguments: [uri] } }];
  } catch {
    return [];
  }
}

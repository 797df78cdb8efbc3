// Metrics export as CSV (RFC 4180: comma-separated, CRLF line ends, fields holding a comma, quote or
// newline are quoted with quotes doubled). One line per logged row of each run, train and eval rows
// merged in step order: run, method, split, step, epoch, time, then every metric name of any run
// (eval rows without their `eval/` prefix; `split` tells them apart). Derived series are left out.
import { OR_TERM, type SplitSeries } from './series';

export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface CsvRun {
  name: string;
  method: string;
  train: SplitSeries;
  eval: SplitSeries;
}

export function metricsCsv(runs: readonly CsvRun[]): string {
  const keys = new Set<string>();
  for (const r of runs) for (const s of [r.train, r.eval]) for (const k of s.keys()) if (k !== OR_TERM) keys.add(k);
  const metricKeys = [...keys].sort();
  const out = [['run', 'method', 'split', 'step', 'epoch', 'time', ...metricKeys].map(csvField).join(',')];
  for (const r of runs) {
    let i = 0;
    let j = 0;
    const line = (s: SplitSeries, split: string, k: number) =>
      [r.name, r.method, split, s.step.buf[k], s.epoch.buf[k], s.time.buf[k], ...metricKeys.map((m) => s.column(m)?.[k])].map(csvField).join(',');
    while (i < r.train.length || j < r.eval.length) {
      const takeTrain = j >= r.eval.length || (i < r.train.length && (r.train.step.buf[i] as number) <= (r.eval.step.buf[j] as number));
      if (takeTrain) out.push(line(r.train, 'train', i++));
      else out.push(line(r.eval, 'eval', j++));
    }
  }
  return out.join('\r\n') + '\r\n';
}

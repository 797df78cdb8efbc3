// Which lines one metric chart draws, and how: for each shown run and each of the chart's metrics, the
// smoothed train series (raw values kept for the legend) and the eval points (not smoothed: they are
// few). One run: colours tell the metrics apart (chosen, rejected, third). Several runs: colours tell
// the runs apart and line dashes the metrics; labels then name the run and its method.
import type { XYSeries } from './align';
import type { ChartSpec } from './charts';
import type { MetricSeries, SplitSeries } from './series';
import type { XAxis } from './state';

export interface SeriesDef {
  label: string;
  /** Short name for the static key under the title (the metric, without the run). */
  key: string;
  /** Key glyph colour: the series colour for one run, neutral when runs are told apart by colour. */
  keyColor: string;
  color: string;
  dash?: number[];
  /** Sparse series (eval) are drawn with points. */
  points: boolean;
  /** Drawn against the right-hand axis. */
  scale?: 'right';
}

export interface ChartRun {
  label: string;
  color: string;
  series: MetricSeries;
}

export interface ChartSeriesOptions {
  /** Several runs are shown (or could be: hidden runs keep their colours). */
  multi: boolean;
  smoothing: number;
  xAxis: XAxis;
  roleColor(role: 0 | 1 | 2): string;
  neutral: string;
}

const DASH: Record<0 | 1 | 2, number[] | undefined> = { 0: undefined, 1: [6, 4], 2: [2, 3] };
export const EVAL_DASH = [3, 3];

export function chartSeries(spec: ChartSpec, runs: readonly ChartRun[], o: ChartSeriesOptions): { defs: SeriesDef[]; series: XYSeries[] } {
  const xOf = (s: SplitSeries) => (o.xAxis === 'step' ? s.step.view : s.time.view);
  const defs: SeriesDef[] = [];
  const series: XYSeries[] = [];
  for (const r of runs) {
    for (const k of spec.keys) {
      const color = o.multi ? r.color : o.roleColor(k.role);
      const name = o.multi ? `${r.label} ${k.label}` : k.label;
      const dash = o.multi ? DASH[k.role] : undefined;
      const tr = r.series.train;
      const y = tr.smoothed(k.key, o.smoothing);
      const raw = tr.column(k.key);
      if (y && raw) {
        defs.push({ label: name, key: k.label, keyColor: o.multi ? o.neutral : color, color, ...(dash ? { dash } : {}), points: false, ...(k.axis ? { scale: k.axis } : {}) });
        series.push({ x: xOf(tr), y, raw });
      }
      const ev = r.series.eval.column(k.key);
      if (spec.hasEval && ev) {
        defs.push({ label: `eval ${name}`, key: k.label, keyColor: color, color, points: true, dash: EVAL_DASH, ...(k.axis ? { scale: k.axis } : {}) });
        series.push({ x: xOf(r.series.eval), y: ev });
      }
    }
  }
  return { defs, series };
}

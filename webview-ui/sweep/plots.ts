// Canvas drawings of the sweep view: a metric against one swept factor (categorical x, one line per
// combination of the other factors, error bars of ± one standard deviation over seeds), and the paper's
// view, ridgelines of the chosen and rejected log-prob distributions of every variant at one step,
// ordered by the swept values. The highlighted group is drawn strong, the others faint. Axis ticks are
// round numbers (model/ticks.ts), as on the dashboard.
import { binCenter, histogram, sharedEdges } from '../model/histogram';
import { niceTicks } from '../model/ticks';
import { withAlpha, type Theme } from '../theme';
import { prepare } from '../ui/canvasPlots';
import { fmtNum } from '../ui/format';
import type { FactorLine } from './model';

const PAD = { l: 76, r: 12, t: 12, b: 40 };

/** Hit boxes of what was drawn, for clicks: a group key per box. */
export type Hits = { x0: number; y0: number; x1: number; y1: number; group: string }[];

export function drawFactorChart(canvas: HTMLCanvasElement, xs: readonly string[], lines: readonly FactorLine[], highlight: string | undefined, t: Theme): Hits {
  const { g, w, h } = prepare(canvas, 220);
  g.font = t.font;
  const pts = lines.flatMap((l) => l.points);
  const lo = Math.min(...pts.map((p) => p.mean - p.std));
  const hi = Math.max(...pts.map((p) => p.mean + p.std));
  const span = hi - lo || Math.abs(hi) || 1;
  const y = (v: number) => PAD.t + (h - PAD.t - PAD.b) * (1 - (v - (lo - span * 0.08)) / (span * 1.16));
  const x = (i: number) => PAD.l + ((w - PAD.l - PAD.r) * (i + 0.5)) / Math.max(1, xs.length);
  g.strokeStyle = t.grid;
  g.fillStyle = t.muted;
  g.textBaseline = 'middle';
  g.textAlign = 'right';
  for (const v of niceTicks(lo - span * 0.08, lo + span * 1.08, 4)) {
    g.beginPath();
    g.moveTo(PAD.l, y(v));
    g.lineTo(w - PAD.r, y(v));
    g.stroke();
    g.fillText(fmtNum(v), PAD.l - 6, y(v));
  }
  g.textAlign = 'center';
  g.textBaseline = 'top';
  xs.forEach((label, i) => g.fillText(label, x(i), h - PAD.b + 6));
  const hits: Hits = [];
  lines.forEach((line, li) => {
    const color = t.palette[li % t.palette.length] as string;
    const strong = highlight === undefined || line.points.some((p) => p.group === highlight);
    g.strokeStyle = strong ? color : withAlpha(color, 0.25);
    g.fillStyle = g.strokeStyle;
    g.lineWidth = strong && highlight !== undefined ? 3 : 1.5;
    g.beginPath();
    line.points.forEach((p, k) => (k ? g.lineTo(x(p.x), y(p.mean)) : g.moveTo(x(p.x), y(p.mean))));
    g.stroke();
    for (const p of line.points) {
      g.lineWidth = 1;
      g.beginPath();
      g.moveTo(x(p.x), y(p.mean - p.std));
      g.lineTo(x(p.x), y(p.mean + p.std));
      g.moveTo(x(p.x) - 4, y(p.mean - p.std));
      g.lineTo(x(p.x) + 4, y(p.mean - p.std));
      g.moveTo(x(p.x) - 4, y(p.mean + p.std));
      g.lineTo(x(p.x) + 4, y(p.mean + p.std));
      g.stroke();
      g.beginPath();
      g.arc(x(p.x), y(p.mean), p.group === highlight ? 5 : 3.5, 0, Math.PI * 2);
      g.fill();
      hits.push({ x0: x(p.x) - 8, y0: y(p.mean) - 8, x1: x(p.x) + 8, y1: y(p.mean) + 8, group: p.group });
    }
    // Legend along the bottom.
    g.textAlign = 'left';
    g.fillText(`— ${line.label}`, PAD.l + (li % 3) * ((w - PAD.l) / 3), h - 16 + Math.floor(li / 3) * 0);
  });
  return hits;
}

export interface RidgeRow {
  label: string;
  group: string;
  chosen: readonly (number | null)[];
  rejected: readonly (number | null)[];
}

/** One row per variant: chosen and rejected densities on shared bins, the first row at the top. */
export function drawSweepRidges(canvas: HTMLCanvasElement, rows: readonly RidgeRow[], highlight: string | undefined, t: Theme): Hits {
  const rowH = 34;
  const amp = 30;
  const labelW = 190;
  const height = PAD.t + amp + rowH * rows.length + 28;
  const { g, w } = prepare(canvas, height);
  g.font = t.font;
  const n = Math.max(1, ...rows.map((r) => r.chosen.length));
  const e = sharedEdges(rows.flatMap((r) => [r.chosen, r.rejected]), Math.max(8, Math.min(40, Math.round(2 * Math.sqrt(n)) + 4)));
  if (!e) return [];
  const x0 = labelW;
  const x1 = w - PAD.r;
  const px = (v: number) => x0 + ((v - e.lo) / (e.hi - e.lo)) * (x1 - x0);
  const hits: Hits = [];
  rows.forEach((r, i) => {
    const base = PAD.t + amp + rowH * i;
    const strong = highlight === undefined || r.group === highlight;
    g.fillStyle = strong ? t.fg : t.muted;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    g.fillText(r.label, x0 - 8, base - 8);
    hits.push({ x0: 0, y0: base - amp, x1: w, y1: base, group: r.group });
    for (const [vals, color] of [[r.chosen, t.chosen], [r.rejected, t.rejected]] as const) {
      const counts = histogram(vals, e);
      const peak = Math.max(1, ...counts);
      g.beginPath();
      g.moveTo(x0, base);
      counts.forEach((c, b) => g.lineTo(px(binCenter(e, b)), base - (c / peak) * amp));
      g.lineTo(x1, base);
      g.closePath();
      g.fillStyle = withAlpha(color, strong ? 0.45 : 0.1);
      g.fill();
      g.strokeStyle = strong ? color : withAlpha(color, 0.35);
      g.lineWidth = r.group === highlight ? 2 : 1;
      g.stroke();
    }
  });
  const axisY = PAD.t + amp + rowH * (rows.length - 1) + 6;
  g.fillStyle = t.muted;
  g.textBaseline = 'top';
  for (const v of niceTicks(e.lo, e.hi, 4)) {
    g.textAlign = px(v) - x0 < 20 ? 'left' : px(v) > w - 30 ? 'right' : 'center';
    g.fillText(fmtNum(v), px(v), axisY);
  }
  g.textAlign = 'left';
  g.fillStyle = t.chosen;
  g.fillText('■ chosen log p', x0, axisY + 14);
  g.fillStyle = t.rejected;
  g.fillText('■ rejected log p', x0 + 110, axisY + 14);
  return hits;
}

// Plain canvas drawings for the distribution views: overlaid histograms (chosen against rejected, or
// one per run) and TensorBoard-style offset histograms (a ridgeline: one density per eval step,
// later steps lower and in front). Colours come from the theme; sizes follow the device pixel ratio.
// Axes carry round tick values (model/ticks.ts); legends wrap onto lines inside the card, and a label
// longer than a line is shortened with an ellipsis rather than cut off.
import { binCenter, type Edges, type Ridge } from '../model/histogram';
import { niceTicks } from '../model/ticks';
import { withAlpha, type Theme } from '../theme';
import { fmtNum } from './format';

export interface HistSeries {
  label: string;
  color: string;
  counts: readonly number[];
  /** A vertical marker (the mean), drawn dashed. */
  mean?: number;
}

const PAD = { l: 40, r: 10, t: 24, b: 22 };

/** Sizes the canvas for its CSS box and returns a context in CSS pixels. */
export function prepare(canvas: HTMLCanvasElement, cssHeight: number): { g: CanvasRenderingContext2D; w: number; h: number } {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(200, canvas.parentElement?.clientWidth || 300);
  // 100%: a card that narrows before the next redraw scales the drawing instead of overflowing.
  canvas.style.width = '100%';
  canvas.style.maxWidth = `${w}px`;
  canvas.style.height = `${cssHeight}px`;
  canvas.width = Math.round(w * ratio);
  canvas.height = Math.round(cssHeight * ratio);
  const g = canvas.getContext('2d');
  if (!g) throw new Error('canvas 2d context unavailable');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { g, w, h: cssHeight };
}

/** Round x values under the axis, one per ~70 px, each label kept inside [x0, x1]. */
function xTicks(g: CanvasRenderingContext2D, e: Edges, x0: number, x1: number, y: number, t: Theme): void {
  g.fillStyle = t.muted;
  g.strokeStyle = t.grid;
  g.textBaseline = 'top';
  for (const v of niceTicks(e.lo, e.hi, Math.max(2, Math.floor((x1 - x0) / 70)))) {
    const x = x0 + ((v - e.lo) / (e.hi - e.lo)) * (x1 - x0);
    const label = fmtNum(v);
    const half = g.measureText(label).width / 2;
    g.textAlign = 'center';
    g.fillText(label, Math.min(x1 - half, Math.max(x0 + half, x)), y + 4);
    g.beginPath();
    g.moveTo(Math.round(x) + 0.5, y);
    g.lineTo(Math.round(x) + 0.5, y + 3);
    g.stroke();
  }
}

/** A label shortened with an ellipsis to fit `width` pixels. */
export function fitLabel(g: CanvasRenderingContext2D, label: string, width: number): string {
  if (g.measureText(label).width <= width) return label;
  let n = label.length;
  while (n > 1 && g.measureText(`${label.slice(0, n)}…`).width > width) n--;
  return `${label.slice(0, n)}…`;
}

const LINE = 16;

/** Lays the legend out in lines that fit [x0, x1] (labels shortened to a line); positions, labels and line count. */
function layoutLegend(g: CanvasRenderingContext2D, items: readonly { label: string }[], x0: number, x1: number): { pos: [number, number][]; labels: string[]; lines: number } {
  let x = x0;
  let line = 0;
  const pos: [number, number][] = [];
  const labels: string[] = [];
  for (const it of items) {
    const label = fitLabel(g, it.label, Math.max(20, x1 - x0 - 24));
    const w = 24 + g.measureText(label).width;
    if (x > x0 && x + w > x1) { x = x0; line++; }
    pos.push([x, line]);
    labels.push(label);
    x += w;
  }
  return { pos, labels, lines: items.length ? line + 1 : 0 };
}

function legend(g: CanvasRenderingContext2D, items: readonly { color: string }[], lay: { pos: readonly [number, number][]; labels: readonly string[] }, t: Theme): void {
  g.textAlign = 'left';
  g.textBaseline = 'middle';
  items.forEach((it, i) => {
    const [x, line] = lay.pos[i] as [number, number];
    const y = 6 + line * LINE;
    g.fillStyle = it.color;
    g.fillRect(x, y, 10, 10);
    g.fillStyle = t.fg;
    g.fillText(lay.labels[i] ?? '', x + 14, y + 5);
  });
}

/** Measures with the theme font before the canvas is sized. */
function measureCtx(t: Theme): CanvasRenderingContext2D {
  const g = document.createElement('canvas').getContext('2d');
  if (!g) throw new Error('canvas 2d context unavailable');
  g.font = t.font;
  return g;
}

export function drawHistogram(canvas: HTMLCanvasElement, e: Edges, series: readonly HistSeries[], t: Theme, height = 190): void {
  const items = series.map((s) => ({ label: s.mean !== undefined ? `${s.label} (mean ${fmtNum(s.mean)})` : s.label, color: s.color }));
  const cssW = Math.max(200, canvas.parentElement?.clientWidth || 300);
  const lay = layoutLegend(measureCtx(t), items, PAD.l, cssW - PAD.r);
  const extra = Math.max(0, lay.lines - 1) * LINE;
  const top = PAD.t + extra;
  const { g, w, h } = prepare(canvas, height + extra);
  g.font = t.font;
  const x0 = PAD.l;
  const x1 = w - PAD.r;
  const y0 = h - PAD.b;
  const y1 = top;
  const max = Math.max(1, ...series.flatMap((s) => s.counts));
  const bw = (x1 - x0) / e.bins;
  g.strokeStyle = t.grid;
  g.beginPath();
  g.moveTo(x0, y0 + 0.5);
  g.lineTo(x1, y0 + 0.5);
  g.stroke();
  // Pair counts on round ticks, with light grid lines.
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (const c of niceTicks(0, max, Math.max(2, Math.floor((y0 - y1) / 36)), true)) {
    const y = Math.round(y0 - ((y0 - y1) * c) / max) + 0.5;
    g.fillStyle = t.muted;
    g.fillText(String(c), x0 - 4, y);
    if (c > 0) {
      g.strokeStyle = t.grid;
      g.beginPath();
      g.moveTo(x0, y);
      g.lineTo(x1, y);
      g.stroke();
    }
  }
  for (const s of series) {
    g.fillStyle = withAlpha(s.color, 0.35);
    g.strokeStyle = s.color;
    g.lineWidth = 1.25;
    g.beginPath();
    g.moveTo(x0, y0);
    s.counts.forEach((c, b) => {
      const y = y0 - ((y0 - y1) * c) / max;
      g.lineTo(x0 + b * bw, y);
      g.lineTo(x0 + (b + 1) * bw, y);
    });
    g.lineTo(x1, y0);
    g.closePath();
    g.fill();
    g.stroke();
    if (s.mean !== undefined && Number.isFinite(s.mean)) {
      const mx = x0 + ((s.mean - e.lo) / (e.hi - e.lo)) * (x1 - x0);
      g.setLineDash([4, 3]);
      g.beginPath();
      g.moveTo(mx, y1);
      g.lineTo(mx, y0);
      g.stroke();
      g.setLineDash([]);
    }
  }
  xTicks(g, e, x0, x1, y0, t);
  legend(g, items, lay, t);
}

export interface RidgeSeries {
  label: string;
  color: string;
  ridges: readonly Ridge[];
}

/** Offset histograms: one row per step (all series share the steps), the current step highlighted. */
export function drawRidgeline(canvas: HTMLCanvasElement, e: Edges, series: readonly RidgeSeries[], current: number, t: Theme): void {
  const steps = series[0]?.ridges.length ?? 0;
  const rowH = 22;
  const amp = 46;
  const cssW = Math.max(200, canvas.parentElement?.clientWidth || 300);
  const lay = layoutLegend(measureCtx(t), series, PAD.l + 14, cssW - PAD.r);
  const top = PAD.t + Math.max(0, lay.lines - 1) * LINE;
  const height = top + amp + rowH * Math.max(0, steps - 1) + PAD.b + 6;
  const { g, w } = prepare(canvas, height);
  g.font = t.font;
  const x0 = PAD.l + 14;
  const x1 = w - PAD.r;
  for (let r = 0; r < steps; r++) {
    const base = top + amp + rowH * r;
    const step = series[0]?.ridges[r]?.step ?? 0;
    g.fillStyle = r === current ? t.fg : t.muted;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    g.fillText(String(step), x0 - 6, base - 4);
    for (const s of series) {
      const ridge = s.ridges[r];
      if (!ridge) continue;
      g.beginPath();
      g.moveTo(x0, base);
      ridge.heights.forEach((hgt, b) => {
        g.lineTo(x0 + ((binCenter(e, b) - e.lo) / (e.hi - e.lo)) * (x1 - x0), base - hgt * amp);
      });
      g.lineTo(x1, base);
      g.closePath();
      g.fillStyle = withAlpha(s.color, r === current ? 0.5 : 0.18);
      g.fill();
      g.strokeStyle = s.color;
      g.lineWidth = r === current ? 2 : 1;
      g.stroke();
    }
  }
  xTicks(g, e, x0, x1, top + amp + rowH * Math.max(0, steps - 1), t);
  legend(g, series, lay, t);
}

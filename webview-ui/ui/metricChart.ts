// One metric chart card: a uPlot line chart (https://github.com/leeoniya/uPlot) of train and eval
// series of one or more runs, with a hover crosshair whose legend shows smoothed and raw values,
// drag-to-zoom (double-click resets), keyboard zoom/pan/cursor, and PNG export. The dashboard owns the
// zoom range (shared by all charts) and hands each chart already aligned, decimated data.
import { cardHeader } from './card';
import uPlot from 'uplot';
import type { AlignedSeries } from '../model/align';
import type { SeriesDef } from '../model/chartSeries';
import type { XAxis } from '../model/state';
import type { Theme } from '../theme';
import { fmtDuration, fmtNum } from './format';
import { composePng, type LegendItem } from './png';

export interface ChartHandlers {
  /** The user zoomed to [lo, hi] (null: reset). */
  zoom(range: [number, number] | null): void;
  save(filename: string, base64png: string): void;
}

const HEIGHT = 210;

export class MetricChart {
  readonly el: HTMLElement;
  private readonly plotEl: HTMLElement;
  private readonly keyEl: HTMLElement;
  private plot: uPlot | null = null;
  private signature = '';
  private defs: SeriesDef[] = [];
  private raws: (number | null)[][] = [];
  private cursorIdx = -1;
  private range: [number, number] | null = null;
  private lastX: number[] = [];
  visible = true;

  private readonly heading: HTMLHeadingElement;

  constructor(readonly id: string, private title: string, private readonly handlers: ChartHandlers, private theme: Theme) {
    this.el = document.createElement('section');
    this.el.className = 'card chart';
    this.el.tabIndex = 0;
    this.el.dataset.chart = id;
    this.el.setAttribute('aria-label', `${title} chart. Drag or plus/minus to zoom, arrow keys to pan, 0 to reset, comma and period to step the cursor.`);
    const { head, h, btn } = cardHeader(title, `${title} chart`, () => this.exportPng());
    this.keyEl = document.createElement('div');
    this.keyEl.className = 'key';
    this.heading = h;
    head.append(h, this.keyEl, btn);
    this.plotEl = document.createElement('div');
    this.plotEl.className = 'plot';
    this.el.append(head, this.plotEl);
    this.el.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** The title depends on what is shown (the loss chart names the method's loss). */
  setTitle(title: string): void {
    if (title === this.title) return;
    this.title = title;
    this.heading.textContent = title;
    this.el.setAttribute('aria-label', `${title} chart. Drag or plus/minus to zoom, arrow keys to pan, 0 to reset, comma and period to step the cursor.`);
  }

  setTheme(t: Theme): void {
    this.theme = t;
    this.signature = '';
  }

  private width(): number {
    return Math.max(240, this.plotEl.clientWidth || 480);
  }

  /** Pixel width of the plot area: how many points are worth drawing. */
  get pixelWidth(): number {
    return this.width();
  }

  resize(): void {
    this.plot?.setSize({ width: this.width(), height: HEIGHT });
  }

  update(defs: SeriesDef[], data: AlignedSeries, xAxis: XAxis, range: [number, number] | null): void {
    const sig = JSON.stringify([defs, xAxis]);
    this.defs = defs;
    this.raws = data.raws;
    this.range = range;
    this.lastX = data.x;
    const aligned = [data.x, ...data.ys] as uPlot.AlignedData;
    if (sig !== this.signature || !this.plot) {
      this.renderKey(defs);
      this.plot?.destroy();
      this.plot = new uPlot(this.options(defs, xAxis), aligned, this.plotEl);
      this.signature = sig;
      if (range) this.plot.setScale('x', { min: range[0], max: range[1] });
      return;
    }
    // batch() draws now rather than in a microtask, so the frame's timing includes the drawing.
    const plot = this.plot;
    plot.batch(() => {
      plot.setData(aligned, true);
      if (range) plot.setScale('x', { min: range[0], max: range[1] });
    });
  }

  /** A static key: one entry per metric (line style + name) and one for eval points. */
  private renderKey(defs: SeriesDef[]): void {
    const seen = new Set<string>();
    const items: HTMLElement[] = [];
    for (const d of [...defs.filter((x) => !x.points), ...defs.filter((x) => x.points)]) {
      const id = d.points ? 'eval' : d.key;
      if (seen.has(id)) continue;
      seen.add(id);
      const span = document.createElement('span');
      const glyph = document.createElement('span');
      glyph.className = 'glyph';
      glyph.textContent = d.points ? '●' : !d.dash ? '━━' : (d.dash[0] ?? 0) > 4 ? '╍╍' : '┅┅';
      glyph.style.color = d.points ? 'inherit' : d.keyColor;
      span.append(glyph, document.createTextNode(` ${d.points ? 'eval' : d.key}${d.scale === 'right' && !d.points ? ' (right axis)' : ''}`));
      items.push(span);
    }
    this.keyEl.replaceChildren(...items);
  }

  private options(defs: SeriesDef[], xAxis: XAxis): uPlot.Options {
    const t = this.theme;
    const axis = (): uPlot.Axis => ({ stroke: t.fg, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 }, font: t.font });
    return {
      width: this.width(),
      height: HEIGHT,
      pxAlign: 0,
      scales: { x: { time: false } },
      legend: { live: true },
      cursor: {
        sync: { key: 'orpo-x' },
        y: false,
        drag: { x: true, y: false, setScale: false },
        bind: { dblclick: () => () => { this.handlers.zoom(null); return null; } },
      },
      series: [
        { label: xAxis === 'step' ? 'step' : 'time', value: (_u, v) => (v === null ? '–' : xAxis === 'step' ? String(Math.round(v)) : fmtDuration(v)) },
        ...defs.map((d, i): uPlot.Series => ({
          label: d.label,
          scale: d.scale === 'right' ? 'right' : 'y',
          stroke: d.color,
          width: d.points ? 1.5 : 1.25,
          ...(d.dash ? { dash: d.dash } : {}),
          spanGaps: true,
          points: d.points ? { show: true, size: 6, width: 1, fill: d.color } : { show: false },
          value: (_u, v, _s, idx) => {
            const raw = idx === null ? null : this.raws[i]?.[idx];
            return v === null ? '–' : raw !== null && raw !== undefined && raw !== v ? `${fmtNum(v)} (raw ${fmtNum(raw)})` : fmtNum(v);
          },
        })),
      ],
      axes: [
        { ...axis(), values: (_u, ticks) => ticks.map((v) => (xAxis === 'step' ? fmtNum(v) : fmtDuration(v))) },
        { ...axis(), size: 56, values: (_u, ticks) => ticks.map((v) => fmtNum(v)) },
        ...(defs.some((d) => d.scale === 'right') ? [{ ...axis(), scale: 'right', side: 1, size: 56, grid: { show: false }, values: (_u: uPlot, ticks: number[]) => ticks.map((v) => fmtNum(v)) }] : []),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const lo = u.posToVal(u.select.left, 'x');
            const hi = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            if (hi > lo) this.handlers.zoom([lo, hi]);
          },
        ],
      },
    };
  }

  /** The x range currently shown. */
  private currentRange(): [number, number] | null {
    if (this.range) return this.range;
    const x = this.lastX;
    return x.length ? [x[0] as number, x[x.length - 1] as number] : null;
  }

  private onKey(e: KeyboardEvent): void {
    const r = this.currentRange();
    if (!r || e.target !== this.el) return;
    const [lo, hi] = r;
    const w = hi - lo;
    let handled = true;
    switch (e.key) {
      case '+':
      case '=':
        this.handlers.zoom([lo + w / 4, hi - w / 4]);
        break;
      case '-':
        this.handlers.zoom([lo - w / 2, hi + w / 2]);
        break;
      case 'ArrowLeft':
        this.handlers.zoom([lo - w / 5, hi - w / 5]);
        break;
      case 'ArrowRight':
        this.handlers.zoom([lo + w / 5, hi + w / 5]);
        break;
      case '0':
      case 'Escape':
        this.handlers.zoom(null);
        break;
      case ',':
      case '.':
        this.stepCursor(e.key === '.' ? 1 : -1);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  private stepCursor(d: number): void {
    const u = this.plot;
    if (!u || this.lastX.length === 0) return;
    const last = this.lastX.length - 1;
    this.cursorIdx = this.cursorIdx < 0 ? (d > 0 ? 0 : last) : Math.max(0, Math.min(last, this.cursorIdx + d));
    u.setCursor({ left: u.valToPos(this.lastX[this.cursorIdx] as number, 'x'), top: u.over.clientHeight / 2 });
  }

  exportPng(): void {
    if (!this.plot) return;
    const legend: LegendItem[] = this.defs.map((d) => ({ label: `${d.label}${d.scale === 'right' ? ' (right axis)' : ''}`, color: d.color }));
    this.handlers.save(`${this.id}.png`, composePng(this.plot.ctx.canvas, this.title, legend, this.theme));
  }

  get canvas(): HTMLCanvasElement | null {
    return this.plot?.ctx.canvas ?? null;
  }
}

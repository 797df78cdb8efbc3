// Chart export to PNG: the chart's canvas drawn onto a new canvas with the theme's background, a title
// and the legend (uPlot draws axes on its canvas but the title and legend are DOM), wrapped onto as
// many lines as it needs so no entry is lost, as base64.
import type { Theme } from '../theme';
import { fitLabel } from './canvasPlots';

export interface LegendItem {
  label: string;
  color: string;
}

export function composePng(source: HTMLCanvasElement, title: string, legend: readonly LegendItem[], t: Theme): string {
  const ratio = window.devicePixelRatio || 1;
  const cssW = source.width / ratio;
  const c = document.createElement('canvas');
  const m = c.getContext('2d');
  if (!m) throw new Error('canvas 2d context unavailable');
  // Lay the legend out first: its line count sets the header height.
  m.font = t.font;
  const rows: { x: number; line: number; label: string; color: string }[] = [];
  let x = 8;
  let line = 0;
  for (const item of legend) {
    const label = fitLabel(m, item.label, Math.max(20, cssW - 40));
    const w = 24 + m.measureText(label).width;
    if (x > 8 && x + w > cssW - 8) { x = 8; line++; }
    rows.push({ x, line, label, color: item.color });
    x += w;
  }
  const lines = legend.length ? line + 1 : 0;
  const head = Math.round((26 + 18 * lines) * ratio);
  c.width = source.width;
  c.height = source.height + head;
  const g = c.getContext('2d') as CanvasRenderingContext2D;
  g.fillStyle = t.bg;
  g.fillRect(0, 0, c.width, c.height);
  g.scale(ratio, ratio);
  g.fillStyle = t.fg;
  g.font = `bold ${t.font}`;
  g.textBaseline = 'top';
  g.fillText(fitLabel(g, title, cssW - 16), 8, 6);
  g.font = t.font;
  for (const r of rows) {
    const y = 26 + 18 * r.line;
    g.fillStyle = r.color;
    g.fillRect(r.x, y + 2, 10, 10);
    g.fillStyle = t.fg;
    g.fillText(r.label, r.x + 14, y);
  }
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.drawImage(source, 0, head);
  return c.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}

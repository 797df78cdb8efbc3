// Chart export to PNG: the chart's canvas drawn onto a new canvas with the theme's background, a title
// and a legend line (uPlot draws axes on its canvas but the title and legend are DOM), as base64.
import type { Theme } from '../theme';

export interface LegendItem {
  label: string;
  color: string;
}

export function composePng(source: HTMLCanvasElement, title: string, legend: readonly LegendItem[], t: Theme): string {
  const ratio = window.devicePixelRatio || 1;
  const head = Math.round(44 * ratio);
  const c = document.createElement('canvas');
  c.width = source.width;
  c.height = source.height + head;
  const g = c.getContext('2d');
  if (!g) throw new Error('canvas 2d context unavailable');
  g.fillStyle = t.bg;
  g.fillRect(0, 0, c.width, c.height);
  g.scale(ratio, ratio);
  g.fillStyle = t.fg;
  g.font = `bold ${t.font}`;
  g.textBaseline = 'top';
  g.fillText(title, 8, 6);
  g.font = t.font;
  let x = 8;
  for (const item of legend) {
    g.fillStyle = item.color;
    g.fillRect(x, 28, 10, 10);
    g.fillStyle = t.fg;
    g.fillText(item.label, x + 14, 26);
    x += 24 + g.measureText(item.label).width;
  }
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.drawImage(source, 0, head);
  return c.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}

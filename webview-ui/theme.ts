// Colours for canvas drawing, read from the page's CSS custom properties so the charts follow the VS
// Code theme (light, dark, high contrast: VS Code sets --vscode-* variables on the webview's <html>
// and a vscode-light/-dark/-high-contrast class on <body>); style.css supplies fallbacks for the
// standalone report. Reference: VS Code webview guide, "Theming webview content".

export interface Theme {
  fg: string;
  muted: string;
  grid: string;
  bg: string;
  /** Run colours (compare mode) and per-chart series colours (one run). */
  palette: string[];
  chosen: string;
  rejected: string;
  third: string;
  font: string;
}

const css = (name: string, fallback: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

export function readTheme(): Theme {
  const palette = ['--c-blue', '--c-orange', '--c-green', '--c-purple', '--c-red', '--c-yellow'].map((n) => css(n, '#3794ff'));
  return {
    fg: css('--fg', '#333'),
    muted: css('--muted', '#888'),
    grid: css('--grid', 'rgba(128,128,128,0.25)'),
    bg: css('--bg', '#fff'),
    palette,
    chosen: css('--c-chosen', '#3794ff'),
    rejected: css('--c-rejected', '#f14c4c'),
    third: css('--c-third', '#89d185'),
    font: `${css('--font-size', '12px')} ${css('--font', 'sans-serif')}`,
  };
}

export function roleColor(t: Theme, role: 0 | 1 | 2): string {
  return role === 0 ? t.chosen : role === 1 ? t.rejected : t.third;
}

/** `color` with alpha, for #rgb / #rrggbb (other syntaxes are returned unchanged). */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  let h = m[1] as string;
  if (h.length === 3) h = [...h].map((c) => c + c).join('');
  const n = parseInt(h, 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

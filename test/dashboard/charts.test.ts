// Charts that read correctly (issue 12 §3), in headless Chromium from `orpo-lab report` pages of the
// fixture runs: histogram canvases fit their cards and follow a resize, their axes carry round tick
// values, legends are never cut, the loss chart puts the odds-ratio term on its own axis and names the
// method's loss (SFT's is not "NLL + odds-ratio term"), PNG exports keep the whole legend, and High
// Contrast buttons are readable. Canvas text is recorded by wrapping fillText before the page loads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildWebview, FIXTURES, launch, makeReport, openReport, OUT, watchedPage } from './harness';

let browser: Browser;
let single: string;
let sft: string;
let compare: string;

before(async () => {
  const wv = await buildWebview(join(OUT, 'bundle-charts'));
  single = await makeReport('charts-orpo', [join(FIXTURES, 'run-orpo')], wv);
  sft = await makeReport('charts-sft', [join(FIXTURES, 'run-sft')], wv);
  compare = await makeReport('charts-compare', [join(FIXTURES, 'run-orpo'), join(FIXTURES, 'run-sft')], wv);
  browser = await launch();
});
after(async () => { await browser?.close(); });

interface Drawn { card: string; text: string; x: number; width: number; align: string; baseline: string; canvasWidth: number }

/** Records every fillText on a card canvas: its card, text, left edge, width and the canvas's CSS width. */
async function recordText(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __drawn: unknown[] };
    w.__drawn = [];
    const orig = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, text: string, x: number, y: number, max?: number) {
      const card = (this.canvas.closest('[data-card]') as HTMLElement | null)?.dataset.card;
      if (card) {
        const width = this.measureText(text).width;
        const left = this.textAlign === 'center' ? x - width / 2 : this.textAlign === 'right' ? x - width : x;
        w.__drawn.push({ card, text, x: left, width, align: this.textAlign, baseline: this.textBaseline, canvasWidth: this.canvas.width / (window.devicePixelRatio || 1) });
      }
      return max === undefined ? orig.call(this, text, x, y) : orig.call(this, text, x, y, max);
    };
  });
}

const drawn = (page: Page) => page.evaluate(() => (window as unknown as { __drawn: Drawn[] }).__drawn);
const clearDrawn = (page: Page) => page.evaluate(() => { (window as unknown as { __drawn: unknown[] }).__drawn = []; });

/** Resizes the page and waits until the histograms have been drawn again. */
async function resize(page: Page, width: number): Promise<Drawn[]> {
  await clearDrawn(page);
  await page.setViewportSize({ width, height: 900 });
  await page.waitForFunction(() => (window as unknown as { __drawn: unknown[] }).__drawn.length > 20);
  await page.waitForTimeout(300);
  return drawn(page);
}

function checkRoundTicks(texts: Drawn[]): void {
  const byCard = new Map<string, Set<number>>();
  for (const d of texts.filter((t) => t.baseline === 'top' && t.align === 'center')) {
    const v = Number(d.text.replace('−', '-'));
    assert.ok(Number.isFinite(v), `${d.card}: tick "${d.text}" is a number`);
    const s = byCard.get(d.card) ?? new Set<number>();
    s.add(v);
    byCard.set(d.card, s);
  }
  assert.ok(byCard.size >= 5, `tick labels on ${byCard.size} cards`);
  for (const [card, set] of byCard) {
    const v = [...set].sort((a, b) => a - b);
    assert.ok(v.length >= 2, `${card}: ${v.join(', ')}`);
    const step = (v[1] as number) - (v[0] as number);
    const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
    assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6), `${card}: step ${step} between ticks ${v.join(', ')} is not 1, 2 or 5 × 10^k`);
    for (const x of v) assert.ok(Math.abs(x / step - Math.round(x / step)) < 1e-6, `${card}: tick ${x} is not a multiple of ${step}`);
  }
}

void test('histograms: round ticks, legends inside the canvas, canvases that fit their cards after a resize', async () => {
  for (const file of [single, compare]) {
    const w = await watchedPage(browser);
    await recordText(w.page);
    await openReport(w, file);
    for (const width of [1280, 760]) {
      const texts = await resize(w.page, width === 1280 ? 1279 : width);
      checkRoundTicks(texts);
      for (const t of texts) assert.ok(t.x >= -0.5 && t.x + t.width <= t.canvasWidth + 0.5, `${t.card}: "${t.text}" spans ${t.x.toFixed(1)}..${(t.x + t.width).toFixed(1)} of ${t.canvasWidth}`);
      const fits = await w.page.$$eval('[data-card]', (cards) => cards.filter((c) => !(c as HTMLElement).hidden && (c as HTMLElement).offsetParent).map((c) => {
        const canvas = c.querySelector('canvas') as HTMLCanvasElement;
        return { card: (c as HTMLElement).dataset.card, canvas: canvas.getBoundingClientRect().width, box: (canvas.parentElement as HTMLElement).clientWidth };
      }));
      assert.ok(fits.length >= 5);
      for (const f of fits) assert.ok(f.canvas <= f.box + 0.5 && f.canvas >= f.box - 2, `${f.card} at ${width}px: canvas ${f.canvas} in a ${f.box} px card`);
    }
    await w.page.screenshot({ path: join(OUT, `charts-${file === single ? 'orpo' : 'compare'}-narrow.png`), fullPage: true });
    assert.deepEqual(w.errors, []);
  }
});

void test('legends: a long run name is shortened with an ellipsis, never cut by the canvas edge', async () => {
  const w = await watchedPage(browser);
  await recordText(w.page);
  await openReport(w, compare);
  const texts = await resize(w.page, 420);
  const legend = texts.filter((t) => t.align === 'left' && t.baseline === 'middle');
  assert.ok(legend.length > 0);
  for (const t of legend) assert.ok(t.x + t.width <= t.canvasWidth + 0.5, `${t.card}: legend "${t.text}" ends at ${(t.x + t.width).toFixed(1)} of ${t.canvasWidth}`);
});

void test('the loss chart: the odds-ratio term on its own axis for ORPO; SFT names its loss and draws no such term', async () => {
  const w = await watchedPage(browser);
  await openReport(w, single);
  assert.equal(await w.page.textContent('[data-chart="loss"] h3'), 'Loss = NLL + λ·odds-ratio term');
  assert.equal(await w.page.locator('[data-chart="loss"] .u-axis').count(), 3, 'x, left y and right y axes');
  assert.match(await w.page.innerText('[data-chart="loss"] .key'), /odds-ratio term \(right axis\)/);
  assert.equal(await w.page.locator('[data-chart="logps"] .u-axis').count(), 2);
  const s = await watchedPage(browser);
  await openReport(s, sft);
  assert.equal(await s.page.textContent('[data-chart="loss"] h3'), 'Loss (NLL of the chosen answers)');
  assert.doesNotMatch(await s.page.innerText('[data-chart="loss"]'), /odds-ratio/);
  assert.equal(await s.page.locator('[data-chart="loss"] .u-axis').count(), 2);
  const c = await watchedPage(browser);
  await openReport(c, compare);
  assert.equal(await c.page.textContent('[data-chart="loss"] h3'), 'Loss');
  assert.match(await c.page.innerText('[data-chart="loss"] .key'), /odds-ratio term \(ORPO runs\) \(right axis\)/);
  assert.deepEqual([...w.errors, ...s.errors, ...c.errors], []);
});

void test('PNG export keeps the whole legend: the header grows a line for what does not fit', async () => {
  const w = await watchedPage(browser);
  await openReport(w, compare);
  await w.page.setViewportSize({ width: 700, height: 900 });
  await w.page.waitForTimeout(300);
  const source = await w.page.$eval('[data-chart="loss"] canvas', (c) => ({ h: (c as HTMLCanvasElement).height, ratio: window.devicePixelRatio || 1 }));
  const [png] = await Promise.all([w.page.waitForEvent('download'), w.page.click('[data-chart="loss"] header button')]);
  const bytes = readFileSync((await png.path()) as string);
  const height = bytes.readUInt32BE(20); // IHDR
  // Two runs × (loss, nll_loss, odds-ratio term, and their eval points): more than one 700 px line.
  assert.ok(height - source.h >= (26 + 18 * 2) * source.ratio, `header ${height - source.h} px holds at least two legend lines`);
});

void test('High Contrast: the toolbar and card buttons keep a readable contrast', async () => {
  // VS Code's High Contrast themes define the button foreground but no secondary-button background, and
  // the webview may still report a light colour scheme: white text on the light fallback, unreadable.
  // Colours as VS Code 1.100 defines them (foreground, disabledForeground, contrastBorder per theme).
  const themes: [string, Record<string, string>][] = [
    ['vscode-high-contrast', { '--vscode-button-secondaryForeground': '#ffffff', '--vscode-foreground': '#ffffff', '--vscode-disabledForeground': '#a5a5a5', '--vscode-editor-background': '#000000', '--vscode-contrastBorder': '#6fc3df' }],
    ['vscode-high-contrast-light', { '--vscode-button-secondaryForeground': '#292929', '--vscode-foreground': '#292929', '--vscode-disabledForeground': '#7f7f7f', '--vscode-editor-background': '#ffffff', '--vscode-contrastBorder': '#0f4a85' }],
  ];
  const w = await watchedPage(browser, { colorScheme: 'light' });
  await openReport(w, single);
  // 'rgb(r, g, b)' / 'rgba(...)' as computed, or '#rrggbb' as set.
  const rgb = (c: string) => (c.startsWith('#') ? [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) : (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number)) as [number, number, number];
  // WCAG 2 relative luminance and contrast ratio.
  const lum = ([r, g, b]: [number, number, number]) => {
    const [R, G, B] = [r, g, b].map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const ratio = (a: [number, number, number], b: [number, number, number]) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
    return (hi + 0.05) / (lo + 0.05);
  };
  for (const [cls, vars] of themes) {
    await w.page.evaluate(([c, v]) => {
      document.body.className = c;
      for (const [k, x] of Object.entries(v)) document.documentElement.style.setProperty(k, x);
    }, [cls, vars] as const);
    const buttons = await w.page.$$eval('button', (bs) => bs.filter((b) => (b as HTMLElement).offsetParent).map((b) => ({ text: b.textContent, disabled: (b as HTMLButtonElement).disabled, fg: getComputedStyle(b).color, bg: getComputedStyle(b).backgroundColor, opacity: Number(getComputedStyle(b).opacity) })));
    assert.ok(buttons.length >= 10, `${buttons.length} buttons`);
    assert.ok(buttons.some((b) => b.disabled && b.text === 'Reset zoom'), 'Reset zoom is shown, disabled, before any zoom');
    // The text as drawn: an opacity below 1 blends it into the background.
    const bg = rgb(vars['--vscode-editor-background'] as string);
    const disabledText = ratio(rgb(vars['--vscode-disabledForeground'] as string), bg);
    for (const b of buttons) {
      const [fg, back] = [rgb(b.fg), rgb(b.bg)];
      const drawn = fg.map((v, i) => v * b.opacity + (back[i] as number) * (1 - b.opacity)) as [number, number, number];
      const r = ratio(drawn, back);
      // Enabled: WCAG's 4.5:1 for text. Disabled (WCAG exempts them): no dimmer than VS Code's own disabled text.
      const need = b.disabled ? disabledText - 0.01 : 4.5;
      assert.ok(r >= need, `${cls}: "${b.text}"${b.disabled ? ' (disabled)' : ''} contrast ${r.toFixed(2)} < ${need.toFixed(2)}`);
    }
  }
  await w.page.screenshot({ path: join(OUT, 'high-contrast.png') });
});

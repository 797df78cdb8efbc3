// Shared by the dashboard's browser tests and benchmark: builds the webview bundle (the same esbuild
// options as scripts/build.mjs's webview entry, minified as in a release), renders `orpo-lab report`
// pages, and launches Debian's chromium through playwright-core with the project's headless flags.
// Console errors, page errors and CSP violations are collected per page.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { main as report } from '../../src/engine/commands/report';

export const ROOT = join(__dirname, '..', '..');
export const OUT = join(ROOT, '.test-output', 'dashboard');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export async function buildWebview(outdir = join(OUT, 'bundle')): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['webview-ui/main.ts'],
    outfile: join(outdir, 'main.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'css' },
    minify: true,
    logLevel: 'error',
  });
  return outdir;
}

/** Writes a report for the given run directories and returns its path. */
export async function makeReport(name: string, runDirs: string[], webviewDir: string): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const out = join(OUT, `${name}.html`);
  const code = await report([...runDirs, '--out', out, '--webview-dir', webviewDir]);
  if (code !== 0) throw new Error(`report exited ${code}`);
  return out;
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface Watched {
  page: Page;
  errors: string[];
}

/** A page that records console errors, page errors and CSP violations into `errors`. */
export async function watchedPage(browser: Browser, opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<Watched> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: opts.colorScheme ?? 'light', acceptDownloads: true });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.exposeFunction('__cspViolation', (s: string) => errors.push(`CSP violation: ${s}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __cspViolation: (s: string) => void }).__cspViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { page, errors };
}

/** Opens a report and waits until the dashboard has drawn everything (body[data-ready]). */
export async function openReport(w: Watched, file: string): Promise<void> {
  await w.page.goto(`file://${file}`);
  await w.page.waitForSelector('body[data-ready]');
}

/**
 * Counts clearly coloured pixels of a canvas (saturation well above the grey of axes and grid):
 * lines and bars drawn in the series colours, not the axes, labels or background.
 */
export function colouredPixels(page: Page, selector: string): Promise<number[]> {
  return page.$$eval(selector, (canvases) => canvases.map((c) => {
    const cv = c as HTMLCanvasElement;
    const g = cv.getContext('2d');
    if (!g || cv.width === 0 || cv.height === 0) return 0;
    const d = g.getImageData(0, 0, cv.width, cv.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      const r = d[i] as number, gg = d[i + 1] as number, b = d[i + 2] as number, a = d[i + 3] as number;
      if (a > 40 && Math.max(r, gg, b) - Math.min(r, gg, b) > 60) n++;
    }
    return n;
  }));
}

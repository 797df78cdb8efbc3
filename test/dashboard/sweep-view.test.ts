// Issue 15, the sweep view in headless Chromium on real runs of a 2 × 2 sweep (test/fixtures/sweep-2x2,
// recorded with `orpo-lab sweep`): `orpo-lab report SWEEP_DIR` writes one self-contained page; its table,
// metric-against-λ chart and ridgelines are drawn (coloured pixels), sorting and highlighting work across
// the three, and there are no console errors or CSP violations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main as report } from '../../src/engine/commands/report';
import { colouredPixels, FIXTURES, launch, OUT, ROOT, watchedPage } from './harness';

const SWEEP = join(FIXTURES, 'sweep-2x2');

async function buildSweepWebview(outdir: string): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  await build({ absWorkingDir: ROOT, entryPoints: ['webview-ui/sweep/main.ts'], outfile: join(outdir, 'sweep.js'), bundle: true, platform: 'browser', format: 'iife', target: 'es2022', loader: { '.css': 'css' }, minify: true, logLevel: 'error' });
  return outdir;
}

void test('sweep report: table, λ chart and ridgelines drawn; sort and highlight; no console errors', async () => {
  const wv = await buildSweepWebview(join(OUT, 'bundle-sweep'));
  const out = join(OUT, 'sweep-report.html');
  assert.equal(await report([SWEEP, '--out', out, '--webview-dir', wv]), 0);
  const html = readFileSync(out, 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'self-contained');
  const index = JSON.parse(readFileSync(join(SWEEP, 'sweep.json'), 'utf8')) as { variants: { name: string }[] };
  const browser = await launch();
  try {
    const w = await watchedPage(browser);
    await w.page.goto(`file://${out}`);
    await w.page.waitForSelector('body[data-ready]');
    // Table: one row per λ (seeds pooled), each with two seeds and mean ± std cells.
    const rows = await w.page.$$eval('.sweep-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.deepEqual(rows.map((r) => r[0]), ['0.1', '1']);
    assert.ok(rows.every((r) => r[1] === '2'), 'two seeds per row');
    assert.ok(rows.every((r) => /±/.test(r[2] ?? '')), `mean ± std cells: ${JSON.stringify(rows)}`);
    // Sorting by the final margin, descending then ascending, reorders the rows by that value.
    const col = await w.page.$$eval('.sweep-table th button', (bs) => bs.findIndex((b) => (b.textContent ?? '').startsWith('rewards/margins final')));
    assert.ok(col >= 0);
    const sortedBy = async () => w.page.$$eval('.sweep-table tbody tr', (trs, c) => trs.map((tr) => parseFloat(tr.querySelectorAll('td')[c + 1]?.textContent ?? 'NaN')), col);
    await w.page.click(`.sweep-table th:nth-child(${col + 2}) button`);
    const asc = await sortedBy();
    await w.page.click(`.sweep-table th:nth-child(${col + 2}) button`);
    const desc = await sortedBy();
    assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
    assert.deepEqual(desc, [...asc].reverse());
    // Charts are non-blank.
    const factor = await colouredPixels(w.page, '.sweep-charts canvas');
    assert.equal(factor.length, 1, 'one chart: λ (the seed is pooled)');
    assert.ok((factor[0] ?? 0) > 100, `λ chart drawn: ${factor}`);
    const ridges = await colouredPixels(w.page, '#sweep-ridges canvas');
    assert.ok((ridges[0] ?? 0) > 1000, `ridgelines drawn: ${ridges}`);
    const ridgeHeight = await w.page.$eval('#sweep-ridges canvas', (c) => (c as HTMLCanvasElement).clientHeight);
    assert.ok(ridgeHeight > 34 * index.variants.length, 'one ridge per variant');
    // Highlighting a group from the table shows it in all three: the row, and fainter other ridges.
    await w.page.click('.sweep-table tbody tr[data-group="lambda=1"]');
    assert.equal(await w.page.$eval('.sweep-table tbody tr.highlight', (tr) => (tr as HTMLElement).dataset.group), 'lambda=1');
    const ridgesHl = await colouredPixels(w.page, '#sweep-ridges canvas');
    assert.ok((ridgesHl[0] ?? 0) < (ridges[0] ?? 0), `other variants dimmed: ${ridgesHl} < ${ridges}`);
    // In the λ chart the highlighted group's line is drawn thicker and its point larger.
    const factorHl = await colouredPixels(w.page, '.sweep-charts canvas');
    assert.ok((factorHl[0] ?? 0) > (factor[0] ?? 0), `λ chart shows the highlight: ${factorHl} > ${factor}`);
    // Clicking a ridge of the other group moves the highlight there.
    const box = await w.page.$eval('#sweep-ridges canvas', (c) => { const r = c.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width }; });
    await w.page.mouse.click(box.x + box.w / 2, box.y + 12 + 30 - 10);
    assert.equal(await w.page.$eval('.sweep-table tbody tr.highlight', (tr) => (tr as HTMLElement).dataset.group), 'lambda=0.1');
    await w.page.screenshot({ path: join(OUT, 'sweep-view.png'), fullPage: true });
    // Chromium's hint about repeated getImageData comes from this test reading the canvas twice, not the page.
    assert.deepEqual(w.errors.filter((e) => !e.includes('willReadFrequently')), []);
  } finally {
    await browser.close();
  }
});

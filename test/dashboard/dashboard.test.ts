// The dashboard rendered in headless Chromium from the fixture runs, through `orpo-lab report`
// (issue 5, "Tests"): the charts are drawn (coloured pixels on every chart canvas), the distributions
// are present, there are no console errors and no CSP violations; plus controls, keyboard use, export,
// live rows and state across a reload. Screenshots go to .test-output/dashboard/ for review.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildWebview, colouredPixels, FIXTURES, launch, makeReport, openReport, OUT, watchedPage } from './harness';

let browser: Browser;
let single: string;
let compare: string;

before(async () => {
  const wv = await buildWebview();
  single = await makeReport('report-orpo', [join(FIXTURES, 'run-orpo')], wv);
  compare = await makeReport('report-compare', [join(FIXTURES, 'run-orpo'), join(FIXTURES, 'run-sft')], wv);
  browser = await launch();
});
after(async () => { await browser?.close(); });

void test('one run: every metric chart and distribution is drawn, no console errors, no CSP violations', async () => {
  const w = await watchedPage(browser);
  await openReport(w, single);
  const charts = await colouredPixels(w.page, '[data-chart]:not([hidden]) canvas');
  assert.equal(charts.length, 11, 'all eleven metric charts have data in the fixture');
  charts.forEach((n, i) => assert.ok(n > 300, `metric chart ${i} has only ${n} coloured pixels`));
  const dists = await colouredPixels(w.page, '#distributions canvas');
  assert.equal(dists.length, 5);
  dists.forEach((n, i) => assert.ok(n > 1500, `distribution canvas ${i} has only ${n} coloured pixels`));
  assert.equal(await w.page.textContent('#distributions output'), 'step 240 (eval 5 of 5, 64 examples)');
  assert.equal(await w.page.isHidden('#compare'), true, 'no comparison for one run');
  assert.equal(await w.page.locator('#samples details').count(), 5);
  const csp = await w.page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(csp ?? '', /default-src 'none'; script-src 'nonce-[\w-]+'/);
  await w.page.screenshot({ path: join(OUT, 'orpo-light.png'), fullPage: true });
  assert.deepEqual(w.errors, []);
});

void test('compare runs: legend names run and method, final distributions side by side', async () => {
  const w = await watchedPage(browser);
  await openReport(w, compare);
  assert.deepEqual(await w.page.$$eval('.legend .run', (els) => els.map((e) => e.textContent)), ['hh-tiny-orpo (orpo)', 'hh-tiny-sft (sft)']);
  assert.equal(await w.page.isVisible('#compare'), true);
  const titles = await w.page.$$eval('#compare h3', (els) => els.map((e) => e.textContent));
  assert.deepEqual(titles, ['hh-tiny-orpo (orpo): log-probs at step 240', 'hh-tiny-sft (sft): log-probs at step 240', 'Final per-example log odds, by run', 'Final per-example reward margins, by run']);
  (await colouredPixels(w.page, '#compare canvas')).forEach((n, i) => assert.ok(n > 1500, `compare canvas ${i}: ${n}`));
  // Hovering a chart shows the live legend with both runs' values.
  const box = await w.page.locator('[data-chart="logps"] .u-over').boundingBox();
  assert.ok(box);
  await w.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const legend = await w.page.locator('[data-chart="logps"] .u-legend').innerText();
  assert.match(legend, /hh-tiny-orpo \(orpo\) logps\/chosen\s*-?\d/);
  assert.match(legend, /hh-tiny-sft \(sft\) logps\/rejected\s*-?\d/);
  await w.page.screenshot({ path: join(OUT, 'compare-light.png'), fullPage: true });
  // Hiding a run removes its curves and the comparison.
  await w.page.locator('.legend input').nth(1).uncheck();
  await w.page.waitForSelector('#compare[hidden]', { state: 'attached' });
  assert.deepEqual(w.errors, []);
});

void test('keyboard: step slider, play, chart zoom and reset', async () => {
  const w = await watchedPage(browser);
  await openReport(w, single);
  const label = w.page.locator('#distributions output');
  await w.page.focus('#distributions input[type=range]');
  await w.page.keyboard.press('ArrowLeft');
  await w.page.waitForFunction(() => document.querySelector('#distributions output')?.textContent?.startsWith('step 192'));
  await w.page.keyboard.press('Home');
  await w.page.waitForFunction(() => document.querySelector('#distributions output')?.textContent?.startsWith('step 48'));
  await w.page.focus('#distributions button');
  await w.page.keyboard.press('Enter');
  assert.equal(await w.page.getAttribute('#distributions button', 'aria-pressed'), 'true');
  await w.page.waitForFunction(() => document.querySelector('#distributions output')?.textContent?.startsWith('step 240'), undefined, { timeout: 10_000 });
  await w.page.waitForFunction(() => document.querySelector('#distributions button')?.getAttribute('aria-pressed') === 'false');
  assert.match((await label.textContent()) ?? '', /eval 5 of 5/);

  const reset = w.page.getByRole('button', { name: 'Reset zoom' });
  assert.equal(await reset.isDisabled(), true);
  await w.page.focus('[data-chart="loss"]');
  await w.page.keyboard.press('+');
  await w.page.waitForFunction(() => !(document.querySelector('.toolbar.top button') as HTMLButtonElement).disabled);
  await w.page.keyboard.press('0');
  await w.page.waitForFunction(() => (document.querySelector('.toolbar.top button') as HTMLButtonElement).disabled);
  // The crosshair can be stepped from the keyboard; the legend then shows the values at that step.
  await w.page.keyboard.press('.');
  await w.page.keyboard.press('.');
  assert.match(await w.page.locator('[data-chart="loss"] .u-legend').innerText(), /step\s*2\s*loss\s*3\.\d+ \(raw 3\.\d+\)/);
  // Drag to zoom with the mouse: every chart takes the range, double-click resets.
  const over = await w.page.locator('[data-chart="logps"] .u-over').boundingBox();
  assert.ok(over);
  await w.page.mouse.move(over.x + over.width * 0.5, over.y + 40);
  await w.page.mouse.down();
  await w.page.mouse.move(over.x + over.width * 0.75, over.y + 40, { steps: 5 });
  await w.page.mouse.up();
  await w.page.waitForFunction(() => !(document.querySelector('.toolbar.top button') as HTMLButtonElement).disabled);
  (await colouredPixels(w.page, '[data-chart] canvas')).forEach((n, i) => assert.ok(n > 300, `zoomed chart ${i}: ${n}`));
  await w.page.screenshot({ path: join(OUT, 'orpo-zoomed.png') });
  await w.page.mouse.dblclick(over.x + over.width * 0.5, over.y + 40);
  await w.page.waitForFunction(() => (document.querySelector('.toolbar.top button') as HTMLButtonElement).disabled);
  assert.deepEqual(w.errors, []);
});

void test('state (smoothing, x axis, zoom, eval step) survives a reload', async () => {
  const w = await watchedPage(browser);
  await openReport(w, single);
  await w.page.focus('#smoothing');
  await w.page.keyboard.press('Home');
  await w.page.selectOption('#x-axis', 'time');
  await w.page.focus('#distributions input[type=range]');
  await w.page.keyboard.press('ArrowLeft');
  await w.page.waitForFunction(() => document.querySelector('#distributions output')?.textContent?.startsWith('step 192'));
  await w.page.reload();
  await w.page.waitForSelector('body[data-ready]');
  assert.equal(await w.page.inputValue('#smoothing'), '0');
  assert.equal(await w.page.inputValue('#x-axis'), 'time');
  assert.match((await w.page.textContent('#distributions output')) ?? '', /^step 192/);
  (await colouredPixels(w.page, '[data-chart] canvas')).forEach((n, i) => assert.ok(n > 300, `chart ${i} on the time axis: ${n}`));
  await w.page.evaluate(() => localStorage.clear());
  assert.deepEqual(w.errors, []);
});

void test('export: metrics CSV and a chart PNG', async () => {
  const w = await watchedPage(browser);
  await openReport(w, compare);
  const [csv] = await Promise.all([w.page.waitForEvent('download'), w.page.click('#export-csv')]);
  assert.equal(csv.suggestedFilename(), 'metrics.csv');
  const text = readFileSync((await csv.path()) as string, 'utf8');
  const lines = text.trimEnd().split('\r\n');
  const fixtureRows = ['run-orpo', 'run-sft'].map((d) => readFileSync(join(FIXTURES, d, 'metrics.jsonl'), 'utf8').trim().split('\n').length).reduce((a, b) => a + b);
  assert.equal(lines.length, 1 + fixtureRows);
  assert.match(lines[0] as string, /^run,method,split,step,epoch,time,grad_norm,learning_rate,log_odds_chosen,/);
  assert.match(lines[1] as string, /^hh-tiny-orpo,orpo,train,1,/);
  const [png] = await Promise.all([w.page.waitForEvent('download'), w.page.click('[data-chart="logps"] button')]);
  assert.equal(png.suggestedFilename(), 'logps.png');
  const bytes = readFileSync((await png.path()) as string);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(bytes.length > 5000);
  assert.deepEqual(w.errors, []);
});

void test('live rows posted to the page extend the charts and distributions; bad messages are reported, not thrown', async () => {
  const w = await watchedPage(browser);
  await openReport(w, single);
  const runId = await w.page.$eval('#orpo-data', (el) => (JSON.parse(el.textContent as string) as { runs: { info: { id: string } }[] }).runs[0]?.info.id);
  const rows = Array.from({ length: 48 }, (_, i) => ({ step: 241 + i, epoch: 2, time: 240 + i, loss: 1.5, nll_loss: 1.45, 'logps/chosen': -1.4, 'logps/rejected': -3 }));
  const dist = { step: 288, chosen_logps: Array(64).fill(-1.3), rejected_logps: Array(64).fill(-3.1), chosen_rewards: Array(64).fill(-0.13), rejected_rewards: Array(64).fill(-0.31), log_odds: Array(64).fill(2) };
  await w.page.evaluate(([id, m, d]) => window.postMessage({ type: 'append', runId: id, metrics: m, distributions: [d], samples: [], problems: [] }, '*'), [runId, rows, dist] as const);
  await w.page.waitForFunction(() => document.querySelector('#distributions output')?.textContent === 'step 288 (eval 6 of 6, 64 examples)');
  await w.page.evaluate(() => window.postMessage({ type: 'append', runId: 'x' }, '*'));
  await w.page.waitForSelector('.problems li');
  assert.match((await w.page.textContent('.problems li')) ?? '', /ignored a message: append: expected runId/);
  // The ignored message is reported to the host, which the standalone page logs as a warning.
  assert.deepEqual(w.errors.filter((e) => !e.includes('append: expected runId')), []);
});

void test('dark colour scheme: the page and charts take the dark fallbacks', async () => {
  const w = await watchedPage(browser, { colorScheme: 'dark' });
  await openReport(w, compare);
  const bg = await w.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(30, 30, 30)');
  (await colouredPixels(w.page, '[data-chart] canvas')).forEach((n, i) => assert.ok(n > 300, `chart ${i}: ${n}`));
  await w.page.screenshot({ path: join(OUT, 'compare-dark.png'), fullPage: true });
  assert.deepEqual(w.errors, []);
});

// The dashboard as the extension serves it (webview-ui/page.ts with script and stylesheet URLs and the
// webview's CSP source), in headless Chromium. VS Code's side of the webview contract is played by the
// test through the documented API surface only: a global acquireVsCodeApi() whose postMessage/
// getState/setState the page calls, and host messages delivered as window "message" events. Checks the
// handshake (ready, then runs), state saved for restore, export through the host, and reload.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { dashboardPage } from '../../webview-ui/page';
import { loadRun } from '../../src/engine/commands/report';
import { goneText } from '../../src/common/webviewProtocol';
import { buildWebview, colouredPixels, FIXTURES, launch, OUT, watchedPage } from './harness';

let browser: Browser;
let pageFile: string;

before(async () => {
  const wv = await buildWebview(join(OUT, 'bundle-webview'));
  pageFile = join(wv, 'webview.html');
  writeFileSync(pageFile, dashboardPage({ title: 'ORPO Lab dashboard', nonce: 'n0nce', cspSource: 'file:', script: { src: 'main.js' }, style: { href: 'main.css' } }));
  browser = await launch();
});
after(async () => { await browser?.close(); });

interface Recorded { posted: { type: string; kind?: string; filename?: string; data?: string }[]; state: unknown }

void test('handshake, rendering, state for restore and export through the host', async () => {
  const w = await watchedPage(browser);
  // VS Code keeps a webview's state across reloads; here the test carries it over (see the reload
  // below). A string, not a function: tsx's transform would add helpers the page does not have.
  await w.page.addInitScript(`
    window.__rec = { posted: [], state: undefined };
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => { window.__rec.posted.push(m); },
      getState: () => window.__rec.state !== undefined ? window.__rec.state : window.__saved,
      setState: (s) => { window.__rec.state = s; },
    });`);
  await w.page.goto(`file://${pageFile}`);
  await w.page.waitForFunction(() => (window as unknown as { __rec: Recorded }).__rec.posted.some((m) => m.type === 'ready'));
  assert.equal(await w.page.isVisible('.welcome'), true, 'an empty dashboard says how to show a run');
  const runs = [loadRun(join(FIXTURES, 'run-orpo')), loadRun(join(FIXTURES, 'run-sft'))];
  await w.page.evaluate((r) => window.postMessage({ type: 'runs', runs: r }, '*'), runs);
  await w.page.waitForSelector('body[data-ready]');
  assert.equal(await w.page.isVisible('.welcome'), false);
  (await colouredPixels(w.page, '[data-chart] canvas')).forEach((n, i) => assert.ok(n > 300, `chart ${i}: ${n}`));
  const rec = async () => w.page.evaluate(() => (window as unknown as { __rec: Recorded }).__rec);
  assert.deepEqual((await rec()).state && (await rec() as { state: { runDirs: string[] } }).state.runDirs, runs.map((r) => r.info.dir));

  await w.page.click('#export-csv');
  const save = (await rec()).posted.find((m) => m.type === 'save');
  assert.equal(save?.kind, 'csv');
  assert.equal(save?.filename, 'metrics.csv');
  assert.match(save?.data ?? '', /^run,method,split,step,/);

  await w.page.focus('#smoothing');
  await w.page.keyboard.press('End');
  const saved = (await rec()).state;
  await w.page.addInitScript(`window.__saved = ${JSON.stringify(saved)};`);
  await w.page.reload();
  await w.page.waitForFunction(() => (window as unknown as { __rec: Recorded }).__rec.posted.some((m) => m.type === 'ready'));
  await w.page.waitForFunction(() => (document.getElementById('smoothing') as HTMLInputElement).value === '0.99');
  await w.page.evaluate((r) => window.postMessage({ type: 'runs', runs: r }, '*'), runs);
  await w.page.waitForSelector('body[data-ready]');
  assert.equal(await w.page.inputValue('#smoothing'), '0.99', 'state restored through getState after a reload');
  assert.deepEqual(w.errors, []);
});

void test('a run whose folder is gone: a notice naming the folder, no cards, no file error; a folder deleted while shown is noticed too', async () => {
  const w = await watchedPage(browser);
  await w.page.addInitScript(`
    window.__rec = { posted: [], state: undefined };
    window.acquireVsCodeApi = () => ({ postMessage: (m) => { window.__rec.posted.push(m); }, getState: () => window.__rec.state, setState: (s) => { window.__rec.state = s; } });`);
  await w.page.goto(`file://${pageFile}`);
  await w.page.waitForFunction(() => (window as unknown as { __rec: Recorded }).__rec.posted.some((m) => m.type === 'ready'));
  const dir = '/work/runs/tiny-20260101-000000';
  const gone = { info: { id: dir, name: 'tiny-20260101-000000', method: 'unknown', dir }, metrics: [], distributions: [], samples: [], problems: [], gone: true };
  await w.page.evaluate((r) => window.postMessage({ type: 'runs', runs: [r] }, '*'), gone);
  await w.page.waitForSelector('.gone p');
  assert.equal(await w.page.textContent('.gone p'), goneText(dir));
  for (const sel of ['#metrics', '#distributions', '.toolbar.top', '.welcome']) assert.equal(await w.page.isVisible(sel), false, `${sel} hidden`);
  assert.equal(await w.page.locator('.problems li').count(), 0);
  // Kept in the state, so a panel restored after a reload says it again.
  assert.deepEqual((await w.page.evaluate(() => (window as unknown as { __rec: { state: { runDirs: string[] } } }).__rec.state)).runDirs, [dir]);

  const live = loadRun(join(FIXTURES, 'run-orpo'));
  await w.page.evaluate((r) => window.postMessage({ type: 'runs', runs: [r] }, '*'), live);
  await w.page.waitForSelector('body[data-ready]');
  assert.equal(await w.page.locator('.gone p').count(), 0);
  assert.equal(await w.page.isVisible('#metrics'), true);
  await w.page.evaluate((id) => window.postMessage({ type: 'gone', runId: id }, '*'), live.info.id);
  await w.page.waitForSelector('.gone p');
  assert.equal(await w.page.textContent('.gone p'), goneText(live.info.dir));
  assert.deepEqual(w.errors, []);
});

void test('in the side bar the page takes the side bar\'s background and its cards the editor\'s; in an editor panel the editor\'s', async () => {
  const sidebarFile = join(OUT, 'bundle-webview', 'sidebar.html');
  writeFileSync(sidebarFile, dashboardPage({ title: 'ORPO Lab dashboard', nonce: 'n0nce', cspSource: 'file:', script: { src: 'main.js' }, style: { href: 'main.css' }, place: 'sidebar' }));
  const colours = async (file: string) => {
    const w = await watchedPage(browser);
    // VS Code sets its theme colours as custom properties on <html>.
    await w.page.addInitScript(`
      window.acquireVsCodeApi = () => ({ postMessage: () => {}, getState: () => undefined, setState: () => {} });
      document.addEventListener('DOMContentLoaded', () => {
        document.documentElement.style.setProperty('--vscode-sideBar-background', 'rgb(1, 2, 3)');
        document.documentElement.style.setProperty('--vscode-editor-background', 'rgb(4, 5, 6)');
      });`);
    await w.page.goto(`file://${file}`);
    await w.page.waitForSelector('.welcome');
    const c = await w.page.evaluate(() => {
      const probe = document.createElement('div');
      probe.style.background = 'var(--card)';
      document.body.append(probe);
      return { body: getComputedStyle(document.body).backgroundColor, card: getComputedStyle(probe).backgroundColor };
    });
    await w.page.close();
    return c;
  };
  const side = await colours(sidebarFile);
  assert.equal(side.body, 'rgb(1, 2, 3)');
  assert.equal(side.card, 'rgb(4, 5, 6)');
  const editor = await colours(pageFile);
  assert.deepEqual(editor, { body: 'rgb(4, 5, 6)', card: 'rgb(1, 2, 3)' });
});

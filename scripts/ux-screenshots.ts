// Issue 12's UX journey re-run in the packaged extension in code-server, with screenshots in the light,
// dark and high-contrast themes (docs/ux/README.md says what was looked at and found). Not part of
// `npm test`: it needs two finished runs of the shipped example to show charts worth reading.
// Usage: [UX_THEMES=light,dark,hc] npx tsx scripts/ux-screenshots.ts ORPO_RUN_DIR SFT_RUN_DIR [OUT_DIR]
// (runs of examples/hh-rlhf-tiny.orpo.yaml and examples/hh-rlhf-tiny-sft.orpo.yaml, e.g.
// `node dist/engine/cli.js train examples/hh-rlhf-tiny.orpo.yaml --out /tmp/ux/orpo`; build first).
// Per theme: New Experiment on the fixture data (first theme; its config is shown in every theme), a
// config with a problem and its quick fixes, a run started from the palette, the dashboard of the
// example run next to the Runs view, the comparison with SFT, and the toolbar and Play bar up close.
// A failed step is saved as <step>-failed.png and the others still run; the script then exits 1.
import { spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Frame } from 'playwright-core';
import { installExtension, startCodeServer, writeUserSettings } from '../test/e2e/harness/codeServer';
import { waitUntil } from '../test/e2e/harness/wait';
import { launchBrowser, Workbench } from '../test/e2e/harness/workbench';

const ROOT = join(import.meta.dirname, '..');
const THEMES = [
  { key: 'light', id: 'Default Light Modern', cls: 'vs' },
  { key: 'dark', id: 'Default Dark Modern', cls: 'vs-dark' },
  { key: 'hc', id: 'Default High Contrast', cls: 'hc-black' },
] as const;

async function dashboardFrame(wb: Workbench, ready: (f: Frame) => Promise<boolean>): Promise<Frame> {
  return waitUntil(async () => {
    for (const f of wb.page.frames().filter((x) => x.name() === 'active-frame' || /fake\.html/.test(x.url()))) {
      if (await ready(f).catch(() => false)) return f;
    }
    return undefined;
  }, 60_000, 'a dashboard webview');
}

/** The workbench laid out for the page, not scrolled inside it (else clicks and keys miss their targets). */
async function fitsPage(wb: Workbench): Promise<void> {
  await waitUntil(() => wb.page.evaluate(() => {
    const r = document.querySelector('.monaco-workbench')?.getBoundingClientRect();
    return r !== undefined && r.x === 0 && r.y === 0 && r.width === window.innerWidth && r.height === window.innerHeight;
  }), 30_000, 'the workbench to fill the page, unscrolled');
}

async function newExperiment(wb: Workbench, ws: string): Promise<void> {
  // The extension's commands reach the palette once its host has started (slow on a busy machine).
  await waitUntil(() => wb.runCommand('ORPO Lab: New Experiment').then(() => true, () => undefined), 120_000, 'ORPO Lab: New Experiment in the palette');
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  // The simple file dialog lists a typed folder's files asynchronously and ignores an Enter pressed
  // before it has (seen in fresh windows: the dialog stayed open, or went back to the workspace
  // folder). So the path is typed, the dialog's row for the file awaited, then Enter; up to 3 times.
  const path = join(ws, 'data', 'tiny.jsonl');
  const fileRow = wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'tiny.jsonl' }).first();
  for (let attempt = 1; (await input.inputValue()) !== 'tiny'; attempt++) {
    if (attempt > 3) throw new Error(`the file dialog did not take ${path} in 3 tries`);
    await input.fill(path);
    await fileRow.waitFor({ state: 'visible', timeout: 20_000 });
    await waitUntil(async () => (await input.inputValue()) === path, 10_000, 'the dialog to keep the typed path');
    await wb.page.keyboard.press('Enter');
    await waitUntil(async () => ((await input.inputValue()) === 'tiny' ? true : undefined), 20_000, 'the experiment name box').catch(() => undefined);
  }
  await input.fill('first-try');
  await wb.page.keyboard.press('Enter');
  await wb.page.locator('.tabs-container .tab.active', { hasText: 'first-try.orpo.yaml' }).waitFor({ timeout: 20_000 });
}

async function quickFixes(wb: Workbench, apply: boolean): Promise<void> {
  await wb.openFile('broken.orpo.yaml');
  await wb.runCommand('Focus on Problems View');
  const row = wb.page.locator('.markers-panel .monaco-list-row', { hasText: /layers/i }).first();
  await row.waitFor({ timeout: 60_000 });
  await row.dblclick();
  // The double click opens the editor with the problem selected and focuses it, not at once: Ctrl+.
  // pressed while focus is still in the Problems list opened no menu (seen in a fresh window). So the
  // editor's focus is awaited, and Ctrl+. asked again while the code actions are still on their way.
  const editor = wb.page.locator('.editor-group-container.active .monaco-editor.focused');
  await editor.waitFor({ timeout: 20_000 });
  const menu = wb.page.locator('.action-widget');
  await waitUntil(async () => {
    await wb.page.keyboard.press('Control+.');
    return menu.waitFor({ timeout: 5_000 }).then(() => true, async () => {
      const focus = await wb.page.evaluate(() => document.activeElement?.className ?? 'none');
      process.stdout.write(`quick fix: no menu 5 s after Ctrl+. (focus in ${focus}); asking again\n`);
      return undefined;
    });
  }, 40_000, 'the quick-fix menu after Ctrl+.', 0);
  await wb.screenshot('02-problem-quick-fix');
  if (apply) await wb.page.keyboard.press('Enter');
  else await wb.page.keyboard.press('Escape');
}

/** A new notification slides in from below: waits until its toast stops moving. */
async function toastSettled(wb: Workbench): Promise<void> {
  let last = '';
  await waitUntil(async () => {
    const box = JSON.stringify(await wb.page.locator('.notification-toast').last().boundingBox());
    const still = box === last;
    last = box;
    return still || undefined;
  }, 10_000, 'the notification to settle', 300);
}

async function startRun(wb: Workbench): Promise<void> {
  await wb.openFile('tiny.orpo.yaml');
  await wb.runCommand('ORPO Lab: Start Run');
  await wb.waitForNotification(/ORPO run tiny/, 60_000);
  await toastSettled(wb);
  await wb.screenshot('03-run-started');
  await wb.waitForNotification(/ORPO run tiny-\S+ (finished|stopped|failed)/, 4 * 60_000);
  await toastSettled(wb);
  await wb.screenshot('04-run-finished');
  await wb.page.keyboard.press('Escape');
}

/** The pointer away from the charts: a hovered chart shows its live legend over the card below. */
const pointerAway = (wb: Workbench) => wb.page.mouse.move(640, 790);

/** Scrolls the webview so that `sel` starts just below the sticky toolbar, not under it. */
async function scrollTo(f: Frame, sel: string): Promise<void> {
  await f.evaluate((s) => {
    const top = document.querySelector(s)?.getBoundingClientRect().top ?? 0;
    const bar = document.querySelector('.toolbar.top')?.getBoundingClientRect().height ?? 0;
    window.scrollBy(0, top - bar - 8);
  }, sel);
}

async function dashboard(wb: Workbench, orpo: string): Promise<void> {
  await wb.runCommand('View: Close All Editors');
  // The Problems panel, open since the quick-fix step, would take half the dashboard's height.
  await wb.runCommand('View: Hide Panel');
  await wb.runCommand('Focus on Runs View');
  const pane = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Runs' }) }).first();
  await pane.locator('.monaco-list-row', { hasText: orpo }).first().click();
  await dashboardFrame(wb, (f) => f.evaluate(() => document.body.dataset.ready === 'true' && (document.querySelector('.legend')?.textContent ?? '').includes('hh-rlhf-tiny (orpo)') && document.querySelector('#compare')?.checkVisibility() !== true));
  await pointerAway(wb);
  await wb.screenshot('05-dashboard-runs-view');
}

async function compare(wb: Workbench, orpo: string, sft: string): Promise<void> {
  await wb.runCommand('ORPO Lab: Compare Runs');
  for (const name of [orpo, sft]) {
    await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().locator('.quick-input-list-checkbox, input[type=checkbox], .monaco-checkbox').first().click();
  }
  await wb.page.keyboard.press('Enter');
  const f = await dashboardFrame(wb, (x) => x.evaluate(() => document.body.dataset.ready === 'true' && document.querySelector('#compare')?.checkVisibility() === true));
  await pointerAway(wb);
  await wb.screenshot('06-compare-metrics');
  await scrollTo(f, '#distributions');
  await wb.screenshot('07-compare-distributions');
  await scrollTo(f, '#compare');
  await wb.screenshot('08-compare-final');
  await f.evaluate(() => window.scrollTo(0, 0));
  // Up close: the toolbar (Reset zoom, Export CSV) and the distributions' bar (run, ▶ Play, eval step).
  await f.locator('.toolbar.top').screenshot({ path: join(wb.shotsDir, '09-toolbar.png') });
  await f.locator('#distributions .dist .toolbar').first().screenshot({ path: join(wb.shotsDir, '10-play.png') });
}

async function main(): Promise<void> {
  const [orpoRun, sftRun, outArg] = process.argv.slice(2);
  if (!orpoRun || !sftRun) throw new Error('usage: npx tsx scripts/ux-screenshots.ts ORPO_RUN_DIR SFT_RUN_DIR [OUT_DIR]');
  const out = outArg ?? join(ROOT, '.test-output', 'ux');
  mkdirSync(out, { recursive: true });
  const vsix = join(out, 'orpo-lab.vsix');
  if (!(process.env.UX_REUSE_VSIX && existsSync(vsix))) {
    const p = spawnSync(process.execPath, [join(ROOT, 'scripts/package.mjs'), '--no-build', '--out', vsix], { cwd: ROOT, stdio: 'inherit' });
    if (p.status !== 0) throw new Error('packaging failed');
  }
  const tmp = mkdtempSync(join(tmpdir(), 'orpo-ux-'));
  const ws = join(tmp, 'workspace');
  cpSync(join(ROOT, 'test/e2e/fixtures/workspace'), ws, { recursive: true, filter: (s) => basename(s) !== 'runs' });
  const orpo = 'hh-rlhf-tiny-orpo';
  const sft = 'hh-rlhf-tiny-sft';
  cpSync(orpoRun, join(ws, 'runs', orpo), { recursive: true, filter: (s) => !['checkpoints', 'run.lock'].includes(basename(s)) });
  cpSync(sftRun, join(ws, 'runs', sft), { recursive: true, filter: (s) => !['checkpoints', 'run.lock'].includes(basename(s)) });
  const dirs = { userDataDir: join(tmp, 'user-data'), extensionsDir: join(tmp, 'extensions') };
  installExtension(vsix, dirs);
  const themes = THEMES.filter((t) => !process.env.UX_THEMES || process.env.UX_THEMES.split(',').includes(t.key));
  const browser = await launchBrowser();
  const failed: string[] = [];
  try {
    for (const t of themes) {
      // Each theme as a user sets it (settings.json workbench.colorTheme), in a fresh window.
      writeUserSettings(dirs.userDataDir, { 'workbench.colorTheme': t.id });
      const server = await startCodeServer(ws, dirs, join(out, `code-server-${t.key}.log`), { XDG_DATA_HOME: join(tmp, 'xdg-data') });
      try {
        rmSync(join(out, t.key), { recursive: true, force: true });
        const wb = await Workbench.open(browser, `${server.url}/?folder=${encodeURIComponent(ws)}`, join(out, t.key), { width: 1280, height: 800 });
        const consoleLog = createWriteStream(join(out, `console-${t.key}.log`));
        wb.page.on('console', (m) => consoleLog.write(`${new Date().toISOString()} ${m.type()} ${m.text()}\n`));
        wb.page.on('pageerror', (e) => consoleLog.write(`${new Date().toISOString()} pageerror ${e.message}\n`));
        await wb.page.locator(`.monaco-workbench.${t.cls}`).waitFor({ timeout: 30_000 });
        await fitsPage(wb);
        // A failed step is said and shown (<step>-failed.png), and the others still get their screenshots.
        const step = async (name: string, fn: () => Promise<void>): Promise<void> => {
          await fn().catch(async (e: unknown) => {
            failed.push(`${t.key}: ${name}`);
            await wb.screenshot(`${name}-failed`);
            process.stdout.write(`${t.key}: ${name} failed: ${String(e)}\n`);
            await wb.page.keyboard.press('Escape');
          });
        };
        await step('01-new-experiment', async () => {
          if (existsSync(join(ws, 'first-try.orpo.yaml'))) await wb.openFile('first-try.orpo.yaml');
          else await newExperiment(wb, ws);
          await wb.screenshot('01-new-experiment');
        });
        await step('02-problem-quick-fix', () => quickFixes(wb, t === themes[themes.length - 1]));
        await step('03-run', () => startRun(wb));
        await step('05-dashboard', () => dashboard(wb, orpo));
        await step('06-compare', () => compare(wb, orpo, sft));
        await wb.page.close();
        process.stdout.write(`${t.key}: done\n`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await browser.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  if (failed.length > 0) throw new Error(`steps failed (see their *-failed.png): ${failed.join(', ')}`);
}

main().catch((e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`); process.exitCode = 1; });

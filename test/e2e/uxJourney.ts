// Issue 12's UX steps in the real VS Code (code-server), called from extension.test.ts and reused by
// scripts/ux-screenshots.ts: VS Code's conventions (§4: Title Case commands under "ORPO Lab", the
// hidden developer command, one "ORPO Lab" output channel with a section per run folder, the settings
// titled "ORPO Lab"), the walkthrough's steps (§2), and a dashboard panel whose run folder is deleted
// (§1: it says so in words, also when VS Code restores the panel after a reload, and the Runs view
// drops the folder) after its CSV export asked where to save (§3).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Frame } from 'playwright-core';
import { goneText } from '../../src/common/webviewProtocol';
import { expectRows, runFolders } from './harness/runs';
import { waitUntil } from './harness/wait';
import type { Workbench } from './harness/workbench';

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: { commandPalette: { command: string; when: string }[] };
    walkthroughs: { title: string; steps: { title: string }[] }[];
  };
};

/** The rows the command palette lists for `filter` once it has settled (none after 3 s: none). */
async function paletteRows(wb: Workbench, filter: string): Promise<string[]> {
  const input = wb.page.locator('.quick-input-widget input');
  await wb.page.keyboard.press('Escape');
  await wb.page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${filter}`);
  const rows = wb.page.locator('.quick-input-list .monaco-list-row .label-name');
  await rows.first().waitFor({ state: 'visible', timeout: 3000 }).catch(() => undefined);
  const labels = await rows.allInnerTexts();
  await wb.page.keyboard.press('Escape');
  return labels.map((l) => l.replace(/\s+/g, ' ').trim());
}

/** Every file under `dir` whose name ends with `suffix`. */
function filesEndingWith(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(suffix)).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

/**
 * §4 in the palette, the Output view and the Settings editor. `runs`: folders of runs started in this
 * window, each of which must have its section in the one "ORPO Lab" channel.
 */
export async function conventionsJourney(wb: Workbench, userDataDir: string, runs: string[]): Promise<void> {
  const hidden = new Set(manifest.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command));
  for (const c of manifest.contributes.commands) {
    const title = `${c.category}: ${c.title}`;
    assert.match(c.title, /^([A-Z0-9][\w-]*|a|an|and|as|at|by|for|in|of|on|or|the|to|with)( ([A-Z0-9][\w-]*|a|an|and|as|at|by|for|in|of|on|or|the|to|with))*$/, `Title Case: ${c.title}`);
    const rows = await paletteRows(wb, title);
    if (hidden.has(c.command)) assert.ok(!rows.includes(title), `${title} is hidden from the palette: ${rows.join(' | ')}`);
    else assert.ok(rows.includes(title), `the palette lists ${title}: ${rows.join(' | ')}`);
  }

  // One output channel: the channel list has "ORPO Lab" and nothing else of ours.
  await wb.runCommand('Output: Show Output Channels...');
  const channels = (await wb.quickPickRows()).map((r) => r.split('\n')[0]?.trim() ?? '');
  assert.deepEqual(channels.filter((c) => /orpo/i.test(c)), ['ORPO Lab'], `output channels: ${channels.join(' | ')}`);
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'ORPO Lab' }).first().click();
  await wb.page.locator('.pane-header.expanded, .composite.title', { hasText: /output/i }).first().waitFor({ timeout: 10_000 }).catch(() => undefined);
  await wb.screenshot('20-output-channel');
  // VS Code keeps each output channel in a log file of the window's session: a section per run folder.
  const logs = await waitUntil(() => {
    const fs = filesEndingWith(join(userDataDir, 'logs'), '-ORPO Lab.log');
    const text = fs.map((f) => readFileSync(f, 'utf8')).join('\n');
    return runs.every((r) => text.includes(`── ${r} ──`)) ? fs : undefined;
  }, 30_000, `the ORPO Lab output channel to hold a section per run (${runs.join(', ')})`);
  assert.ok(logs.length >= 1);
  assert.deepEqual(filesEndingWith(join(userDataDir, 'logs'), '.log').filter((f) => /orpo/i.test(basename(f)) && !f.endsWith('-ORPO Lab.log')), [], 'no other ORPO channel');

  // Settings: the extension's settings are titled "ORPO Lab".
  await wb.runCommand('Preferences: Open Settings (UI)');
  const search = wb.page.locator('.settings-editor .settings-header .suggest-input-container');
  await search.waitFor({ timeout: 20_000 });
  await search.click();
  await wb.page.keyboard.type('@ext:orpo-lab.orpo-lab');
  const toc = wb.page.locator('.settings-editor .settings-toc-container .monaco-list-row', { hasText: /^ORPO Lab/ });
  await toc.first().waitFor({ timeout: 20_000 });
  await wb.screenshot('21-settings');
  await wb.runCommand('View: Close All Editors');
}

/** §2: the walkthrough lists its five steps; its first step's button opens the shipped example. */
export async function walkthroughJourney(wb: Workbench, ws: string): Promise<void> {
  const w = manifest.contributes.walkthroughs[0];
  assert.ok(w);
  const page = wb.page.locator('.gettingStartedContainer');
  const first = page.locator('.getting-started-step', { hasText: w.steps[0]?.title ?? '' }).first();
  await waitUntil(async () => {
    // The walkthrough picker: type its title, Enter (again if the picker closed before it listed it).
    await wb.runCommand('Welcome: Open Walkthrough...');
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(w.title);
    await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: w.title }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await wb.page.keyboard.press('Enter');
    return first.waitFor({ timeout: 20_000 }).then(() => true);
  }, 90_000, `the walkthrough "${w.title}" to open`);
  const titles = (await page.locator('.getting-started-step .step-title').allInnerTexts()).map((t) => t.trim());
  assert.deepEqual(titles, w.steps.map((s) => s.title), 'the walkthrough shows its steps in order');
  await wb.screenshot('22-walkthrough');
  // Step 1 may be done already (VS Code then opens the next step): open it, then its button.
  await first.locator('.step-title').click();
  await first.locator('.button-link, .monaco-button', { hasText: 'Open Example Experiment' }).first().click();
  await wb.page.locator('.tabs-container .tab.active', { hasText: 'hh-rlhf-tiny.orpo.yaml' }).waitFor({ timeout: 30_000 });
  assert.ok(existsSync(join(ws, 'orpo-example', 'data', 'hh-rlhf-tiny.jsonl.gz')));
  await wb.runCommand('View: Close All Editors');
}

/** The dashboard webview frames (each webview's inner document). */
function dashboardFrames(wb: Workbench): Frame[] {
  return wb.page.frames().filter((f) => f.name() === 'active-frame' || /fake\.html/.test(f.url()));
}

/** Waits for a dashboard frame for which `check` (run in the frame, with `arg`) returns a value. */
async function inDashboard<T>(wb: Workbench, what: string, check: (arg: string) => T | undefined | false, arg = '', timeoutMs = 60_000): Promise<{ frame: Frame; value: T }> {
  return waitUntil(async () => {
    for (const frame of dashboardFrames(wb)) {
      const value = await frame.evaluate(check, arg).catch(() => undefined);
      if (value !== undefined && value !== false && value !== null) return { frame, value: value as T };
    }
    return undefined;
  }, timeoutMs, what);
}

/**
 * §1 and §3 on one run folder: its dashboard panel (opened from its Runs row) draws charts; Export CSV
 * asks where to save and writes there; then the folder is deleted as from a terminal: the Runs view
 * drops it and the panel says the folder no longer exists, again after a window reload (the panel
 * serializer restores it), never a raw ENOENT.
 */
export async function deletedRunJourney(wb: Workbench, runsDir: string, folder: string, configName: string): Promise<void> {
  const dir = join(runsDir, folder);
  await wb.runCommand('Focus on Runs View');
  const pane = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Runs' }) }).first();
  await pane.locator('.monaco-list-row', { hasText: folder }).first().click();
  await wb.page.locator('.tabs-container .tab.active', { hasText: 'ORPO dashboard' }).waitFor({ timeout: 30_000 });
  const { frame } = await inDashboard(wb, `the dashboard panel to draw ${configName}`, (label) => document.body.dataset.ready === 'true' && document.querySelector('.legend')?.textContent?.includes(label), `${configName} (`);
  await wb.screenshot('23-dashboard-panel');

  // Export CSV: the save dialog (VS Code's simple dialog here) proposes the run folder; Enter saves there.
  await frame.click('#export-csv');
  const input = wb.page.locator('.quick-input-widget input');
  const proposed = await waitUntil(async () => { const v = await input.inputValue().catch(() => ''); return v.endsWith('metrics.csv') ? v : undefined; }, 20_000, 'the save dialog to propose metrics.csv');
  assert.ok(proposed.includes(folder), `the save dialog starts in the run folder: ${proposed}`);
  await wb.screenshot('24-csv-save-dialog');
  await wb.page.keyboard.press('Enter');
  const csv = join(dir, 'metrics.csv');
  await waitUntil(() => existsSync(csv) && readFileSync(csv, 'utf8').includes('\n'), 20_000, `${csv} to be written`);
  assert.match(readFileSync(csv, 'utf8'), /^run,method,split,step,/);

  // Deleted outside VS Code.
  rmSync(dir, { recursive: true, force: true });
  await expectRows(wb, runsDir, { '': /.*/ }, `after deleting ${folder} from disk`);
  assert.ok(!runFolders(runsDir).includes(folder));
  const text = goneText(dir);
  const shown = async () => (await inDashboard(wb, `the panel to say ${dir} is gone`, () => document.querySelector('.gone p')?.textContent ?? undefined)).value;
  assert.equal(await shown(), text);
  await wb.screenshot('25-dashboard-gone');

  await Promise.all([wb.page.waitForEvent('load', { timeout: 60_000 }), wb.runCommand('Developer: Reload Window')]);
  await wb.page.locator('.statusbar').waitFor({ timeout: 90_000 });
  await wb.page.locator('.tabs-container .tab', { hasText: 'ORPO dashboard' }).first().click({ timeout: 60_000 });
  assert.equal(await shown(), text, 'the restored panel says so again');
  for (const f of dashboardFrames(wb)) {
    const body = await f.evaluate(() => document.body.innerText).catch(() => '');
    assert.doesNotMatch(body, /ENOENT|no such file/, 'no raw file error in any dashboard');
  }
  await wb.screenshot('26-dashboard-gone-after-reload');
}

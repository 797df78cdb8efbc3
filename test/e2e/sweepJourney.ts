// Issue 15's end-to-end journey: a sweep started in VS Code. The code lens on `sweep:` shows the grid
// size and the time estimate; "ORPO Lab: Start Sweep" from the palette starts sweep.orpo.yaml's two
// variants (2 in parallel); the Runs view shows one sweep row with its overall progress and the two
// variant rows under it; clicking the sweep row opens the sweep view, whose table lists both variants.
// Afterwards the sweep's config and folder are removed, so later journeys see the workspace as before.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { parseSweepIndex } from '../../src/common/sweepIndex';
import { paletteTitle } from './harness/runs';
import { waitUntil } from './harness/wait';
import type { Workbench } from './harness/workbench';

const VARIANTS = ['lambda=0.1', 'lambda=0.5'];

/** The Runs view's rows with their tree depth (aria-level: 1 top level, 2 under a sweep). */
async function levelRows(wb: Workbench): Promise<{ text: string; level: number }[]> {
  const pane = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Runs' }) }).first();
  return pane.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => ({ text: (r as HTMLElement).innerText.replace(/\n/g, ' '), level: Number(r.getAttribute('aria-level')) })));
}

/** The webview frame that shows the sweep view's table with a row per variant. */
async function sweepFrame(wb: Workbench): Promise<Frame | undefined> {
  for (const f of wb.page.frames()) {
    const n = await f.locator('.sweep-table tbody tr').count().catch(() => 0);
    if (n > 0) return f;
  }
  return undefined;
}

export async function sweepJourney(wb: Workbench, ws: string): Promise<void> {
  const sweepsDir = join(ws, 'sweeps');
  await wb.openFile('sweep.orpo.yaml');
  // Code lenses render only on visible lines: go to the end of the file, where `sweep:` is.
  await wb.page.locator('.editor-instance .view-lines').filter({ visible: true }).first().click();
  await wb.page.keyboard.press('Control+End');
  // The code lens: grid size and an estimate (no earlier run of this config: the documented default step time).
  const lens = await waitUntil(async () => (await wb.page.locator('.codelens-decoration').allInnerTexts()).find((t) => /Start ORPO sweep/.test(t)), 90_000, 'the code lens on sweep:');
  assert.match(lens, /Start ORPO sweep: 2 runs, about \d+ s \(assuming 0\.12 s\/step\)/);
  await wb.screenshot('sweep-01-lens');

  await wb.runCommand(paletteTitle('orpoLab.startSweep'));
  // After validation, how many variants at a time: 2 in parallel.
  const parallel = wb.page.locator('.quick-input-list .monaco-list-row', { hasText: '2 variants in parallel' }).first();
  await parallel.waitFor({ state: 'visible', timeout: 90_000 });
  await parallel.click();
  const done = await wb.waitForNotification(/Sweep (finished|stopped)|sweep did not start/, 4 * 60_000);
  await wb.screenshot('sweep-02-finished');
  const dir = /Sweep finished: (\S+)/.exec(done)?.[1];
  assert.ok(dir, `the sweep finished: ${done}`);
  assert.match(dir, /sweeps\/tinysweep-\d{8}-\d{6}$/);
  const index = parseSweepIndex(readFileSync(join(dir, 'sweep.json'), 'utf8'));
  assert.ok(index.ok, index.ok ? '' : index.error);
  assert.deepEqual(index.value.variants.map((v) => [v.name, v.status]), VARIANTS.map((n) => [n, 'completed']));
  assert.equal(index.value.parallel, 2);

  // The Runs view: one sweep row with its overall progress, the two variants' rows under it.
  await wb.runCommand('Focus on Runs View');
  const name = dir.slice(dir.lastIndexOf('/') + 1);
  const rows = await waitUntil(async () => {
    const rs = await levelRows(wb);
    const at = rs.findIndex((r) => r.text.includes(name));
    return at >= 0 && /sweep · 2\/2 completed · step 6\/6/.test(rs[at]?.text ?? '') && VARIANTS.every((v, i) => rs[at + 1 + i]?.level === (rs[at]?.level ?? 0) + 1 && /completed/.test(rs[at + 1 + i]?.text ?? '') && rs.some((r) => r.text.trim().startsWith(v))) ? rs : undefined;
  }, 60_000, `the Runs view to show ${name} as a sweep row (2/2 completed, step 6/6) with its two variants under it`);
  const sweepRow = rows.find((r) => r.text.includes(name));
  assert.equal(sweepRow?.level, 1, 'the sweep is a top-level row');
  assert.equal(rows.filter((r) => VARIANTS.some((v) => r.text.trim().startsWith(v))).length, 2, 'each variant listed once, under the sweep');
  await wb.screenshot('sweep-03-runs-view');

  // Clicking the sweep row opens the sweep view: a table with a row per variant.
  const pane = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Runs' }) }).first();
  await pane.locator('.monaco-list-row', { hasText: name }).first().click();
  await wb.page.locator('.tabs-container .tab', { hasText: 'ORPO sweep: tinysweep' }).first().waitFor({ timeout: 30_000 });
  const frame = await waitUntil(() => sweepFrame(wb), 60_000, 'the sweep view table in its webview');
  const groups = await frame.locator('.sweep-table tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.group));
  assert.deepEqual(groups, VARIANTS, 'one table row per variant');
  assert.ok((await frame.locator('canvas').count()) > 0, 'the sweep view draws its charts');
  await wb.screenshot('sweep-04-view');

  // Leave the workspace as the other journeys expect it: no sweep config, no sweeps folder.
  await wb.runCommand('View: Close All Editors');
  rmSync(join(ws, 'sweep.orpo.yaml'));
  rmSync(sweepsDir, { recursive: true, force: true });
  await wb.runCommand(paletteTitle('orpoLab.refreshRuns'));
  await waitUntil(async () => ((await levelRows(wb)).some((r) => r.text.includes(name)) ? undefined : true), 30_000, 'the sweep row to go after its folder was removed');
  assert.equal(existsSync(sweepsDir), false);
}

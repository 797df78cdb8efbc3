// End-to-end: the packaged extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3) driven
// through headless Debian Chromium as a user would. Packages the .vsix, installs it, opens a
// workspace with a tiny config, runs "ORPO Lab: Start Run" from the command palette (F1, type, Enter),
// waits for the run to finish, checks the run directory, its metrics and the Runs view, then opens a
// broken config and checks that its diagnostics reach the Problems panel. Screenshots, logs and the
// measured activation time go to .test-output/e2e/. Missing prerequisites fail with the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { codeServerEntry, installExtension, startCodeServer, writeUserSettings, type RunningCodeServer } from './harness/codeServer';
import { expectRows, menuTitle, paletteTitle, runFolders } from './harness/runs';
import { CHROMIUM, launchBrowser, Workbench } from './harness/workbench';
import { waitUntil } from './harness/wait';
import { sweepJourney } from './sweepJourney';
import { conventionsJourney, deletedRunJourney, walkthroughJourney } from './uxJourney';

const root = join(import.meta.dirname, '..', '..');
const out = join(root, '.test-output', 'e2e');

function prerequisites(): void {
  codeServerEntry();
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (.ci/run does).`);
  const missing = ['dist/extension.js', 'dist/server.js', 'dist/engine/cli.js'].filter((f) => !existsSync(join(root, f)));
  if (missing.length > 0) throw new Error(`missing build output ${missing.join(', ')}: run npm run build (npm ci does).`);
}

/** long.orpo.yaml's train.max_steps: short enough to finish after a resume. */
const LONG_STEPS = 50;

/**
 * Issue 12's journey after "long" was stopped: resume it from the palette (a quick pick even for one
 * run, completed runs not offered), try to start it again while it runs (asked, cancelled), double-click
 * ▶ on tiny (one run starts), let long finish, delete the older tiny run (its folder alone, named in the
 * dialog). After every step the Runs view lists each run folder on disk exactly once.
 */
async function runsJourney(wb: Workbench, runsDir: string, longDir: string, stoppedAt: number): Promise<void> {
  const long = basename(longDir);
  const tiny = runFolders(runsDir).filter((n) => n.startsWith('tiny'));
  assert.equal(tiny.length, 1);
  await wb.runCommand('Focus on Runs View');
  let rows = await expectRows(wb, runsDir, { long: /stopped/, tiny: /completed/ }, 'after stop');
  assert.deepEqual(rows.map((r) => r.folder), [long, tiny[0]], 'newest first');
  await wb.screenshot('08-stopped-row');

  // Resume from the palette: it asks, and offers only the stopped run.
  await wb.runCommand(paletteTitle('orpoLab.resumeRun'));
  const offered = await wb.quickPickRows();
  assert.equal(offered.length, 1, `only resumable runs are offered: ${offered.join(' | ')}`);
  assert.match(offered[0] ?? '', new RegExp(`${long}[\\s\\S]*stopped`));
  await wb.page.keyboard.press('Enter');
  await expectRows(wb, runsDir, { long: /starting|running/, tiny: /completed/ }, 'after resume');
  await wb.screenshot('09-resumed-row');

  // Starting long again while it runs asks first, naming the folder; cancelling starts nothing.
  await wb.dblclickEditorAction(menuTitle('orpoLab.startRun'));
  const question = await wb.waitForDialog(/already running/, 30_000);
  assert.match(question, new RegExp(`long\\.orpo\\.yaml is already running in ${long}: start another\\?`));
  await wb.screenshot('10-already-running');
  await wb.clickDialogButton('Cancel');
  assert.equal(await wb.dialogText(), undefined, 'the second click of the double-click asked nothing more');
  assert.deepEqual(runFolders(runsDir).filter((n) => n.startsWith('long')), [long], 'no second long run');

  // A double-click on ▶ for a config that is not running starts one run.
  await wb.activateTab('tiny.orpo.yaml');
  await wb.dblclickEditorAction(menuTitle('orpoLab.startRun'));
  await wb.waitForNotification(/tiny\.orpo\.yaml is already being started/, 30_000);
  const tinyDone = await wb.waitForNotification(/ORPO run tiny-\S+ finished at step 3/, 4 * 60_000);
  const tinyNow = runFolders(runsDir).filter((n) => n.startsWith('tiny'));
  assert.equal(tinyNow.length, 2, `one new tiny run: ${tinyNow.join(', ')}`);
  assert.ok(tinyNow.some((n) => tinyDone.includes(n)), `the notification names the new folder: ${tinyDone}`);
  await expectRows(wb, runsDir, { long: /running|completed/, tiny: /completed/ }, 'after the double-click');

  const finished = await wb.waitForNotification(new RegExp(`ORPO run ${long} finished at step ${LONG_STEPS}`), 5 * 60_000);
  assert.ok(finished.length > 0);
  rows = await expectRows(wb, runsDir, { long: /completed/, tiny: /completed/ }, 'after finishing');
  assert.equal(rows.length, 3);
  const metrics = readFileSync(join(longDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss?: number });
  const steps = metrics.filter((m) => typeof m.loss === 'number').map((m) => m.step);
  assert.deepEqual(steps, Array.from({ length: LONG_STEPS }, (_, i) => i + 1), `resumed from step ${stoppedAt} to the end, each step once`);
  await wb.screenshot('11-finished-rows');

  // Delete the first tiny run from its row: the dialog names its folder; only that folder goes.
  const victim = tiny[0] as string;
  await wb.treeRowMenu('Runs', victim, new RegExp(`^${menuTitle('orpoLab.deleteRun')}$`, 'i'));
  const confirm = await wb.waitForDialog(/trash/, 30_000);
  assert.match(confirm, new RegExp(`"${victim}"`));
  assert.ok(confirm.includes(join(runsDir, victim)), `the dialog shows the path: ${confirm}`);
  await wb.screenshot('12-delete-dialog');
  await wb.clickDialogButton('Move to Trash');
  // Where the file system has no trash (code-server's remote one), it asks again for a permanent delete.
  const next = await waitUntil(async () => (await wb.dialogText()) ?? (existsSync(join(runsDir, victim)) ? undefined : 'gone'), 30_000, 'the folder to go or a second question');
  if (next !== 'gone') {
    assert.match(next, new RegExp(`"${victim}" could not be moved to the trash[\\s\\S]*Delete it permanently`));
    await wb.screenshot('13-permanent-dialog');
    await wb.clickDialogButton('Delete Permanently');
  }
  await waitUntil(() => !existsSync(join(runsDir, victim)), 30_000, `${victim} to be deleted`);
  rows = await expectRows(wb, runsDir, { long: /completed/, tiny: /completed/ }, 'after delete');
  assert.deepEqual(rows.map((r) => r.folder).sort(), runFolders(runsDir), 'the other runs stay');
  assert.ok(existsSync(join(longDir, 'checkpoints', `checkpoint-${LONG_STEPS}`)), 'the resumed run is intact');
  await wb.screenshot('14-after-delete');
}

function packageVsix(): string {
  const vsix = join(out, 'orpo-lab.vsix');
  const r = spawnSync(process.execPath, [join(root, 'scripts/package.mjs'), '--no-build', '--out', vsix], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  writeFileSync(join(out, 'package.log'), `${r.stdout}\n${r.stderr}`);
  if (r.status !== 0) throw new Error(`npm run package failed (exit ${r.status}); see ${join(out, 'package.log')}`);
  return vsix;
}

void test('ORPO Lab in code-server: Start ORPO run from the palette, Runs view, Problems panel', { timeout: 20 * 60_000 }, async (t) => {
  const t0 = Date.now();
  const lap = (what: string) => t.diagnostic(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  prerequisites();
  const vsix = packageVsix();
  lap('packaged');

  const tmp = mkdtempSync(join(tmpdir(), 'orpo-e2e-'));
  const ws = join(tmp, 'workspace');
  cpSync(join(import.meta.dirname, 'fixtures', 'workspace'), ws, { recursive: true, filter: (src) => basename(src) !== 'runs' });
  const dirs = { userDataDir: join(tmp, 'user-data'), extensionsDir: join(tmp, 'extensions') };
  installExtension(vsix, dirs);
  // The packaged engine carries this platform's native CPU kernels (the fixture trains on wasm with them).
  const installed = readdirSync(dirs.extensionsDir).find((n) => n.startsWith('orpo-lab.'));
  assert.ok(installed && existsSync(join(dirs.extensionsDir, installed, 'dist/engine/orpo_native.node')), 'the .vsix holds dist/engine/orpo_native.node');
  writeUserSettings(dirs.userDataDir);
  lap('installed');
  const activationLog = join(tmp, 'activation.jsonl');
  let server: RunningCodeServer | undefined;
  const browser = await launchBrowser();
  let wb: Workbench | undefined;
  let passed = false;
  try {
    // XDG_DATA_HOME: a trash the test owns, should the file system offer one.
    server = await startCodeServer(ws, dirs, join(out, 'code-server.log'), { ORPO_LAB_ACTIVATION_LOG: activationLog, XDG_DATA_HOME: join(tmp, 'xdg-data') });
    wb = await Workbench.open(browser, `${server.url}/?folder=${encodeURIComponent(ws)}`, out);
    lap('workbench open');
    await wb.screenshot('01-workbench');

    // Start a run as a user would: open the config, F1, type, Enter.
    await wb.openFile('tiny.orpo.yaml');
    assert.ok(await wb.paletteHas('ORPO Lab: Start Run'), 'the palette lists "ORPO Lab: Start Run"');
    assert.equal(await wb.paletteHas('ORPO Lab Activation Time'), false, 'the developer command is hidden from the palette');
    const runsDir = join(ws, 'runs');
    const pressed = Date.now();
    await wb.runCommand('ORPO Lab: Start Run');
    // Time to first metric: from Enter in the palette to the first line of metrics.jsonl on disk.
    const firstMetric = waitUntil(() => {
      const d = existsSync(runsDir) ? readdirSync(runsDir).find((n) => n.startsWith('tiny')) : undefined;
      const f = d ? join(runsDir, d, 'metrics.jsonl') : undefined;
      return f && existsSync(f) && readFileSync(f, 'utf8').includes('\n') ? Date.now() - pressed : undefined;
    }, 120_000, 'the first metrics row', 20);
    // The progress notification (or, on a fast machine, already the final one) names the run.
    await wb.waitForNotification(/ORPO run tiny/, 60_000);
    await wb.screenshot('02-run-started');
    const note = await wb.waitForNotification(/ORPO run \S+ (finished|stopped|failed)|Cannot start|Could not validate/, 4 * 60_000);
    lap('run ended');
    await wb.screenshot('03-run-finished');
    assert.match(note, /ORPO run tiny-\d{8}-\d{6}\S* finished at step 3/, `the run should finish; the notification says: ${note}`);

    const firstMetricMs = await firstMetric;
    writeFileSync(join(out, 'time-to-first-metric.json'), JSON.stringify({ ms: firstMetricMs, config: 'tiny.orpo.yaml (backend wasm)' }));
    t.diagnostic(`time to first metric after "Start ORPO run": ${firstMetricMs} ms`);

    // The run directory and its metrics.
    const runDirs = readdirSync(runsDir).filter((n) => n.startsWith('tiny'));
    assert.equal(runDirs.length, 1, `one run directory under ${runsDir}: ${runDirs.join(', ')}`);
    const runDir = join(runsDir, runDirs[0] as string);
    assert.ok(existsSync(join(runDir, 'config.yaml')), 'config.yaml in the run directory');
    const rows = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    const train = rows.filter((r) => typeof r.loss === 'number');
    assert.deepEqual(train.map((r) => r.step), [1, 2, 3], 'one training row per step');
    assert.ok(train.every((r) => Number.isFinite(r.loss) && typeof r['rewards/accuracies'] === 'number'), 'finite loss and TRL metrics');

    // The Runs view lists it.
    await wb.runCommand('Focus on Runs View');
    const runRow = await waitUntil(async () => (await wb?.treeRows('Runs'))?.find((r) => r.includes(runDirs[0] as string) && /completed|stopped|failed|incomplete/.test(r)), 30_000, `the Runs view to list ${runDirs[0]} with its final status`);
    assert.match(runRow, /completed/);
    await wb.screenshot('04-runs-view');

    // A broken config's diagnostics reach the Problems panel.
    await wb.openFile('broken.orpo.yaml');
    await wb.runCommand('Focus on Problems View');
    const problem = await waitUntil(async () => (await wb?.problemRows())?.find((r) => /layers/i.test(r)), 60_000, 'a Problems panel entry about model.layers in broken.orpo.yaml');
    assert.match(problem, /layers/i);
    await wb.screenshot('05-problems');
    lap('problems shown');

    // Starting the broken config is refused with its errors listed.
    await wb.runCommand('ORPO Lab: Start Run');
    const refusal = await wb.waitForNotification(/Cannot start|ORPO run broken/, 60_000);
    assert.match(refusal, /Cannot start broken\.orpo\.yaml: 2 errors: line 4: model\.layers/);
    await wb.screenshot('06-refused');
    assert.ok(!readdirSync(runsDir).some((n) => n.startsWith('broken')), 'no run directory for the refused config');

    // Cancelling a run's progress notification stops it; the engine checkpoints and exits cleanly.
    await wb.openFile('long.orpo.yaml');
    await wb.runCommand('ORPO Lab: Start Run');
    const longDir = await waitUntil(() => {
      const d = existsSync(runsDir) ? readdirSync(runsDir).find((n) => n.startsWith('long')) : undefined;
      const f = d ? join(runsDir, d, 'metrics.jsonl') : undefined;
      return f && existsSync(f) && readFileSync(f, 'utf8').split('\n').length > 3 ? join(runsDir, d as string) : undefined;
    }, 120_000, 'the long run to log a few steps');
    await wb.clickNotificationButton(/ORPO run long/, 'Cancel');
    const stopped = await wb.waitForNotification(/ORPO run long-\S+ (stopped|finished|failed)/, 120_000);
    await wb.screenshot('07-cancelled');
    assert.match(stopped, /stopped \(checkpoint saved\) at step \d+/, `cancelling stops the run: ${stopped}`);
    const step = Number(/at step (\d+)/.exec(stopped)?.[1]);
    assert.ok(step > 0 && step < LONG_STEPS, `stopped early, at step ${step}`);
    assert.ok(existsSync(join(longDir, 'checkpoints', `checkpoint-${step}`, 'trainer_state.json')), `a checkpoint at step ${step}`);
    lap('cancelled');
    await runsJourney(wb, runsDir, longDir, step);
    lap('journey');

    // The walkthrough (issue 12 §2): VS Code lists it, and its first step copies the shipped example.
    await wb.runCommand('Open Walkthrough');
    await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Your First ORPO Run' }).first().waitFor({ timeout: 20_000 });
    await wb.page.keyboard.press('Escape');
    await wb.runCommand('ORPO Lab: Open Example Experiment');
    await waitUntil(() => (['hh-rlhf-tiny.orpo.yaml', 'hh-rlhf-tiny-sft.orpo.yaml', 'data/hh-rlhf-tiny.jsonl.gz', 'data/LICENSE-hh-rlhf'].every((f) => existsSync(join(ws, 'orpo-example', f))) ? true : undefined), 30_000, 'the example copied into orpo-example/');
    // The command opens the example's config once the copy is done; wait for its tab, so that its
    // late focus change does not close the next Quick Open.
    await wb.page.locator('.tabs-container .tab.active', { hasText: 'hh-rlhf-tiny.orpo.yaml' }).waitFor({ timeout: 30_000 });
    await wb.screenshot('08-example');
    lap('walkthrough');
    await sweepJourney(wb, ws);
    lap('sweep');
    await walkthroughJourney(wb, ws);
    await conventionsJourney(wb, dirs.userDataDir, runFolders(runsDir));
    await deletedRunJourney(wb, runsDir, basename(longDir), 'long');
    lap('ux journey');

    const activation = readFileSync(activationLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { activateMs: number; sinceModuleLoadMs: number });
    assert.ok(activation.length >= 1, 'the extension logged its activation time');
    writeFileSync(join(out, 'activation.json'), JSON.stringify(activation, null, 2));
    t.diagnostic(`activation: ${JSON.stringify(activation[0])}`);
    passed = true;
  } catch (e) {
    await wb?.screenshot('failure').catch(() => undefined);
    throw e;
  } finally {
    await browser.close();
    await server?.stop();
    // Kept after a failure for inspection (the path is in the code-server log's arguments).
    if (passed) rmSync(tmp, { recursive: true, force: true });
    lap('done');
  }
});

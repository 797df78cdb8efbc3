// Drives the VS Code workbench in headless Debian Chromium through playwright-core as a user would:
// the command palette (F1, type, Enter), Quick Open, views and the Problems panel. Selectors are
// VS Code 1.100's DOM (.quick-input-widget, .monaco-list-row, .markers-panel, .notification-toast).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { waitUntil } from './wait';

/**
 * A tree's rows, without the sticky-scroll copies: VS Code repeats an expanded parent's row at the top
 * of a scrolled tree (class monaco-tree-sticky-row, also a monaco-list-row), so counting every
 * .monaco-list-row would see that run twice.
 */
const LIST_ROW = '.monaco-list-row:not(.monaco-tree-sticky-row)';

export const CHROMIUM = process.env.ORPO_E2E_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set ORPO_E2E_CHROMIUM.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

export class Workbench {
  constructor(readonly page: Page, readonly shotsDir: string) {
    mkdirSync(shotsDir, { recursive: true });
  }

  /**
   * Opens the workbench at its final size: a viewport changed after load can leave the workbench laid
   * out for the old size, scrolled inside the smaller page (scripts/ux-screenshots.ts saw this).
   */
  static async open(browser: Browser, url: string, shotsDir: string, viewport = { width: 1400, height: 900 }): Promise<Workbench> {
    const page = await browser.newPage({ viewport });
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    // The status bar appears once the workbench has restored its parts.
    await page.locator('.statusbar').waitFor({ timeout: 60_000 });
    return new Workbench(page, shotsDir);
  }

  async screenshot(name: string): Promise<string> {
    const file = join(this.shotsDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** F1, type the command's title, wait for it in the list, Enter. */
  async runCommand(title: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await this.page.keyboard.press('Escape');
    await this.page.locator('.monaco-workbench').focus().catch(() => undefined);
    await this.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  }

  /** Whether the palette lists a command with this title (the palette is closed again afterwards). */
  async paletteHas(title: string): Promise<boolean> {
    const input = this.page.locator('.quick-input-widget input');
    await this.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    const found = await row.waitFor({ state: 'visible', timeout: 20_000 }).then(() => true, () => false);
    await this.page.keyboard.press('Escape');
    return found;
  }

  /** Quick Open (Ctrl+P) a workspace file by its relative path; waits for its editor tab. */
  async openFile(relPath: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    const base = relPath.replace(/^.*\//, '');
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first();
    // Quick Open can close again at once, before or after the path is typed, when a previous command
    // moves focus late (seen after the walkthrough opened the example: CI then waited 60 s for a row
    // in a closed picker). It is opened again whenever it closed, up to three times. File search can
    // take long on a loaded machine (20 s was too short under a load average of 25): 60 s a try.
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('Control+P');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      const shown = await input.fill(relPath, { timeout: 10_000 }).then(
        () => waitUntil(async () => ((await row.isVisible()) ? 'row' : (await input.isVisible()) ? undefined : 'closed'), 60_000, `Quick Open to list ${base}`),
        (e: unknown) => { if (attempt >= 3) throw e; return 'closed'; },
      );
      if (shown === 'row') break;
      if (attempt >= 3) throw new Error(`Quick Open closed three times before it listed ${base}`);
    }
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab.active', { hasText: base }).waitFor({ timeout: 20_000 });
  }

  /** Activates an open editor by clicking its tab (Quick Open when it has none). */
  async activateTab(relPath: string): Promise<void> {
    const base = relPath.replace(/^.*\//, '');
    const tab = this.page.locator('.tabs-container .tab', { hasText: base }).first();
    if ((await tab.count()) === 0) { await this.openFile(relPath); return; }
    await tab.click();
    await this.page.locator('.tabs-container .tab.active', { hasText: base }).waitFor({ timeout: 20_000 });
  }

  /** Text of the visible notification toasts. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
  }

  async waitForNotification(re: RegExp, timeoutMs: number): Promise<string> {
    return waitUntil(async () => (await this.notifications()).find((t) => re.test(t)), timeoutMs, `a notification matching ${re}`);
  }

  /** Clicks a button (e.g. "Cancel") on the notification toast whose message matches `re`. */
  async clickNotificationButton(re: RegExp, label: string): Promise<void> {
    const toast = this.page.locator('.notification-toast', { has: this.page.locator('.notification-list-item-message', { hasText: re }) }).first();
    await toast.hover();
    await toast.locator('.monaco-button', { hasText: label }).first().click();
  }

  /** Rows of a tree view, found by the view's pane header title (e.g. "Runs"). */
  async treeRows(paneTitle: string): Promise<string[]> {
    const pane = this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: paneTitle }) }).first();
    return pane.locator(LIST_ROW).allInnerTexts();
  }

  /** Rows of the Problems panel (file rows and marker rows). */
  async problemRows(): Promise<string[]> {
    return this.page.locator('.markers-panel .monaco-list-row').allInnerTexts();
  }

  /** The message and detail of the open modal dialog, or undefined when none is open. */
  async dialogText(): Promise<string | undefined> {
    const box = this.page.locator('.monaco-dialog-box');
    if ((await box.count()) === 0 || !(await box.first().isVisible())) return undefined;
    return box.first().locator('.dialog-message-row').first().innerText();
  }

  async waitForDialog(re: RegExp, timeoutMs: number): Promise<string> {
    return waitUntil(async () => { const t = await this.dialogText(); return t !== undefined && re.test(t) ? t : undefined; }, timeoutMs, `a dialog matching ${re}`);
  }

  /** Clicks a button of the open modal dialog by its label; waits for that dialog to close (another may follow). */
  async clickDialogButton(label: string): Promise<void> {
    const before = await this.dialogText();
    const box = this.page.locator('.monaco-dialog-box').first();
    await box.locator('.dialog-buttons .monaco-button', { hasText: new RegExp(`^${label}$`) }).first().click();
    await waitUntil(async () => (await this.dialogText()) !== before, 10_000, `the dialog to close after "${label}"`);
  }

  /** The rows of the open quick pick (waits for it and for at least one row). */
  async quickPickRows(): Promise<string[]> {
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 20_000 });
    return rows.allInnerTexts();
  }

  /** Right-clicks the row of a tree view whose text contains `rowText`, then clicks a context menu item. */
  async treeRowMenu(paneTitle: string, rowText: string, item: RegExp): Promise<void> {
    const pane = this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: paneTitle }) }).first();
    await pane.locator(LIST_ROW, { hasText: rowText }).first().click({ button: 'right' });
    const entry = this.page.locator('.monaco-menu .action-item', { hasText: item }).first();
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await entry.click();
    // Under load the menu can take the click as a hover only (the item highlighted, the menu still
    // open); the highlighted item then runs with Enter, as a keyboard user would run it.
    const closed = await this.page.locator('.monaco-menu').first().waitFor({ state: 'hidden', timeout: 3_000 }).then(() => true, () => false);
    if (!closed) await this.page.keyboard.press('Enter');
  }

  /** Double-clicks an action of the active editor's title bar (e.g. the ▶ of a contributed command). */
  async dblclickEditorAction(title: string): Promise<void> {
    const action = this.page.locator(`.editor-actions .action-label[aria-label^="${title}"]`).first();
    await action.waitFor({ state: 'visible', timeout: 10_000 });
    await action.dblclick();
  }
}

// Screenshots for README.marketplace.md (media/screenshots/): the dashboard report of a real ORPO run,
// and of it compared with its SFT baseline, rendered in headless Chromium as test/dashboard does.
// Usage: npx tsx scripts/marketplace-screenshots.ts ORPO_RUN_DIR SFT_RUN_DIR
// (the runs of examples/hh-rlhf-tiny.orpo.yaml and examples/hh-rlhf-tiny-sft.orpo.yaml).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildWebview, launch, makeReport, openReport, watchedPage, ROOT } from '../test/dashboard/harness';

async function main(): Promise<void> {
  const [orpo, sft] = process.argv.slice(2);
  if (!orpo || !sft) throw new Error('usage: npx tsx scripts/marketplace-screenshots.ts ORPO_RUN_DIR SFT_RUN_DIR');
  const out = join(ROOT, 'media', 'screenshots');
  mkdirSync(out, { recursive: true });
  const wv = await buildWebview();
  const browser = await launch();
  try {
    for (const [name, dirs, selector] of [['dashboard', [orpo], '#metrics'], ['compare', [orpo, sft], '#compare']] as const) {
      const w = await watchedPage(browser, { colorScheme: 'dark' });
      await w.page.setViewportSize({ width: 1100, height: 760 });
      await openReport(w, await makeReport(`screenshot-${name}`, [...dirs], wv));
      const box = await w.page.locator(selector).boundingBox();
      if (!box) throw new Error(`${selector} is not shown`);
      await w.page.screenshot({ path: join(out, `${name}.png`), fullPage: true, clip: { x: 0, y: name === 'dashboard' ? 0 : box.y - 8, width: 1100, height: Math.min(760, box.height + (name === 'dashboard' ? box.y : 16)) } });
      if (w.errors.length) throw new Error(w.errors.join('\n'));
    }
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => { process.stderr.write(`${String(e)}\n`); process.exitCode = 1; });

// The dashboard on what the engine really writes, not on simulated fixtures: two short runs (orpo and
// sft) through the real CLI, compared in one `orpo-lab report`, rendered in headless Chromium. Every
// metric chart and distribution is drawn, the samples are listed, and nothing errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { root, runCli } from '../engine/cli';
import { buildWebview, colouredPixels, launch, makeReport, openReport, OUT, watchedPage } from './harness';

let browser: Browser;
let report: string;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-real-'));
  const runs: string[] = [];
  for (const method of ['orpo', 'sft']) {
    const p = join(dir, `${method}.orpo.yaml`);
    writeFileSync(p, `name: real-${method}
seed: 4
method: ${method}
model: { layers: 1, d_model: 32, heads: 2, context: 128 }
data: { train: ${join(root, 'examples/data/hh-rlhf-tiny.jsonl.gz')}, eval: 0.25, max_length: 128, max_prompt_length: 64, limit: 24 }
train: { batch_size: 4, max_steps: 12, eval_every: 4, save_every: 100, eval_samples: 1, learning_rate: 3.0e-3 }
backend: wasm
`);
    const out = join(dir, method);
    const r = await runCli(['train', p, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    runs.push(out);
  }
  report = await makeReport('report-real-runs', runs, await buildWebview());
  browser = await launch();
});
after(async () => { await browser?.close(); });

test('real engine runs render: metric charts, distributions, comparison and samples, without errors', async () => {
  const w = await watchedPage(browser);
  await openReport(w, report);
  const charts = await colouredPixels(w.page, '[data-chart]:not([hidden]) canvas');
  assert.ok(charts.length >= 10, `metric charts: ${charts.length}`);
  charts.forEach((n, i) => assert.ok(n > 100, `metric chart ${i} has only ${n} coloured pixels`));
  const dists = await colouredPixels(w.page, '#distributions canvas');
  assert.ok(dists.length >= 3);
  dists.forEach((n, i) => assert.ok(n > 200, `distribution canvas ${i} has only ${n} coloured pixels`));
  assert.equal(await w.page.isHidden('#compare'), false, 'two runs are compared');
  assert.match(await w.page.textContent('body') ?? '', /real-orpo[\s\S]*real-sft|real-sft[\s\S]*real-orpo/);
  assert.ok(await w.page.locator('#samples details').count() >= 3, 'eval samples are listed');
  await w.page.screenshot({ path: join(OUT, 'real-runs.png'), fullPage: true });
  assert.deepEqual(w.errors, []);
});

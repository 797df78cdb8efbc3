// `orpo-lab report`: reading run directories (names, methods, bad lines reported with file:line),
// usage errors, and the written page (CSP, embedded data, inlined bundle).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/engine/args';
import { loadRun, main } from '../../src/engine/commands/report';
import { buildWebview, FIXTURES, OUT } from './harness';

void test('loads a fixture run: config identity and every row', () => {
  const r = loadRun(join(FIXTURES, 'run-orpo'));
  assert.equal(r.info.name, 'hh-tiny-orpo');
  assert.equal(r.info.method, 'orpo');
  assert.equal(r.info.lambda, 0.1);
  const lines = readFileSync(join(FIXTURES, 'run-orpo', 'metrics.jsonl'), 'utf8').trim().split('\n').length;
  assert.equal(r.metrics.length, lines);
  assert.equal(r.distributions.length, 5);
  assert.equal(r.distributions[0]?.chosen_logps.length, 64);
  assert.equal(r.samples.length, 5);
  assert.deepEqual(r.problems, []);
});

void test('bad lines become problems naming file and line; a directory without metrics.jsonl is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-report-'));
  try {
    cpSync(join(FIXTURES, 'run-sft'), dir, { recursive: true });
    appendFileSync(join(dir, 'metrics.jsonl'), '{"step": "x"}\n');
    writeFileSync(join(dir, 'config.yaml'), 'name: [unclosed\n');
    const r = loadRun(dir);
    const n = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').length;
    assert.equal(r.problems.length, 2);
    assert.match(r.problems[0] as string, /config\.yaml: not valid YAML/);
    assert.equal(r.problems[1], `${join(dir, 'metrics.jsonl')}:${n}: expected a numeric "step"`);
    rmSync(join(dir, 'metrics.jsonl'));
    assert.throws(() => loadRun(dir), (e: unknown) => e instanceof UsageError && /metrics\.jsonl: not found \(is .* a run directory\?\)/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

void test('usage errors: no run, no --out', async () => {
  await assert.rejects(main(['--out', 'x.html']), /usage: orpo-lab report RUN_DIR/);
  await assert.rejects(main([join(FIXTURES, 'run-orpo')]), /usage: orpo-lab report RUN_DIR/);
  await assert.rejects(main([join(FIXTURES, 'run-orpo'), '--out', join(OUT, 'x.html'), '--webview-dir', '/nonexistent']), /npm run build/);
});

void test('the page is self-contained: inlined script and style under a nonce CSP, data embedded', async () => {
  const wv = await buildWebview(join(OUT, 'bundle-report'));
  const out = join(OUT, 'report-unit.html');
  assert.equal(await main([join(FIXTURES, 'run-orpo'), join(FIXTURES, 'run-sft'), '--out', out, '--webview-dir', wv]), 0);
  const html = readFileSync(out, 'utf8');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#39;/g, "'");
  const nonce = /script-src 'nonce-([\w-]+)'/.exec(csp ?? '')?.[1];
  assert.ok(nonce, `no nonce in ${csp}`);
  assert.equal(html.match(new RegExp(`<script nonce="${nonce}">`, 'g'))?.length, 1);
  assert.equal(html.match(new RegExp(`<style nonce="${nonce}">`, 'g'))?.length, 1);
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/);
  const data = JSON.parse(/<script type="application\/json" id="orpo-data">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null') as { type: string; runs: { info: { name: string } }[] };
  assert.equal(data.type, 'runs');
  assert.deepEqual(data.runs.map((r) => r.info.name), ['hh-tiny-orpo', 'hh-tiny-sft']);
});

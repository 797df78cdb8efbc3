// Fuzz test (issue 3): 1200 seeded mutations of valid configs, covering deletions, insertions, type
// swaps, garbage and invalid UTF-8, deep nesting, huge numbers, tabs and anchor/alias bombs. Every
// validation must return diagnostics without an exception or an internal error, with ranges inside the
// document, within 200 ms of CPU time. Completion and hover run at random positions too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createProbe, getCodeActions, getCompletions, getHover, validateDocument } from './index';
import { mutate, rng } from './testing';

const DIR = path.resolve(__dirname, '../../../test/fixtures/configs');
const CFG = path.join(DIR, 'fuzz.orpo.yaml');
const seeds = ['local.orpo.yaml', 'valid.orpo.yaml', 'invalid.orpo.yaml'].map((f) => fs.readFileSync(path.join(DIR, f), 'utf8'));

void test('1200 seeded mutations: diagnostics without exceptions, each within 200 ms', (t) => {
  const probe = createProbe();
  const r = rng(20240312);
  validateDocument(seeds[0] as string, { path: CFG, fs: probe }); // warm up ajv and the file cache
  let worst = 0;
  let worstWall = 0;
  let withDiagnostics = 0;
  for (let i = 0; i < 1200; i++) {
    const text = mutate(seeds[i % seeds.length] as string, r, i);
    const lineCount = text.split(/\r\n|\r|\n|\u2028|\u2029/).length;
    // CPU time of this process, not wall time: the test machine is shared, and time spent waiting for a
    // core is not the validator's. Wall time is reported too.
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const diags = validateDocument(text, { path: CFG, fs: probe });
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const ms = (cpu.user + cpu.system) / 1000;
    worst = Math.max(worst, ms);
    worstWall = Math.max(worstWall, wall);
    assert.ok(ms < 200, `mutation ${i} took ${ms.toFixed(1)} ms of CPU (${wall.toFixed(1)} ms wall)`);
    assert.ok(Array.isArray(diags));
    for (const d of diags) {
      assert.notEqual(d.code, 'internal', `mutation ${i}: ${d.message}\n${JSON.stringify(text.slice(0, 300))}`);
      assert.ok(d.range.start.line >= 0 && d.range.end.line <= lineCount, `mutation ${i}: range outside the document`);
      assert.ok(typeof d.message === 'string' && d.message.length > 0);
    }
    if (diags.length) withDiagnostics++;
    if (i % 10 === 0) {
      const pos = { line: Math.floor(r() * lineCount), character: Math.floor(r() * 30) };
      getCompletions(text, pos, { path: CFG, fs: probe });
      getHover(text, pos, { path: CFG, fs: probe });
      getCodeActions(text, { start: pos, end: pos }, { path: CFG, fs: probe, diagnostics: diags });
    }
  }
  // The mutations really break things: most of them must produce diagnostics.
  assert.ok(withDiagnostics > 900, `only ${withDiagnostics} mutations produced diagnostics`);
  assert.ok(worst < 200);
  t.diagnostic(`slowest validation: ${worst.toFixed(1)} ms CPU, ${worstWall.toFixed(1)} ms wall; ${withDiagnostics} of 1200 mutations had diagnostics`);
});

// `npm test` on a fresh machine (scripts/prereqs.mjs): which system packages the selected tests need,
// what is missing, and, when it may not install (not root, or ORPO_LAB_NO_INSTALL), stopping with the
// one command to run, checked with a stand-in dpkg-query that reports a package missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingPackages, needsOf } from '../../scripts/prereqs.mjs';

const root = join(__dirname, '..', '..');
const ALL = ['chromium', 'libegl1', 'libgles2', 'libegl-mesa0', 'libgl1-mesa-dri', 'libopenblas0-pthread', 'ripgrep', 'libkrb5-dev', 'pkg-config', 'build-essential', 'python3'];

test('a full run needs everything; a filtered run only what its files use', () => {
  assert.deepEqual([...needsOf([], true)].sort(), ['blas', 'chromium', 'codeServer', 'mesa']);
  assert.deepEqual([...needsOf(['src/engine/args.test.ts'], false)], []);
  assert.deepEqual([...needsOf(['test/dashboard/report.test.ts'], false)], ['chromium']);
  assert.deepEqual([...needsOf(['test/e2e/extension.test.ts'], false)].sort(), ['blas', 'chromium', 'codeServer']);
  assert.deepEqual([...needsOf(['test/engine/backends.test.ts'], false)], ['mesa']);
});

test('missing packages are named per need; one OpenBLAS flavour is enough; code-server build needs only without code-server', () => {
  const full = needsOf([], true);
  assert.deepEqual(missingPackages(full, new Set(ALL), false), []);
  const noGles = missingPackages(full, new Set(ALL.filter((p) => p !== 'libgles2')), true);
  assert.deepEqual(noGles.map((m) => [m.group, m.packages]), [['mesa', ['libgles2']]]);
  const openmp = new Set([...ALL.filter((p) => p !== 'libopenblas0-pthread'), 'libopenblas0-openmp']);
  assert.deepEqual(missingPackages(full, openmp, true), []);
  const noBlas = missingPackages(full, new Set(ALL.filter((p) => p !== 'libopenblas0-pthread')), true);
  assert.deepEqual(noBlas.map((m) => m.packages), [['libopenblas0-pthread']]);
  const noRg = new Set(ALL.filter((p) => p !== 'ripgrep'));
  assert.deepEqual(missingPackages(full, noRg, true), [], 'code-server is there: ripgrep is not needed');
  assert.deepEqual(missingPackages(full, noRg, false).map((m) => m.packages), [['ripgrep']]);
});

test('npm test stops with the one command to run when it may not install', () => {
  const bin = mkdtempSync(join(tmpdir(), 'orpo-prereq-'));
  const fake = join(bin, 'dpkg-query');
  // Reports every package installed except libgles2, as dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\n' does.
  writeFileSync(fake, '#!/bin/sh\nshift 2\nfor p in "$@"; do [ "$p" = libgles2 ] || printf "%s\\tii \\n" "$p"; done\n');
  chmodSync(fake, 0o755);
  const r = spawnSync(process.execPath, [join(root, 'scripts/test.mjs'), 'test/engine/backends.test.ts'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, ORPO_LAB_NO_INSTALL: '1' },
  });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /missing: libgles2 \(the WebGPU test/);
  assert.match(r.stderr, /^ {2}sudo apt-get update && sudo apt-get install -y libgles2$/m);
  assert.doesNotMatch(r.stdout, /# (typecheck|lint)|esbuild/, 'stops before building or testing');
});

// Runs every test with Node's own test runner: unit tests next to their code (src/**, webview-ui/**)
// and end-to-end tests under test/. TypeScript is loaded through tsx. Pass file filters as arguments.
// First it installs what the selected tests need outside node_modules (scripts/prereqs.mjs): system
// packages with apt-get when root on Debian/Ubuntu (else it stops with the command to run), code-server.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensurePrerequisites, needsOf } from './prereqs.mjs';

const root = new URL('..', import.meta.url).pathname;
const skipDirs = new Set(['node_modules', 'dist', '.git', 'out', 'runs', '.test-output']);
function find(dir, acc = []) {
  for (const name of readdirSync(dir)) {
    if (skipDirs.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, acc);
    else if (name.endsWith('.test.ts')) acc.push(relative(root, p));
  }
  return acc;
}
const filters = process.argv.slice(2);
const files = ['src', 'webview-ui', 'test']
  .flatMap((d) => find(join(root, d)))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
if (!ensurePrerequisites(needsOf(files, filters.length === 0), root)) process.exit(1);
// A full run (no filters) first type-checks and lints the whole project: strictness is part of the suite.
if (filters.length === 0) {
  for (const [what, bin, args] of [['typecheck', 'node_modules/typescript/bin/tsc', ['-p', '.', '--noEmit']], ['lint', 'node_modules/eslint/bin/eslint.js', ['.']]]) {
    console.log(`# ${what}`);
    const c = spawnSync(process.execPath, [join(root, bin), ...args], { cwd: root, stdio: 'inherit' });
    if (c.status !== 0) {
      console.error(`${what} failed`);
      process.exit(c.status ?? 1);
    }
  }
}
// The browser and VS Code tests load the bundles in dist/: build them first, so they test this tree.
const b = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
if (b.status !== 0) process.exit(b.status ?? 1);
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ORPO_LAB_TEST: '1' },
});
process.exit(r.status ?? 1);

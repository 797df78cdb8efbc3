// A run leaves no empty /tmp/orpo-xdg-* behind (issue 12 §8): backend probing makes a private
// XDG_RUNTIME_DIR for Dawn, and removes it when the process exits. The test names webgpu: `auto` no
// longer starts Dawn on a machine without a Vulkan loader, so it would make no directory to check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './cli';

test('backend probing removes its private XDG_RUNTIME_DIR at exit', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'orpo-tmp-'));
  const env: Record<string, string | undefined> = { ...process.env, TMPDIR: tmp };
  delete env.XDG_RUNTIME_DIR;
  const code = "import('./src/engine/backend/select.ts').then(async (mod) => { const m = mod.default ?? mod; const b = await m.selectBackend('webgpu', () => {}); process.stdout.write(JSON.stringify({ backend: b.backend, xdg: process.env.XDG_RUNTIME_DIR ?? '' })); })";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: root, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { backend: string; xdg: string };
  assert.ok(out.xdg.startsWith(join(tmp, 'orpo-xdg-')), `the probe made its runtime dir under TMPDIR: ${out.xdg}`);
  assert.deepEqual(readdirSync(tmp).filter((n) => n.startsWith('orpo-xdg-')), [], 'removed at exit');
});

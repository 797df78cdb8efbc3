// The first event of a run says which backend was chosen and why (issue 11 §5), through the CLI as
// the extension reads it: here (no hardware GPU: Dawn only has llvmpipe) `auto` takes native and says
// why; with the software adapter admitted as a GPU candidate (ORPO_LAB_AUTO_SOFTWARE_GPU=1, tests only)
// the run's shape is timed on both, then the second run takes the pick from the cache file. And a
// named tensorflow backend is loaded from the CUDA folder (ORPO_LAB_CUDA_DIR; a stand-in package).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendEvent } from '../../src/common/events';
import { runCli, tinyConfig } from './cli';

async function firstEvent(args: string[], env: Record<string, string>): Promise<BackendEvent> {
  const r = await runCli(['train', ...args, '--max-steps', '1'], undefined, env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.bad, []);
  const first = r.events[0];
  assert.equal(first?.type, 'backend', JSON.stringify(r.events.slice(0, 2)));
  const started = r.events.find((e) => e.type === 'started');
  assert.equal(started?.type === 'started' && started.backend, (first as BackendEvent).backend, 'the run trains on the backend its first event names');
  return first as BackendEvent;
}

test('auto without a hardware GPU: the first event names native and why; a named backend says it was named', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-first-'));
  const cfg = tinyConfig(dir, 'max_steps: 1');
  const env = { ORPO_LAB_CACHE_DIR: join(dir, 'cache') };
  const auto = await firstEvent([cfg, '--backend', 'auto', '--out', join(dir, 'a')], env);
  assert.equal(auto.requested, 'auto');
  assert.equal(auto.backend, 'native');
  assert.match(auto.reason, /^native: no hardware GPU \(.*webgpu: .*\)$/, auto.reason);
  assert.match(auto.reason, /tensorflow: .*not installed/, 'tfjs-node(-gpu) is not installed here');
  assert.equal(auto.times, undefined, 'nothing to time without a GPU');
  const named = await firstEvent([cfg, '--out', join(dir, 'c')], env); // the config says cpu
  assert.deepEqual([named.requested, named.backend, named.reason], ['cpu', 'cpu', 'cpu: named in the config or on the command line']);
});

test('auto with a GPU candidate and native: timed now on the run\'s shape, then cached from that date', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-first-'));
  const cfg = tinyConfig(dir, 'max_steps: 1');
  const env = { ORPO_LAB_CACHE_DIR: join(dir, 'cache'), ORPO_LAB_AUTO_SOFTWARE_GPU: '1' };
  const timed = await firstEvent([cfg, '--backend', 'auto', '--out', join(dir, 'a')], env);
  assert.match(timed.reason, /^(webgpu|native): [\d.]+ ms\/step vs (native|webgpu) [\d.]+ ms\/step, timed now$/, timed.reason);
  const t = timed.times ?? {};
  assert.deepEqual(Object.keys(t).sort(), ['native', 'webgpu']);
  assert.equal(timed.backend, (t.webgpu ?? 0) < (t.native ?? 0) ? 'webgpu' : 'native');
  const saved = JSON.parse(readFileSync(join(dir, 'cache', 'backend-timings.json'), 'utf8')) as { entries: { date: string; shape: string; version: string }[] };
  assert.equal(saved.entries.length, 1);
  assert.match(saved.entries[0]?.shape ?? '', /n_embd=16 .*n_layer=1 .*vocab_size=257 \| pairs=2 T=64 orpo/);
  const cached = await firstEvent([cfg, '--backend', 'auto', '--out', join(dir, 'b')], env);
  assert.equal(cached.backend, timed.backend);
  assert.deepEqual(cached.times, timed.times);
  assert.equal(cached.cached_from, saved.entries[0]?.date);
  assert.match(cached.reason, new RegExp(`, cached from ${saved.entries[0]?.date ?? 'x'}$`));
  writeFileSync(join(dir, 'cache', 'backend-timings.json'), '{"entries": [{"machine": ');
  const r = await runCli(['train', cfg, '--backend', 'auto', '--out', join(dir, 'c'), '--max-steps', '1'], undefined, env);
  assert.equal(r.code, 0, r.stderr);
  const [first, second] = r.events;
  assert.ok(first?.type === 'backend' && first.reason.endsWith(', timed now'), JSON.stringify(first));
  assert.ok(second?.type === 'warning' && second.message.startsWith(`${join(dir, 'cache', 'backend-timings.json')}: the backend timing cache is corrupt and was ignored`), JSON.stringify(second));
});

test('backend tensorflow: the engine loads the package from the CUDA folder the extension passes (a stand-in package)', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-cuda-'));
  const pkg = join(dir, 'node_modules', '@tensorflow', 'tfjs-node-gpu');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node-gpu', version: '4.22.0', main: 'index.js' }));
  writeFileSync(join(pkg, 'index.js'), 'process.stderr.write(`stand-in loaded from ${__filename}\\n`);\n');
  const cfg = tinyConfig(dir, 'max_steps: 1');
  const r = await runCli(['train', cfg, '--backend', 'tensorflow', '--out', join(dir, 'run')], undefined, { ORPO_LAB_CUDA_DIR: dir });
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes(`stand-in loaded from ${join(pkg, 'index.js')}`), r.stderr);
  assert.ok(r.stderr.includes(`backend tensorflow: @tensorflow/tfjs-node-gpu loaded from ${join(pkg, 'index.js')} but registered no working tensorflow backend.`), r.stderr);
  const none = await runCli(['train', cfg, '--backend', 'tensorflow', '--out', join(dir, 'run2')], undefined, { ORPO_LAB_CUDA_DIR: join(dir, 'nothing') });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /backend tensorflow is not available: @tensorflow\/tfjs-node-gpu: not installed \(not in .*nothing either\).*"ORPO Lab: Install CUDA Backend"/);
});

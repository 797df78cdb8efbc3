// `auto`'s pick from measured step times and its cache (issue 11 §5): the fastest timed candidate wins,
// failures are named, and the cache hits only for the same machine, shape and engine version; a
// corrupt cache is ignored with a warning and replaced; writes are atomic and drop stale versions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromCache, pickFastest, timesText } from './autoPick';
import { cacheFile, readCache, writeCache, type CacheEntry } from './autoCache';

test('the fastest timed candidate is picked; the reason gives every time and who could not be timed', () => {
  const c = pickFastest([{ backend: 'webgpu', ms: 41.2 }, { backend: 'native', ms: 452 }, { backend: 'tensorflow', error: 'out of memory' }]);
  assert.equal(c?.backend, 'webgpu');
  assert.deepEqual(c?.times, { webgpu: 41.2, native: 452 });
  assert.equal(c?.reason, 'webgpu: 41 ms/step vs native 452 ms/step, timed now; tensorflow could not be timed (out of memory)');
  const slowGpu = pickFastest([{ backend: 'webgpu', ms: 991 }, { backend: 'native', ms: 452 }]);
  assert.equal(slowGpu?.backend, 'native', 'a GPU slower than native loses');
  assert.equal(slowGpu?.reason, 'native: 452 ms/step vs webgpu 991 ms/step, timed now');
  assert.equal(pickFastest([{ backend: 'webgpu', error: 'x' }, { backend: 'native', ms: Number.NaN }]), undefined);
  assert.equal(timesText('native', { native: 3.14159 }), 'native: 3.1 ms/step');
});

test('a cached pick is used only when its backend is a candidate today', () => {
  const e = { backend: 'webgpu', times: { webgpu: 41, native: 452 }, date: '2026-11-28T10:00:00.000Z' };
  const c = fromCache(e, ['webgpu', 'native']);
  assert.equal(c?.reason, 'webgpu: 41 ms/step vs native 452 ms/step, cached from 2026-11-28T10:00:00.000Z');
  assert.equal(c?.cachedFrom, e.date);
  assert.equal(fromCache(e, ['tensorflow', 'native']), undefined);
});

const entry = (o: Partial<CacheEntry> = {}): CacheEntry => ({ machine: 'host | CPU | GPU', shape: 'gpt2 n_embd=256', version: '0.1.0', backend: 'native', times: { native: 452, webgpu: 991 }, date: '2026-11-29T09:00:00.000Z', ...o });

test('cache: miss, hit, another shape or machine misses, a stale engine version misses and is dropped on write', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'orpo-cache-')), 'sub', 'backend-timings.json');
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  const key = { machine: 'host | CPU | GPU', shape: 'gpt2 n_embd=256', version: '0.1.0' };
  assert.equal(readCache(file, key, warn), undefined, 'no file: a miss');
  writeCache(file, entry({ version: '0.0.9' }), warn);
  writeCache(file, entry({ shape: 'gpt2 n_embd=768' , version: '0.0.9' }), warn);
  assert.equal(readCache(file, key, warn), undefined, 'another engine version: a miss');
  writeCache(file, entry(), warn);
  assert.deepEqual(readCache(file, key, warn), entry());
  assert.equal(readCache(file, { ...key, shape: 'gpt2 n_embd=512' }, warn), undefined);
  assert.equal(readCache(file, { ...key, machine: 'other | CPU | GPU' }, warn), undefined);
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { entries: CacheEntry[] };
  assert.deepEqual(saved.entries.map((e) => e.version), ['0.1.0'], 'stale versions dropped');
  writeCache(file, entry({ backend: 'webgpu', times: { webgpu: 40, native: 452 } }), warn);
  assert.equal(readCache(file, key, warn)?.backend, 'webgpu', 'replaced, not duplicated');
  assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { entries: unknown[] }).entries.length, 1);
  assert.deepEqual(readdirSync(join(file, '..')), ['backend-timings.json'], 'no temporary file left');
  assert.deepEqual(warnings, []);
});

test('cache: a corrupt file is ignored with a warning naming it, then replaced by the next write', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-cache-'));
  const file = join(dir, 'backend-timings.json');
  const key = { machine: 'host | CPU | GPU', shape: 'gpt2 n_embd=256', version: '0.1.0' };
  for (const text of ['{"entries": [', '{"entries": [{"machine": 1}]}', '[]']) {
    writeFileSync(file, text);
    const warnings: string[] = [];
    assert.equal(readCache(file, key, (m) => warnings.push(m)), undefined);
    assert.equal(warnings.length, 1, text);
    assert.match(warnings[0] ?? '', /backend-timings\.json: the backend timing cache is corrupt and was ignored/);
  }
  writeCache(file, entry(), () => assert.fail('no warning'));
  assert.equal(readCache(file, key, () => assert.fail('no warning'))?.backend, 'native');
});

test('cache: where the file lives on each platform, and the folder the extension passes', () => {
  assert.equal(cacheFile({ ORPO_LAB_CACHE_DIR: '/g/storage' }, 'linux', '/home/u'), '/g/storage/backend-timings.json');
  assert.equal(cacheFile({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/u'), '/xdg/orpo-lab/backend-timings.json');
  assert.equal(cacheFile({}, 'linux', '/home/u'), '/home/u/.cache/orpo-lab/backend-timings.json');
  assert.equal(cacheFile({}, 'darwin', '/Users/u'), '/Users/u/Library/Caches/orpo-lab/backend-timings.json');
  assert.match(cacheFile({ LOCALAPPDATA: 'C:\\\\L' }, 'win32', 'C:\\\\U'), /orpo-lab.backend-timings\.json$/);
});

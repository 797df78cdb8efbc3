import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cacheDir, parseGpuLimits } from './gpuLimits';

test('the GPU record is validated field by field; the cache folder follows the platform and ORPO_LAB_CACHE_DIR', () => {
  const ok = { adapter: 'A', software: false, maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456, date: 'd' };
  assert.deepEqual(parseGpuLimits(JSON.stringify(ok)), ok);
  assert.match(parseGpuLimits('{') as string, /^not JSON/);
  for (const bad of [{ ...ok, maxBufferSize: -1 }, { ...ok, software: 'no' }, { ...ok, maxStorageBufferBindingSize: null }, []]) assert.match(parseGpuLimits(JSON.stringify(bad)) as string, /^expected/);
  assert.equal(cacheDir({ ORPO_LAB_CACHE_DIR: '/s' }, 'linux', '/h'), '/s');
  assert.equal(cacheDir({}, 'linux', '/h'), join('/h', '.cache', 'orpo-lab'));
  assert.equal(cacheDir({ XDG_CACHE_HOME: '/x' }, 'linux', '/h'), join('/x', 'orpo-lab'));
  assert.equal(cacheDir({}, 'darwin', '/h'), join('/h', 'Library', 'Caches', 'orpo-lab'));
});

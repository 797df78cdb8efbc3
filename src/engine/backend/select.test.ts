// vulkanLoaderPresent: where `auto` looks for a Vulkan loader before creating Dawn (Linux only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vulkanLoaderPresent } from './select';

test('a Vulkan loader is found through LD_LIBRARY_PATH or the linker cache; other platforms always try Dawn', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-vk-'));
  const cache = join(dir, 'ld.so.cache');
  writeFileSync(cache, Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from('libvulkan.so.1\0/usr/lib/x/libvulkan.so.1\0')]));
  assert.equal(vulkanLoaderPresent('linux', {}, cache), true);
  const lib = mkdtempSync(join(tmpdir(), 'orpo-vk-lib-'));
  writeFileSync(join(lib, 'libvulkan.so.1'), '');
  assert.equal(vulkanLoaderPresent('linux', { LD_LIBRARY_PATH: `/nonexistent:${lib}` }, join(dir, 'missing')), true);
  assert.equal(vulkanLoaderPresent('darwin', {}, join(dir, 'missing')), true);
  assert.equal(vulkanLoaderPresent('win32', {}, join(dir, 'missing')), true);
});

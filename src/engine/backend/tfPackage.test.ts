// The engine finds libtensorflow's package in the folder the extension installs it into (issue 11 §6):
// a tiny installable stand-in package placed in DIR/node_modules stands in for @tensorflow/tfjs-node-gpu
// for this folder lookup only (the real package needs CUDA and a 400 MB download).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cudaDir, requireTfPackage, resolveTfPackage } from './tfPackage';

/** DIR/node_modules/PKG: a package whose index.js counts its loads in a global. */
function standIn(dir: string, pkg: string, extra = ''): string {
  const at = join(dir, 'node_modules', ...pkg.split('/'));
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, 'package.json'), JSON.stringify({ name: pkg, version: '4.22.0', main: 'index.js' }));
  writeFileSync(join(at, 'index.js'), `globalThis.__orpoStandIn = [...(globalThis.__orpoStandIn || []), __filename];\n${extra}`);
  return join(at, 'index.js');
}

const loads = () => (globalThis as { __orpoStandIn?: string[] }).__orpoStandIn ?? [];

test('tfjs-node-gpu is loaded from the CUDA folder, before tfjs-node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-cuda-'));
  const gpu = standIn(dir, '@tensorflow/tfjs-node-gpu');
  standIn(dir, '@tensorflow/tfjs-node');
  assert.deepEqual(resolveTfPackage('@tensorflow/tfjs-node-gpu', dir), { path: gpu, from: dir });
  const got = requireTfPackage(dir);
  assert.deepEqual(got, { pkg: '@tensorflow/tfjs-node-gpu', path: gpu, from: dir });
  assert.deepEqual(loads().filter((f) => f.startsWith(dir)), [gpu], 'its code ran, and only the first package\'s');
});

test('only tfjs-node in the folder: that one; neither anywhere: each package named with the folder looked in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-cuda-'));
  const cpu = standIn(dir, '@tensorflow/tfjs-node');
  assert.deepEqual(requireTfPackage(dir), { pkg: '@tensorflow/tfjs-node', path: cpu, from: dir });
  const empty = mkdtempSync(join(tmpdir(), 'orpo-cuda-'));
  assert.throws(() => requireTfPackage(empty), (e: Error) => e.message === `@tensorflow/tfjs-node-gpu: not installed (not in ${empty} either); @tensorflow/tfjs-node: not installed (not in ${empty} either)`);
});

test('a package that fails to load is named with its path and first error line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-cuda-'));
  const gpu = standIn(dir, '@tensorflow/tfjs-node-gpu', 'throw new Error("libcudart.so.11.0: cannot open shared object file\\nmore");');
  assert.throws(() => requireTfPackage(dir), (e: Error) => e.message.startsWith(`@tensorflow/tfjs-node-gpu (${gpu}): libcudart.so.11.0: cannot open shared object file; @tensorflow/tfjs-node: not installed`));
});

test('the folder comes from ORPO_LAB_CUDA_DIR', () => {
  assert.equal(cudaDir({ ORPO_LAB_CUDA_DIR: '/g/cuda' }), '/g/cuda');
  assert.equal(cudaDir({ ORPO_LAB_CUDA_DIR: ' ' }), undefined);
  assert.equal(cudaDir({}), undefined);
});

// `auto`'s timing path with real backends (issue 11 §5): WebGPU on this machine's llvmpipe adapter
// stands as the GPU candidate (admitted here by the test; classify.test.ts shows `auto` itself never
// counts it as a GPU) against the native backend, each timed on a tiny GPT-2's real training steps;
// the faster is active afterwards, the pick is cached per machine, shape and version, a corrupt cache
// is timed again with a warning, and without a GPU native is taken with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { scratchGpt2Config } from '../model/gpt';
import { selectAuto, type AutoDeps } from './auto';
import { selectBackend } from './select';
import { timeSteps, type RunShape } from './timeStep';

const shape: RunShape = { config: scratchGpt2Config({ from: 'scratch', layers: 1, d_model: 32, heads: 2, context: 32 }, 64, 63), pairs: 2, T: 16, method: 'orpo', checkpointing: false };
const deps: AutoDeps = {
  gpus: [['webgpu', () => selectBackend('webgpu')]],
  native: () => selectBackend('native'),
  fallbacks: [['cpu', () => selectBackend('cpu')]],
};

function run(cache: string, o: { shape?: RunShape; d?: AutoDeps; time?: (s: RunShape) => Promise<number> } = {}) {
  const lines: string[] = [];
  const warnings: string[] = [];
  const go = selectAuto(o.d ?? deps, {
    version: '9.9.9', cache, log: (l) => lines.push(l), warn: (w) => warnings.push(w),
    ...('shape' in o ? (o.shape ? { shape: o.shape } : {}) : { shape }), ...(o.time ? { time: o.time } : {}),
  });
  return { go, lines, warnings };
}

test('GPU and native both present: real steps of the run\'s shape are timed on each, the faster is active, then cached', { timeout: 300_000 }, async () => {
  const cache = join(mkdtempSync(join(tmpdir(), 'orpo-auto-')), 'timings.json');
  const first = run(cache);
  const s = await first.go;
  assert.match(s.reason, /^(webgpu|native): [\d.]+ ms\/step vs (native|webgpu) [\d.]+ ms\/step, timed now$/, s.reason);
  const times = s.times ?? {};
  assert.deepEqual(Object.keys(times).sort(), ['native', 'webgpu']);
  const fastest = Object.entries(times).sort((a, b) => a[1] - b[1])[0]?.[0];
  assert.equal(s.backend, fastest, 'the faster one');
  assert.equal(tf.getBackend(), s.backend, 'and it is the active backend');
  assert.equal(first.lines.filter((l) => /^auto: (webgpu|native) [\d.]+ ms\/step/.test(l)).length, 2, first.lines.join('\n'));
  assert.ok(first.lines.some((l) => /^webgpu: warm-up step/.test(l)) && first.lines.some((l) => /^native: step/.test(l)), 'real steps on each backend');

  const second = run(cache);
  const c = await second.go;
  assert.equal(c.backend, s.backend);
  assert.deepEqual(c.times, s.times);
  assert.match(c.reason, /, cached from \d{4}-\d\d-\d\dT/, c.reason);
  assert.equal(second.lines.filter((l) => /ms\/step|step/.test(l)).length, 0, 'nothing timed on a cache hit');
  assert.equal(tf.getBackend(), c.backend);

  const other = run(cache, { shape: { ...shape, T: 32 } });
  assert.match((await other.go).reason, /timed now$/, 'another shape is timed again');

  writeFileSync(cache, '{ not json');
  const corrupt = run(cache);
  assert.match((await corrupt.go).reason, /timed now$/);
  assert.equal(corrupt.warnings.length, 1);
  assert.match(corrupt.warnings[0] ?? '', /timings\.json: the backend timing cache is corrupt and was ignored/);
});

test('no run shape: a hardware GPU is taken untimed, with the reason', { timeout: 120_000 }, async () => {
  const s = await run(join(tmpdir(), 'unused-orpo-timings.json'), { shape: undefined }).go;
  assert.equal(s.backend, 'webgpu');
  assert.match(s.reason, /^webgpu: a hardware GPU; the run's model shape is not known here, so nothing was timed$/);
  assert.equal(tf.getBackend(), 'webgpu');
});

test('no GPU candidate loads: native, and the reason names what was skipped; neither: the fallback', { timeout: 120_000 }, async () => {
  const noGpu: AutoDeps = { ...deps, gpus: [['webgpu', () => Promise.reject(new Error('backend webgpu: only a software adapter (llvmpipe) is available'))], ['tensorflow', () => Promise.reject(new Error('libtensorflow runs on the CPU, not a GPU'))]] };
  const s = await run(join(tmpdir(), 'unused-orpo-timings.json'), { d: noGpu }).go;
  assert.equal(s.backend, 'native');
  assert.equal(s.reason, 'native: no hardware GPU (webgpu: only a software adapter (llvmpipe) is available; tensorflow: libtensorflow runs on the CPU, not a GPU)');
  assert.equal(s.times, undefined);
  const f = await run(join(tmpdir(), 'unused-orpo-timings.json'), { d: { ...noGpu, native: () => Promise.reject(new Error('no addon')) } }).go;
  assert.equal(f.backend, 'cpu');
  assert.match(f.reason, /^cpu: no hardware GPU \(.*native: no addon\)$/);
  assert.equal(tf.getBackend(), 'cpu');
});

test('a GPU whose step fails at this shape (out of memory, say) is named and not taken; none timed: native', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-auto-'));
  const oom = (s: RunShape) => (tf.getBackend() === 'webgpu' ? Promise.reject(new Error('GPU out of memory\nat ...')) : timeSteps(s));
  const s = await run(join(dir, 'a.json'), { time: oom }).go;
  assert.equal(s.backend, 'native');
  assert.match(s.reason, /^native: [\d.]+ ms\/step, timed now; webgpu could not be timed \(GPU out of memory\)$/, s.reason);
  assert.equal(tf.getBackend(), 'native');
  const none = await run(join(dir, 'b.json'), { time: () => Promise.reject(new Error('no memory')) }).go;
  assert.equal(none.reason, 'native: no backend could be timed at this run\'s shape (webgpu: no memory; native: no memory)');
  assert.equal(tf.getBackend(), 'native');
});

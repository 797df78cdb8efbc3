// The backend choice as a user meets it: `auto` skips a software GPU adapter (llvmpipe here) and runs
// on the native backend (the addon is built and OpenBLAS installed here, as in CI); a named backend that cannot load fails clearly; and the WebGPU path (Dawn on Mesa's
// OpenGL ES, as CI has no GPU) computes the same training metrics as the cpu backend; so do the wasm
// backend's native kernels against tfjs's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, runCli } from './cli';

const tiny = ['--d-model', '32', '--layers', '1', '--heads', '2', '--vocab', '64', '--seq', '32', '--pairs', '2', '--steps', '1', '--json'];

test('auto never picks a software GPU adapter: it runs on the native backend here, and probing is quiet', async () => {
  const r = await runCli(['bench', '--backend', 'auto', ...tiny]);
  assert.equal(r.code, 0, r.stderr);
  // A normal CPU run's log names no backend it skipped: no missing module, no Dawn Vulkan warning.
  assert.doesNotMatch(r.stderr, /Cannot find module|Vulkan|skipping/, r.stderr);
  const verbose = await runCli(['bench', '--backend', 'auto', ...tiny], undefined, { ORPO_LAB_VERBOSE: '1' });
  assert.match(verbose.stderr, /skipping (webgpu|tensorflow)/);
  const last = JSON.parse(r.bad.at(-1) ?? '{}') as { backend?: string; tokens_per_second?: number; step_ms?: number; threads?: number };
  assert.equal(last.backend, 'native');
  for (const k of ['tokens_per_second', 'step_ms', 'threads'] as const) assert.equal(typeof last[k], 'number', k);
});

test('a named backend that cannot load fails with a clear message', async () => {
  const r = await runCli(['bench', '--backend', 'tensorflow', ...tiny]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /backend tensorflow is not available: .*tfjs-node-gpu/);
});

test('WebGPU (Dawn, software adapter) trains with the same metrics as cpu', { timeout: 300_000 }, async () => {
  const { dir, p } = tinyConfig('webgpu', 2, '{ layers: 1, d_model: 32, heads: 2, context: 96 }', 8, 'batch_size: 2, max_steps: 3, eval_every: 3');
  const gpu = await trainRows(p, 'webgpu', join(dir, 'webgpu'));
  const cpu = await trainRows(p, 'cpu', join(dir, 'cpu'));
  sameMetrics(gpu.rows, cpu.rows, 2e-3, 'webgpu', 'cpu');
});

test('the native kernels (system OpenBLAS, fused log-softmax, GELU, AdamW) train like tfjs\'s own wasm kernels', { timeout: 300_000 }, async () => {
  const { dir, p } = tinyConfig('native', 4, '{ layers: 2, d_model: 48, heads: 4, context: 96 }', 12, 'batch_size: 3, max_steps: 4, eval_every: 4, weight_decay: 0.1');
  const native = await trainRows(p, 'wasm', join(dir, 'native'));
  const plain = await trainRows(p, 'wasm', join(dir, 'plain'), { ORPO_LAB_NATIVE: '0' });
  assert.match(native.device, /sgemm and fused kernels/);
  assert.match(plain.device, /native kernels off: turned off by ORPO_LAB_NATIVE=0/);
  sameMetrics(native.rows, plain.rows, 1e-3, 'native', 'tfjs-wasm');
});

/** A small config on the shipped HH-RLHF slice, in a fresh folder. */
function tinyConfig(name: string, seed: number, model: string, limit: number, train: string): { dir: string; p: string } {
  const dir = mkdtempSync(join(tmpdir(), `orpo-${name}-`));
  const p = join(dir, `${name}.orpo.yaml`);
  const data = `{ train: ${join(root, 'examples/data/hh-rlhf-tiny.jsonl.gz')}, eval: 0.25, max_length: 96, max_prompt_length: 48, limit: ${limit} }`;
  writeFileSync(p, `name: ${name}\nseed: ${seed}\nmodel: ${model}\ndata: ${data}\ntrain: { ${train}, save_every: 100, eval_samples: 0 }\n`);
  return { dir, p };
}

/** Trains a config through the CLI; the metric rows and the device the run reported. */
async function trainRows(config: string, backend: string, out: string, env: Record<string, string> = {}): Promise<{ rows: Record<string, number>[]; device: string }> {
  const r = await runCli(['train', config, '--backend', backend, '--out', out], undefined, env);
  assert.equal(r.code, 0, r.stderr);
  const started = r.events.find((e) => e.type === 'started');
  assert.ok(started?.type === 'started' && started.backend === backend, `started on ${backend}`);
  const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  return { rows, device: started.type === 'started' ? started.device : '' };
}

function sameMetrics(a: Record<string, number>[], b: Record<string, number>[], tol: number, na: string, nb: string): void {
  assert.equal(a.length, b.length);
  assert.ok(a.length > 0);
  a.forEach((row, i) => {
    for (const k of ['loss', 'nll_loss', 'logps/chosen', 'logps/rejected', 'grad_norm', 'eval/loss']) {
      if (row[k] === undefined) continue;
      assert.ok(Math.abs((row[k] as number) - (b[i]?.[k] as number)) < tol, `row ${i} ${k}: ${na} ${row[k]} ${nb} ${b[i]?.[k]}`);
    }
  });
}

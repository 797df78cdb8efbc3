// The backend choice as a user meets it: `auto` skips a software GPU adapter (llvmpipe here) and runs
// on wasm; a named backend that cannot load fails clearly; and the WebGPU path (Dawn on Mesa's
// OpenGL ES, as CI has no GPU) computes the same training metrics as the cpu backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, runCli } from './cli';

const tiny = ['--d-model', '32', '--layers', '1', '--heads', '2', '--vocab', '64', '--seq', '32', '--pairs', '2', '--steps', '1', '--json'];

test('auto never picks a software GPU adapter: it runs on wasm here', async () => {
  const r = await runCli(['bench', '--backend', 'auto', ...tiny]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skipping (webgpu|tensorflow)/);
  const last = JSON.parse(r.bad.at(-1) ?? '{}') as { backend?: string; tokens_per_second?: number; step_ms?: number; threads?: number };
  assert.equal(last.backend, 'wasm');
  for (const k of ['tokens_per_second', 'step_ms', 'threads'] as const) assert.equal(typeof last[k], 'number', k);
});

test('a named backend that cannot load fails with a clear message', async () => {
  const r = await runCli(['bench', '--backend', 'tensorflow', ...tiny]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /backend tensorflow is not available: .*tfjs-node-gpu/);
});

test('WebGPU (Dawn, software adapter) trains with the same metrics as cpu', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orpo-webgpu-'));
  const p = join(dir, 'w.orpo.yaml');
  writeFileSync(p, `name: w
seed: 2
model: { layers: 1, d_model: 32, heads: 2, context: 96 }
data: { train: ${join(root, 'examples/data/hh-rlhf-tiny.jsonl.gz')}, eval: 0.25, max_length: 96, max_prompt_length: 48, limit: 8 }
train: { batch_size: 2, max_steps: 3, eval_every: 3, save_every: 100, eval_samples: 0 }
`);
  const rows = async (backend: string) => {
    const out = join(dir, backend);
    const r = await runCli(['train', p, '--backend', backend, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const started = r.events[0];
    assert.ok(started?.type === 'started' && started.backend === backend, `started on ${backend}`);
    return readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  };
  const gpu = await rows('webgpu');
  const cpu = await rows('cpu');
  assert.equal(gpu.length, cpu.length);
  gpu.forEach((row, i) => {
    for (const k of ['loss', 'nll_loss', 'logps/chosen', 'logps/rejected', 'grad_norm', 'eval/loss']) {
      if (row[k] === undefined) continue;
      assert.ok(Math.abs((row[k] as number) - (cpu[i]?.[k] as number)) < 2e-3, `row ${i} ${k}: webgpu ${row[k]} cpu ${cpu[i]?.[k]}`);
    }
  });
});

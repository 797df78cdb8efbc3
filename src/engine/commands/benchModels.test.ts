// A cached benchmark model directory is reused only when it holds that model in its Hub dtype.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_MODELS, ensureBenchModel } from './benchModels';

async function cached(config: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-model-'));
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  await writeFile(join(dir, 'model.safetensors'), '');
  return dir;
}

void test('a cached SmolLM2-360M is reused in bfloat16, refused in float32 with the way out named', async () => {
  const smol = BENCH_MODELS['smollm2-360m'];
  const good = await cached({ ...smol, torch_dtype: 'bfloat16' });
  const old = await cached({ ...smol, torch_dtype: 'float32' });
  try {
    assert.equal(await ensureBenchModel('smollm2-360m', good, () => undefined), false);
    await assert.rejects(ensureBenchModel('smollm2-360m', old, () => undefined), /smollm2-360m in float32, but its Hub checkpoint is bfloat16; remove the directory/);
  } finally {
    await Promise.all([rm(good, { recursive: true }), rm(old, { recursive: true })]);
  }
});

void test('a cached GPT-2-small without a dtype counts as float32, as its Hub checkpoint; another shape is refused', async () => {
  const dir = await cached({ ...BENCH_MODELS['gpt2-small'] });
  const other = await cached({ ...BENCH_MODELS['gpt2-small'], n_layer: 6 });
  try {
    assert.equal(await ensureBenchModel('gpt2-small', dir, () => undefined), false);
    await assert.rejects(ensureBenchModel('gpt2-small', other, () => undefined), /not a gpt2-small model \(n_layer 6, expected 12\)/);
  } finally {
    await Promise.all([rm(dir, { recursive: true }), rm(other, { recursive: true })]);
  }
});

// The WebGPU adapter's per-buffer limit (adapterCheck.ts, memoryPlan.ts largestBuffer): the largest
// buffer of a run, named, against the limit, with the changes that fit; computed by hand here for
// SmolLM2-360M's shape; and on the real WebGPU device (Dawn on llvmpipe here), the limits are read and a
// small run passes while the same run against a tiny limit is stopped in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../common/config';
import { selectBackend } from '../backend/select';
import { webgpuLimits } from '../backend/webgpu/limits';
import { createScratchGpt2 } from '../model/gpt';
import { adapterLimitProblem, dimsFromHf, largestBuffer } from '../../server/service/memoryPlan';
import { BENCH_MODELS } from './benchModels';
import { adapterProblem } from './adapterCheck';

const GiB = 2 ** 30;

test('SmolLM2-360M on a 1 GiB buffer limit: AdamW\'s flat copy (361,821,120 × 4 bytes) is over it, LoRA fits, checkpointing alone does not', () => {
  const m = dimsFromHf(BENCH_MODELS['smollm2-360m']);
  assert.ok(m);
  const run = { rows: 4, T: 512, checkpointing: true, reference: false };
  const big = largestBuffer(m, run, 'webgpu');
  assert.equal(big.bytes, 361821120 * 4);
  assert.match(big.what, /AdamW's flat copy of the 361,821,120 trained parameters/);
  // Elsewhere no flat copy: the embedding table, 49152 × 960 × 4 bytes, beats a 2²⁴-value logits chunk.
  assert.deepEqual(largestBuffer(m, run, 'native'), { bytes: 49152 * 960 * 4, what: 'the embedding table [49152, 960]' });
  const limits = { maxStorageBufferBindingSize: GiB, maxBufferSize: 4 * GiB };
  const words = adapterLimitProblem(m, run, limits, true) ?? '';
  assert.match(words, /exceeds this GPU adapter's limit on one buffer \(1\.0 GiB: maxStorageBufferBindingSize 1073741824, maxBufferSize 4294967296\)/);
  assert.match(words, /Changes that fit: adapter: \{type: lora, r: 16, alpha: 16, target_modules: all-linear\}; backend: native/);
  assert.doesNotMatch(words, /gradient_checkpointing/, 'checkpointing does not shrink the flat copy');
  assert.equal(adapterLimitProblem(m, { ...run, lora: { r: 16, targets: 'all-linear' } }, limits, true), undefined);
  // Without checkpointing the whole logits [2048, 49152] are one buffer (384 MiB): over a 256 MiB limit, a chunk is not.
  const small = { maxStorageBufferBindingSize: 256 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 };
  const lora = { rows: 4, T: 512, checkpointing: false, reference: false, lora: { r: 16, targets: 'all-linear' as const }, frozen16: true };
  assert.equal(largestBuffer(m, lora, 'webgpu').what, 'the logits [2048, 49152]');
  assert.match(adapterLimitProblem(m, lora, small, true) ?? '', /Changes that fit: train\.gradient_checkpointing: true \(the logits in chunks\)/);
  assert.equal(largestBuffer(m, { ...lora, checkpointing: true }, 'webgpu').what, 'the embedding table [49152, 960]', 'in chunks, a frozen 16-bit table is the largest');
  assert.equal(adapterLimitProblem(m, { ...lora, checkpointing: true }, small, true), undefined);
});

test('on the WebGPU device: its limits are read; a small run fits them, and against a tiny limit it is stopped in words', async () => {
  await selectBackend('webgpu');
  const limits = webgpuLimits();
  assert.ok(limits && limits.maxStorageBufferBindingSize >= 128 * 2 ** 20 && limits.maxBufferSize >= 256 * 2 ** 20, JSON.stringify(limits));
  const cfg = resolveConfig({ name: 't', data: { train: 'd.jsonl', max_length: 64 }, train: { batch_size: 2 } });
  const model = createScratchGpt2({ from: 'scratch', layers: 1, d_model: 32, heads: 2, context: 64 }, 257, 256, 1);
  try {
    assert.equal(adapterProblem(model, cfg), undefined);
    // 2 pairs of 64 tokens over 257 byte ids: the logits [256, 257] (263,168 bytes) are its largest buffer
    // (AdamW's flat copy of 23,040 parameters is 92,160 bytes).
    assert.match(adapterProblem(model, cfg, { maxStorageBufferBindingSize: 200_000, maxBufferSize: 2 ** 30 }) ?? '', /the logits \[256, 257\] \(0\.00 GiB\), exceeds this GPU adapter's limit on one buffer .*Changes that fit: data\.max_length: 32; backend: native/, 'checkpointing chunks only logits over 2^24 values: no help here');
    assert.equal(adapterProblem(model, cfg, { maxStorageBufferBindingSize: 300_000, maxBufferSize: 2 ** 30 }), undefined);
  } finally {
    model.dispose();
  }
});

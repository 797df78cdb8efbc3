// Issue 11 §4 budgets of one WebGPU training step at the d256 shape (d_model 256, 4 layers,
// 4 heads, vocab 8000, seq 128, 4 pairs), counted on Dawn's null backend (host-side work only: the
// counts do not depend on the GPU, and llvmpipe needs minutes per step at this shape on CI's cores).
// Met today: at most 400 dispatches per step, uploads no larger than the batch plus 64 KB, one read
// per logged step, no pipeline compiles after the first step; and the peak of GPU buffer bytes holds at
// least weights, gradients and both AdamW moments. Numbers measured when written (docs/benchmarks.md):
// 320 dispatches, 22 submits, 30 staging buffers, 26.7 KB uploaded (batch 16.4 KB), 1 read, 0 compiles,
// peak 407 MB of GPU buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchSteps } from '../../commands/bench';
import { selectBackend } from '../select';

test('a d256 training step on WebGPU stays within issue 11\'s budgets (Dawn null backend)', { timeout: 300_000 }, async () => {
  process.env.ORPO_LAB_DAWN_FLAGS = 'backend=null';
  process.env.ORPO_LAB_WEBGPU_COUNTS = '1';
  const info = await selectBackend('webgpu');
  assert.match(info.device, /null-backend \+ WGSL kernels/);
  const r = await benchSteps({ d: 256, L: 4, H: 4, V: 8000, T: 128, pairs: 4, steps: 2, method: 'orpo', family: 'gpt2', checkpointing: false }, () => {});
  assert.equal(r.counts.length, 3);
  for (const c of r.counts.slice(1)) {
    assert.ok(c.dispatches <= 400, `${c.dispatches} dispatches per step (budget 400)`);
    assert.ok(c.uploadBytes <= r.batchBytes + 64 * 1024, `${c.uploadBytes} bytes uploaded for a ${r.batchBytes}-byte batch (budget batch + 64 KB)`);
    assert.equal(c.reads, 1, 'one GPU → CPU read per logged step');
    assert.equal(c.compiles, 0, 'no pipeline compiles after the first step');
    // weights, gradients and AdamW's two moments are all on the GPU at the step's high-water mark
    assert.ok(c.peakBytes >= 4 * 4 * r.params, `peak GPU buffer bytes ${c.peakBytes} below 4 × 4 B × ${r.params} parameters`);
  }
  assert.ok((r.counts[0]?.compiles ?? 0) > 0, 'the counters see the first step\'s compiles');
});

// The memory plan's estimate (memoryPlan.ts) against the peak the native backend measures (its own
// count of the bytes it holds) over whole training steps (forward, backward, AdamW) at small shapes
// that run the same code as GPT-2-small and SmolLM2-360M: GPT-2 and a Llama with GQA, with and without
// gradient checkpointing, with and without a LoRA adapter on every linear layer (and LoRA on a bf16
// checkpoint whose frozen matrices stay 16-bit), and with attention as the composite the backends
// without the fused kernel run. Within 25%, as the issue asks (the large shapes are in docs/benchmarks.md).
// Also GPT-2-small and SmolLM2-360M themselves cut to 1 and 2 blocks (their real width, heads, key/value
// heads, MLP and vocabulary: every per-block and per-token term at full size), with and without
// checkpointing, whose peak must be the lower; the figures are reported as test diagnostics
// (docs/benchmarks.md); the full-depth runs are in `npm run bench`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../src/engine/backend/select';
import { nativeMemory } from '../../src/engine/backend/native/cpuBackend';
import { createGpt2 } from '../../src/engine/model/gpt';
import { createLlama } from '../../src/engine/model/llama';
import { attachLora, createLora } from '../../src/engine/model/lora';
import type { CausalLM, HfConfig } from '../../src/engine/model/types';
import { hasFusedAttention } from '../../src/engine/ops/nn';
import { peakOfSteps } from '../../src/engine/testing/peakSteps';
import { withoutFusedAttention } from '../../src/engine/testing/composite';
import { dimsFromHf, estimatePeak, fusedAttentionOn, keepsFrozen16, type RunShape } from '../../src/server/service/memoryPlan';
import { loadModelDir } from '../../src/engine/hf/load';
import { saveModelDir } from '../../src/engine/hf/save';
import { BENCH_MODELS } from '../../src/engine/commands/benchModels';

/** The native backend's peak bytes over two full steps of `model` on `pairs` pairs of T tokens. */
const measure = (model: CausalLM, V: number, T: number, pairs: number): number => peakOfSteps(model, V, T, pairs);

/**
 * The model, its steps and the optimizer leave nothing behind but the causal mask cached for length T
 * (ops/nn.ts). A leak would also inflate the next test's peak: AdamW's zeros once left 2 × the weights.
 */
function leftBehind(before: number | undefined, T: number): void {
  const left = (nativeMemory()?.live ?? NaN) - (before ?? NaN);
  assert.ok(left >= 0 && left <= 4 * T * T, `${left} B left behind after the model and the optimizer were disposed`);
}

const gpt2: HfConfig = { architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: 2000, n_embd: 64, n_layer: 3, n_head: 4, n_positions: 128 };
const llama: HfConfig = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 2000, hidden_size: 60, intermediate_size: 160,
  num_hidden_layers: 3, num_attention_heads: 6, num_key_value_heads: 2, max_position_embeddings: 128, rms_norm_eps: 1e-5, rope_theta: 10000, tie_word_embeddings: true,
};

for (const [name, config, make] of [['GPT-2', gpt2, () => createGpt2(gpt2)], ['Llama (GQA, tied)', llama, () => createLlama(llama, undefined, 1)]] as const) {
  for (const [checkpointing, lora] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    test(`${name}${checkpointing ? ' with checkpointing' : ''}${lora ? ' with LoRA (r 8, all-linear)' : ''}: the estimate is within 25% of the measured peak`, async (t) => {
      await selectBackend('native');
      const T = 128, pairs = 2;
      const before = nativeMemory()?.live;
      const model = make();
      model.gradientCheckpointing = checkpointing;
      if (lora) attachLora(model, createLora(model, { r: 8, alpha: 8, dropout: 0, targets: 'all-linear' }, 1));
      const measured = measure(model, config.vocab_size, T, pairs);
      model.dispose();
      leftBehind(before, T);
      const dims = dimsFromHf(config);
      assert.ok(dims);
      const est = estimatePeak(dims, { rows: 2 * pairs, T, checkpointing, reference: false, fusedAttention: hasFusedAttention(dims.hd), ...(lora ? { lora: { r: 8, targets: 'all-linear' as const } } : {}) }).total;
      const ratio = est / measured;
      t.diagnostic(`measured ${(measured / 2 ** 20).toFixed(2)} MiB, estimate ${(est / 2 ** 20).toFixed(2)} MiB (×${ratio.toFixed(3)})`);
      assert.ok(ratio > 0.75 && ratio < 1.25, `estimate ${(est / 2 ** 20).toFixed(2)} MiB vs measured ${(measured / 2 ** 20).toFixed(2)} MiB (×${ratio.toFixed(3)})`);
    });
  }
}

// The composite attention (the wasm backend without the addon, tensorflow, cpu: [rows·H, T, T] maps on
// the tape), measured on the native backend with the fused kernel unregistered.
for (const [name, config, make] of [['GPT-2', gpt2, () => createGpt2(gpt2)], ['Llama (GQA, tied)', llama, () => createLlama(llama, undefined, 1)]] as const) {
  for (const lora of [false, true]) {
    test(`${name}${lora ? ' with LoRA (r 8, all-linear)' : ''}, composite attention: the estimate without the fused kernel is within 25% of the measured peak`, async (t) => {
      await selectBackend('native');
      const restore = withoutFusedAttention();
      try {
        const T = 128, pairs = 2;
        const dims = dimsFromHf(config);
        assert.ok(dims && !hasFusedAttention(dims.hd), 'the kernel is unregistered');
        assert.ok(!fusedAttentionOn('wasm', dims.hd) && !fusedAttentionOn('cpu', dims.hd) && fusedAttentionOn('native', dims.hd) && fusedAttentionOn('webgpu', dims.hd) && fusedAttentionOn('auto', dims.hd) && !fusedAttentionOn('native', 256));
        const model = make();
        if (lora) attachLora(model, createLora(model, { r: 8, alpha: 8, dropout: 0, targets: 'all-linear' }, 1));
        const measured = measure(model, config.vocab_size, T, pairs);
        model.dispose();
        const run: RunShape = { rows: 2 * pairs, T, checkpointing: false, reference: false, ...(lora ? { lora: { r: 8, targets: 'all-linear' as const } } : {}) };
        const est = estimatePeak(dims, { ...run, fusedAttention: false }).total;
        const ratio = est / measured;
        t.diagnostic(`measured ${(measured / 2 ** 20).toFixed(2)} MiB, estimate ${(est / 2 ** 20).toFixed(2)} MiB (×${ratio.toFixed(3)})`);
        assert.ok(ratio > 0.75 && ratio < 1.25, `estimate ${(est / 2 ** 20).toFixed(2)} MiB vs measured ${(measured / 2 ** 20).toFixed(2)} MiB (×${ratio.toFixed(3)})`);
        assert.ok(est > estimatePeak(dims, { ...run, fusedAttention: true }).total, 'the maps cost memory');
      } finally {
        restore();
      }
    });
  }
}

// LoRA on a bf16 checkpoint (model.frozen_dtype auto, native): the frozen matrices held 16-bit. The model
// is written as a bf16 transformers directory first and loaded as a run loads it.
for (const [name, config, make] of [['GPT-2', gpt2, () => createGpt2(gpt2)], ['Llama (GQA, tied)', llama, () => createLlama(llama, undefined, 1)]] as const) {
  for (const checkpointing of [false, true]) {
    test(`${name} from a bf16 checkpoint with LoRA (r 8, all-linear), frozen weights 16-bit${checkpointing ? ', checkpointing' : ''}: the estimate is within 25% of the measured peak`, async (t) => {
      await selectBackend('native');
      const dir = await mkdtemp(join(tmpdir(), 'plan-bf16-'));
      try {
        const source = make();
        source.sourceDtype = 'BF16';
        await saveModelDir(source, undefined, dir);
        source.dispose();
        const { model } = await loadModelDir(dir, { keep16: true });
        assert.ok(model.halves.size > 0, 'the frozen matrices are 16-bit');
        const T = 128, pairs = 2;
        model.gradientCheckpointing = checkpointing;
        attachLora(model, createLora(model, { r: 8, alpha: 8, dropout: 0, targets: 'all-linear' }, 1));
        const measured = measure(model, config.vocab_size, T, pairs);
        model.dispose();
        const dims = dimsFromHf(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>);
        assert.ok(dims?.half, 'config.json says bfloat16');
        const run: RunShape = { rows: 2 * pairs, T, checkpointing, reference: false, fusedAttention: hasFusedAttention(dims.hd), lora: { r: 8, targets: 'all-linear' } };
        assert.ok(keepsFrozen16(dims, run, 'auto', 'native') && keepsFrozen16(dims, run, 'auto', 'webgpu') && !keepsFrozen16(dims, run, 'float32', 'native') && !keepsFrozen16(dims, run, 'auto', 'wasm'));
        const est = estimatePeak(dims, { ...run, frozen16: true }).total;
        const ratio = est / measured;
        t.diagnostic(`measured ${(measured / 2 ** 20).toFixed(2)} MiB, estimate ${(est / 2 ** 20).toFixed(2)} MiB (×${ratio.toFixed(3)})`);
        assert.ok(ratio > 0.75 && ratio < 1.25, `estimate ${(est / 2 ** 20).toFixed(2)} MiB vs measured ${(measured / 2 ** 20).toFixed(2)} MiB (×${ratio.toFixed(3)})`);
        assert.ok(est < estimatePeak(dims, run).total, 'the 16-bit estimate is below the float32 one');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
}

const cut = (L: number): [string, HfConfig, () => CausalLM][] => {
  const gpt2Small: HfConfig = { ...BENCH_MODELS['gpt2-small'], n_layer: L };
  const smol: HfConfig = { ...BENCH_MODELS['smollm2-360m'], num_hidden_layers: L };
  return [[`GPT-2-small, ${L} of 12 blocks`, gpt2Small, () => createGpt2(gpt2Small)], [`SmolLM2-360M, ${L} of 32 blocks`, smol, () => createLlama(smol, undefined, 1)]];
};
// 2 blocks at 64 tokens (the head in one chunk), 1 block at 256 (in 4 chunks: loss/logps.ts).
for (const [name, config, make, T] of [...cut(2).map((c) => [...c, 64] as const), ...cut(1).map((c) => [...c, 256] as const)]) {
  test(`${name}, ${T} tokens: the estimate is within 25% of the measured peak, with and without checkpointing (which lowers it), and with LoRA and checkpointing`, async (t) => {
    await selectBackend('native');
    const pairs = 2;
    const before = nativeMemory()?.live;
    const peaks: number[] = [];
    for (const [checkpointing, lora] of [[false, false], [true, false], [true, true]] as const) {
      const model = make();
      try {
        model.gradientCheckpointing = checkpointing;
        if (lora) attachLora(model, createLora(model, { r: 16, alpha: 16, dropout: 0, targets: 'all-linear' }, 1));
        const measured = measure(model, config.vocab_size, T, pairs);
        peaks.push(measured);
        const dims = dimsFromHf(config) as NonNullable<ReturnType<typeof dimsFromHf>>;
        const est = estimatePeak(dims, { rows: 2 * pairs, T, checkpointing, reference: false, fusedAttention: hasFusedAttention(dims.hd), ...(lora ? { lora: { r: 16, targets: 'all-linear' as const } } : {}) }).total;
        const ratio = est / measured;
        const what = `${checkpointing ? 'checkpointing' : 'plain'}${lora ? ' + LoRA r 16' : ''}`;
        t.diagnostic(`${what}: measured ${(measured / 2 ** 20).toFixed(1)} MiB, estimate ${(est / 2 ** 20).toFixed(1)} MiB (×${ratio.toFixed(3)})`);
        assert.ok(ratio > 0.75 && ratio < 1.25, `${what}: estimate ${(est / 2 ** 20).toFixed(2)} MiB vs measured ${(measured / 2 ** 20).toFixed(2)} MiB (×${ratio.toFixed(3)})`);
      } finally {
        model.dispose();
      }
    }
    leftBehind(before, T);
    const [plain, ckpt] = peaks as [number, number];
    assert.ok(ckpt < plain, `checkpointing: peak ${(ckpt / 2 ** 20).toFixed(2)} MiB, without ${(plain / 2 ** 20).toFixed(2)} MiB`);
  });
}

test('validation refuses a run the wasm heap cannot hold, with figures and changes that fit; a small run passes', async () => {
  const { createProbe, memoryFileAccess, validateDocument } = await import('../../src/server/service/index');
  const gpt2Small = { architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: 50257, n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024 };
  const fs = createProbe(memoryFileAccess({
    '/p/data/train.jsonl': '{"prompt":"a","chosen":"b","rejected":"c"}\n',
    '/p/gpt2/config.json': JSON.stringify(gpt2Small),
    '/p/gpt2/model.safetensors': 'x',
  }));
  const doc = (backend: string, extra = '') => `name: t\nmodel:\n  from: gpt2\ndata:\n  train: data/train.jsonl\n  max_length: 512\n  max_prompt_length: 256\ntrain:\n  batch_size: 2\n${extra}backend: ${backend}\n`;
  const wasm = validateDocument(doc('wasm'), { path: '/p/exp.orpo.yaml', fs }).filter((d) => d.code === 'memory');
  assert.equal(wasm.length, 1);
  assert.equal(wasm[0]?.severity, 'error');
  const m = wasm[0]?.message ?? '';
  assert.match(m, /estimated peak memory [\d.]+ GiB: weights 0\.\d+ GiB, AdamW state [\d.]+ GiB/);
  assert.match(m, /more than the wasm heap \(4 GiB/);
  assert.match(m, /backend: native/);
  assert.match(m, /adapter: \{type: lora, r: 16, alpha: 16, target_modules: all-linear\} with train\.gradient_checkpointing: true \([\d.]+ GiB: the weights frozen/, 'LoRA is offered as config text');
  // The suggested adapter, pasted in, is what the plan then estimates: it fits the heap.
  const lora = validateDocument(doc('wasm', '  gradient_checkpointing: true\nadapter: {type: lora, r: 16, alpha: 16, target_modules: all-linear}\n'), { path: '/p/exp.orpo.yaml', fs });
  assert.deepEqual(lora.filter((d) => d.code === 'memory' && d.severity === 'error'), []);
  // The same run with checkpointing on the native backend is within this machine's memory (>= 8 GiB).
  const est = estimatePeak(dimsFromHf(gpt2Small) as NonNullable<ReturnType<typeof dimsFromHf>>, { rows: 4, T: 512, checkpointing: true, reference: false }).total;
  assert.ok(est < 8 * 2 ** 30, `GPT-2-small with checkpointing: ${est} B`);
  const small = validateDocument('name: t\ndata:\n  train: data/train.jsonl\nbackend: wasm\n', { path: '/p/exp.orpo.yaml', fs }).filter((d) => d.code === 'memory');
  assert.deepEqual(small, []);
});

test('non-finite sizes (YAML .inf) do not hang the memory stage', async () => {
  const { validateDocument } = await import('../../src/server/service/index');
  const ds = validateDocument('name: t\ndata:\n  train: d.jsonl\n  max_length: .inf\ntrain:\n  batch_size: .inf\nmodel:\n  layers: 96\n  d_model: 8192\n  heads: 64\nbackend: wasm\n', { path: '' });
  assert.ok(ds.some((d) => d.code === 'memory'), 'a 96-layer 8192-wide model on wasm is refused');
});

test('validation checks a webgpu run\'s largest buffer against the adapter this machine\'s engine recorded; the engine records it', async () => {
  const { createProbe, memoryFileAccess, validateDocument } = await import('../../src/server/service/index');
  const smol = BENCH_MODELS['smollm2-360m'];
  const fs = createProbe(memoryFileAccess({ '/p/data/train.jsonl': '{"prompt":"a","chosen":"b","rejected":"c"}\n', '/p/smol/config.json': JSON.stringify(smol), '/p/smol/model.safetensors': 'x' }));
  const doc = (backend: string, extra = '') => `name: t\nmodel:\n  from: smol\ndata:\n  train: data/train.jsonl\n  max_length: 512\ntrain:\n  batch_size: 2\n  gradient_checkpointing: true\n${extra}backend: ${backend}\n`;
  const gpu = { adapter: 'Test GPU', software: false, maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 32, date: '2026-11-29T00:00:00Z' };
  const memory = (text: string, withGpu = true) => validateDocument(text, { path: '/p/exp.orpo.yaml', fs, ...(withGpu ? { gpu } : {}) }).filter((d) => d.code === 'memory');
  const full = memory(doc('webgpu'));
  assert.equal(full.length, 1, JSON.stringify(full));
  assert.equal(full[0]?.severity, 'error');
  assert.match(full[0]?.message ?? '', /AdamW's flat copy of the 361,821,120 trained parameters \(1\.3 GiB\), exceeds this GPU adapter's limit on one buffer \(1\.0 GiB.*adapter: \{type: lora, r: 16.*\(Test GPU, as this machine's engine last saw it\)/);
  assert.deepEqual(memory(doc('webgpu', 'adapter: {type: lora, r: 16, alpha: 16, target_modules: all-linear}\n')), [], 'LoRA fits the adapter');
  assert.deepEqual(memory(doc('native')), [], 'no per-buffer limit on the CPU');
  assert.deepEqual(memory(doc('webgpu'), false), [], 'no record: no check (the engine checks the device at start)');
  // The engine records the device it starts (Dawn on llvmpipe here), in ORPO_LAB_CACHE_DIR.
  const { mkdtempSync, rmSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'gpu-record-'));
  try {
    await selectBackend('webgpu');
    const { recordGpuLimits, webgpuLimits } = await import('../../src/engine/backend/webgpu/limits');
    assert.equal(recordGpuLimits('llvmpipe test', true, dir), undefined);
    const { readGpuRecord } = await import('../../src/server/service/gpuRecord');
    const rec = readGpuRecord(join(dir, 'webgpu-limits.json'));
    assert.deepEqual(rec && { ...rec, date: '' }, { adapter: 'llvmpipe test', software: true, ...webgpuLimits(), date: '' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

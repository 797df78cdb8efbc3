// 16-bit frozen weights end to end on the native backend (issue 13): a LoRA base loaded from a bf16 or
// f16 checkpoint keeps its matrices 16-bit (model.halves; norms, biases and GPT-2's position table
// float32), which the native backend's byte count shows (exact bytes from the file's header), and trains
// the adapter to the same losses as the same run with the weights converted to float32 up front. The
// tolerance, 1e-5 relative: both runs multiply by the same numbers (widening bf16/f16 to float32 is
// exact), so they differ only in float32 summation order (the 16-bit product goes through sgemm by
// panels, x·Sᵀ; the float32 one is one x·W), about K·2⁻²⁴ ≈ 2e-6 per product at these widths. Saving
// writes the source dtype, bit for bit; merged models too. Cases: transformers' own bf16 Llama fixture,
// and bf16/f16 copies of the GPT-2 (Conv1D, tied head) and Qwen2 (tied, biases) fixtures; for Qwen2 the
// 16-bit run recomputes its blocks (gradient checkpointing), which gives the same gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select';
import { nativeMemory } from '../backend/native/cpuBackend';
import { collate } from '../data/batch';
import { attachLora, createLora, mergeLora, trainableParams } from '../model/lora';
import type { CausalLM } from '../model/types';
import { AdamW } from '../train/optimizer';
import { disposeBatch, gradients, toTensors } from '../train/step';
import { loadModelDir } from './load';
import { saveModelDir } from './save';
import { readSafetensorsBytes } from './safetensors';
import { weightFiles } from './weights';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'hf');

/** Every tensor's dtype, shape and raw bytes in a model directory. */
async function tensors(dir: string): Promise<Map<string, { dtype: string; shape: number[]; bytes: Buffer }>> {
  const out = new Map<string, { dtype: string; shape: number[]; bytes: Buffer }>();
  for (const f of await weightFiles(dir)) for await (const [name, info, bytes] of readSafetensorsBytes(f)) out.set(name, { dtype: info.dtype, shape: info.shape, bytes });
  return out;
}

/** Bytes a 16-bit-kept model holds, from the file: 16-bit matrices (GPT-2's position table aside) 2 bytes a value, padded to whole int32s; the rest float32. */
async function expectedBytes(dir: string): Promise<{ half: number; f32: number }> {
  let half = 0, f32 = 0;
  for (const [name, t] of await tensors(dir)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    f32 += 4 * n;
    half += t.shape.length === 2 && !name.endsWith('wpe.weight') ? 4 * Math.ceil(n / 2) : 4 * n;
  }
  return { half, f32 };
}

async function load(dir: string, keep16: boolean): Promise<{ model: CausalLM; bytes: number }> {
  const mem = nativeMemory();
  assert.ok(mem, 'the native backend is active');
  const before = mem.backend.live;
  const { model } = await loadModelDir(dir, { keep16 });
  assert.equal(model.halves.size > 0, keep16, keep16 ? 'frozen weights 16-bit' : 'every weight float32');
  if (keep16) assert.ok([...model.params.values()].every((v) => v.rank === 1 || v.shape[0] === model.context), 'float32: norms, biases, positions');
  return { model, bytes: mem.backend.live - before };
}

/** One model alone: its bytes, logits, a LoRA run's losses, adapter and peak, and its merged model saved to `merged`. */
async function run(dir: string, keep16: boolean, merged: string, checkpointing = false) {
  const { model, bytes } = await load(dir, keep16);
  model.gradientCheckpointing = checkpointing;
  try {
    const ids = tf.tensor2d([[1, 5, 9, 14, 2, 40], [3, 3, 70, 8, 11, 0]], undefined, 'int32');
    const logits = tf.tidy(() => model.forward(ids).dataSync());
    // The cached decoding path (eval samples, `generate`) reads the same weights: its logits agree with the full pass.
    const cached = tf.tidy(() => {
      const first = model.step?.(tf.slice(ids, [0, 0], [2, 4]) as tf.Tensor2D, undefined);
      const next = first && model.step?.(tf.slice(ids, [0, 4], [2, 2]) as tf.Tensor2D, first.cache);
      return next ? tf.concat([first.logits, next.logits], 1).dataSync() : new Float32Array();
    });
    relClose(cached, logits, 1e-4, 'cached decoding logits');
    ids.dispose();
    adapt(model);
    const t = train(model);
    mergeLora(model);
    await saveModelDir(model, undefined, merged);
    return { bytes, logits, ...t };
  } finally {
    model.dispose();
  }
}

/** A LoRA adapter (r 4, all-linear) with a nonzero B, the same for every model of this architecture. */
function adapt(model: CausalLM): void {
  const lora = createLora(model, { r: 4, alpha: 8, dropout: 0, targets: 'all-linear' }, 3);
  for (const [name, v] of lora.params) if (name.endsWith('lora_B.weight')) v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 17));
  attachLora(model, lora);
}

/** Losses of 3 ORPO steps (AdamW on the adapter), the adapter's final values, and the native peak over them. */
function train(model: CausalLM): { losses: number[]; adapter: Float32Array; peak: number } {
  const mem = nativeMemory();
  assert.ok(mem);
  const V = model.config.vocab_size;
  const batch = collate(Array.from({ length: 2 }, (_, p) => ({
    prompt: Array.from({ length: 8 }, (_, i) => (i * 5 + p) % V), chosen: Array.from({ length: 8 }, (_, i) => (i * 7 + p + 1) % V), rejected: Array.from({ length: 8 }, (_, i) => (i * 3 + 2) % V),
  })), { padId: V - 1 });
  const opt = new AdamW(trainableParams(model), { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, () => false);
  mem.backend.resetPeak();
  const losses: number[] = [];
  for (let s = 0; s < 3; s++) {
    const bt = toTensors(batch);
    const g = gradients(model, bt, { method: 'orpo', lambda: 0.1, nllOnPrompt: true });
    losses.push(g.metrics.dataSync()[0] as number); // METRIC_ORDER[0] is the loss
    tf.dispose(opt.step(g.grads, 1e-2));
    tf.dispose([...g.grads.values(), g.metrics]);
    disposeBatch(bt);
  }
  const peak = mem.backend.peak;
  opt.dispose();
  const adapter = Float32Array.from([...trainableParams(model).values()].flatMap((v) => Array.from(v.dataSync())));
  return { losses, adapter, peak };
}

const relClose = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void => {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs((got[i] as number) - (want[i] as number)) <= tol * Math.max(1, Math.abs(want[i] as number)), `${what} at ${i}: ${got[i]} vs ${want[i]}`);
};

const CASES = [
  { name: 'tiny-llama-bf16 (saved by transformers)', fixture: 'tiny-llama-bf16', dtype: 'BF16' },
  { name: 'tiny-gpt2 as BF16 (Conv1D, tied head)', fixture: 'tiny-gpt2', dtype: 'BF16', convert: true },
  { name: 'tiny-qwen2 as F16 (tied head, q/k/v biases; the 16-bit run with gradient checkpointing)', fixture: 'tiny-qwen2-sharded', dtype: 'F16', convert: true, checkpointing: true },
] as const;

for (const c of CASES) {
  test(`${c.name}: frozen weights stay 16-bit, LoRA trains as on float32 weights, saves ${c.dtype} bit for bit`, async () => {
    await selectBackend('native');
    const tmp = await mkdtemp(join(tmpdir(), 'half-'));
    try {
      let dir = join(FIXTURES, c.fixture);
      if ('convert' in c) { // a 16-bit copy of a float32 fixture, written by our saver
        const { model } = await loadModelDir(dir);
        model.sourceDtype = c.dtype;
        dir = join(tmp, 'source');
        await saveModelDir(model, undefined, dir);
        model.dispose();
      }
      const source = await tensors(dir);
      assert.ok([...source.values()].every((t) => t.dtype === c.dtype), `every tensor of ${dir} is ${c.dtype}`);
      assert.equal(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).dtype, c.dtype === 'BF16' ? 'bfloat16' : 'float16');
      const want = await expectedBytes(dir);
      const h = await run(dir, true, join(tmp, 'merged16'), 'checkpointing' in c);
      const f = await run(dir, false, join(tmp, 'merged32'));
      assert.equal(h.bytes, want.half, 'bytes held with 16-bit frozen weights');
      assert.equal(f.bytes, want.f32, 'bytes held in float32');
      assert.ok(h.bytes < 0.56 * f.bytes, `${h.bytes} vs ${f.bytes}`);
      relClose(h.logits, f.logits, 1e-5, 'logits');
      relClose(h.losses, f.losses, 1e-5, 'losses');
      assert.ok(f.losses[2] !== f.losses[0], 'the adapter trains');
      relClose(h.adapter, f.adapter, 1e-4, 'adapter after 3 steps');
      assert.ok(f.peak - h.peak >= 0.9 * (f.bytes - h.bytes), `peak ${h.peak} (16-bit) vs ${f.peak} (float32); weights ${h.bytes} vs ${f.bytes}`);
      // Merged, both write the source dtype, and the same bytes: the 16-bit weight widened exactly, plus the same delta.
      const [m16, m32] = [await tensors(join(tmp, 'merged16')), await tensors(join(tmp, 'merged32'))];
      assert.deepEqual([...m16.keys()].sort(), [...source.keys()].sort());
      for (const [name, t] of m16) {
        assert.equal(t.dtype, c.dtype, name);
        assert.ok(t.bytes.equals((m32.get(name) as { bytes: Buffer }).bytes), `${name}: merged bytes agree`);
      }
      const adapted = [...m16.keys()].find((n) => /(q_proj|c_attn)\.weight$/.test(n)) as string;
      assert.ok(!(m16.get(adapted) as { bytes: Buffer }).bytes.equals((source.get(adapted) as { bytes: Buffer }).bytes), 'the merge changed an adapted weight');
      assert.equal(JSON.parse(await readFile(join(tmp, 'merged16', 'config.json'), 'utf8')).dtype, c.dtype === 'BF16' ? 'bfloat16' : 'float16');
      // Saved as loaded (no adapter): every tensor bit for bit as in the source file; transformers' logits where it made the file.
      const again = await load(dir, true);
      if (!('convert' in c)) {
        const ref = JSON.parse(await readFile(join(dir, 'reference.json'), 'utf8')) as { input_ids: number[][]; logits: number[] };
        const got = tf.tidy(() => again.model.forward(tf.tensor2d(ref.input_ids, undefined, 'int32')).dataSync());
        assert.ok(ref.logits.every((v, i) => Math.abs(v - (got[i] as number)) < 1e-4), 'logits match transformers to 1e-4');
      }
      await saveModelDir(again.model, undefined, join(tmp, 'resaved'));
      again.model.dispose();
      for (const [name, t] of await tensors(join(tmp, 'resaved'))) assert.ok(t.bytes.equals((source.get(name) as { bytes: Buffer }).bytes), `${name} resaved bit for bit`);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
}

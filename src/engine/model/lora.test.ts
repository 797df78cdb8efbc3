// LoRA (model/lora.ts) against an independent plain-PyTorch computation: test/fixtures/hf/lora_reference.json,
// made by scripts/reference/lora_reference.py (torch 1.13, float64, no PEFT and none of our code) on the
// tiny GPT-2 (Conv1D, fan_in_fan_out) and tiny Llama fixtures with an adapter on every linear layer:
// logits and the gradients of every lora_A and lora_B. Also: a fresh adapter (B = 0) leaves the logits
// as they were, A is drawn as PEFT's kaiming_uniform_(a=√5), targets resolve as PEFT's, only the
// adapter trains, and merging gives the logits of base + adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../testing/tf';
import { loadModelDir } from '../hf/load';
import { AdamW } from '../train/optimizer';
import { attachLora, createLora, Lora, mergeLora, resolveTargets, trainableParams } from './lora';
import type { CausalLM } from './types';

const fixtures = new URL('../../../test/fixtures/hf/', import.meta.url).pathname;

interface Case {
  model: string; r: number; alpha: number; input_ids: number[][]; targets: number[][]; loss: number; logits: number[];
  adapters: Record<string, { A: number[]; B: number[]; A_shape: number[]; B_shape: number[]; dA: number[]; dB: number[] }>;
}
const reference = JSON.parse(readFileSync(fixtures + 'lora_reference.json', 'utf8')) as { cases: Case[] };

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
};
const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Mean cross-entropy of `targets` under the model's logits (the reference's loss). */
function ceLoss(model: CausalLM, ids: number[][], targets: number[][]): tf.Scalar {
  const logits = model.forward(tf.tensor2d(ids, undefined, 'int32')); // [B, T, V]
  const V = logits.shape[2];
  const flat = tf.reshape(logits, [-1, V]); // [B*T, V]
  const picked = tf.sum(tf.mul(tf.logSoftmax(flat), tf.oneHot(tf.tensor1d(targets.flat(), 'int32'), V)), 1); // [B*T]
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}

async function withReferenceAdapter(c: Case): Promise<CausalLM> {
  const { model } = await loadModelDir(fixtures + c.model);
  const weights = new Map(Object.entries(c.adapters).map(([m, a]) => [m, { A: tf.tensor2d(a.A, a.A_shape as [number, number]), B: tf.tensor2d(a.B, a.B_shape as [number, number]) }]));
  attachLora(model, new Lora({ r: c.r, alpha: c.alpha, dropout: 0, targets: 'all-linear' }, c.model.includes('gpt2'), weights));
  for (const w of weights.values()) tf.dispose([w.A, w.B]);
  return model;
}

for (const c of reference.cases) {
  for (const checkpointing of [false, true]) {
    void test(`${c.model}: LoRA logits and lora_A/lora_B gradients match plain PyTorch${checkpointing ? ' (gradient checkpointing)' : ''}`, async () => {
      await useCpu();
      const model = await withReferenceAdapter(c);
      model.gradientCheckpointing = checkpointing;
      try {
        const logits = tf.tidy(() => model.forward(tf.tensor2d(c.input_ids, undefined, 'int32')).dataSync());
        assert.ok(maxDiff(logits, c.logits) < 1e-4, `max |Δlogit| = ${maxDiff(logits, c.logits)}`);
        const params = trainableParams(model);
        assert.equal(params.size, 2 * Object.keys(c.adapters).length, 'only lora_A and lora_B are trainable');
        const { value, grads } = tf.variableGrads(() => ceLoss(model, c.input_ids, c.targets), [...params.values()]);
        assert.ok(Math.abs(value.dataSync()[0] as number - c.loss) < 1e-5, `loss ${value.dataSync()[0]} vs ${c.loss}`);
        for (const [m, a] of Object.entries(c.adapters)) {
          for (const [k, want] of [['A', a.dA], ['B', a.dB]] as const) {
            const g = grads[(params.get(`${m}.lora_${k}.weight`) as tf.Variable).name];
            assert.ok(g, `a gradient for ${m}.lora_${k}`);
            const d = maxDiff(g.dataSync(), want);
            assert.ok(d <= 1e-4 * Math.max(1, maxAbs(want)), `${m}.lora_${k}: max |Δgrad| = ${d} (largest ${maxAbs(want)})`);
          }
        }
        tf.dispose([value, ...Object.values(grads)]);
      } finally {
        model.dispose();
      }
    });
  }

  void test(`${c.model}: merging the adapter gives the logits of base + adapter`, async () => {
    await useCpu();
    const model = await withReferenceAdapter(c);
    try {
      mergeLora(model);
      assert.equal(model.adapter, undefined);
      const logits = tf.tidy(() => model.forward(tf.tensor2d(c.input_ids, undefined, 'int32')).dataSync());
      assert.ok(maxDiff(logits, c.logits) < 1e-4, `max |Δlogit| = ${maxDiff(logits, c.logits)}`);
    } finally {
      model.dispose();
    }
  });
}

void test('a fresh adapter leaves the logits unchanged; A is U(±1/√in) (kaiming_uniform_, a=√5), B zero', async () => {
  await useCpu();
  for (const name of ['tiny-gpt2', 'tiny-llama']) {
    const { model } = await loadModelDir(fixtures + name);
    const ids = tf.tensor2d([[3, 9, 27, 81 % 96, 5]], undefined, 'int32');
    const before = tf.tidy(() => model.forward(ids).dataSync());
    const lora = createLora(model, { r: 8, alpha: 16, dropout: 0, targets: 'all-linear' }, 7);
    attachLora(model, lora);
    const after = tf.tidy(() => model.forward(ids).dataSync());
    assert.equal(maxDiff(before, after), 0, `${name}: B = 0 must leave the logits exactly as they were`);
    for (const m of lora.modules) {
      const { A, B } = lora.pair(m) as { A: tf.Variable; B: tf.Variable };
      const bound = 1 / Math.sqrt(A.shape[1] as number);
      const a = A.dataSync();
      assert.ok(maxAbs(a) <= bound && maxAbs(a) > 0.8 * bound, `${name} ${m}: A within ±${bound}, spread to its edges`);
      assert.equal(maxAbs(B.dataSync()), 0);
    }
    ids.dispose();
    model.dispose();
  }
});

void test('target modules resolve as PEFT: model-type defaults, names and suffixes, all-linear without the head', async () => {
  await useCpu();
  const { model: gpt } = await loadModelDir(fixtures + 'tiny-gpt2');
  const { model: llama } = await loadModelDir(fixtures + 'tiny-llama');
  try {
    assert.deepEqual(resolveTargets(gpt, undefined), ['transformer.h.0.attn.c_attn', 'transformer.h.1.attn.c_attn']);
    assert.deepEqual(resolveTargets(gpt, ['mlp.c_proj']), ['transformer.h.0.mlp.c_proj', 'transformer.h.1.mlp.c_proj']);
    assert.equal(resolveTargets(gpt, 'all-linear').length, 8);
    assert.deepEqual(new Set(resolveTargets(llama, undefined)), new Set(['model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.v_proj', 'model.layers.1.self_attn.q_proj', 'model.layers.1.self_attn.v_proj']));
    const all = resolveTargets(llama, 'all-linear');
    assert.equal(all.length, 14);
    assert.ok(!all.some((m) => m.includes('lm_head')), 'the output head is not a target');
    assert.throws(() => resolveTargets(llama, ['c_attn']), /\[c_attn\] match no linear layer of this llama model \(its linear layers: .*q_proj/);
  } finally {
    gpt.dispose();
    llama.dispose();
  }
});

void test('training moves only the adapter: base weights unchanged, AdamW moments only for lora_A and lora_B', async () => {
  await useCpu();
  const { model } = await loadModelDir(fixtures + 'tiny-llama');
  try {
    const base = new Map([...model.params].map(([n, v]) => [n, v.dataSync().slice()]));
    attachLora(model, createLora(model, { r: 4, alpha: 8, dropout: 0.1, targets: ['q_proj', 'down_proj'] }, 3));
    const params = trainableParams(model);
    const opt = new AdamW(params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 }, (n) => model.noDecay(n));
    assert.deepEqual([...opt.m.keys()].every((n) => /\.lora_[AB]\.weight$/.test(n)), true);
    assert.equal(opt.m.size, 8);
    const lora = model.adapter as Lora;
    for (let i = 0; i < 2; i++) {
      lora.beginPass();
      lora.training = true;
      const { value, grads } = tf.variableGrads(() => ceLoss(model, [[1, 2, 3, 4, 5, 6]], [[2, 3, 4, 5, 6, 7]]), [...params.values()]);
      lora.training = false;
      const byName = new Map([...params].map(([n, v]) => [n, grads[v.name] as tf.Tensor]));
      tf.dispose(opt.step(byName, 1e-2));
      tf.dispose([value, ...Object.values(grads)]);
    }
    for (const [n, before] of base) assert.equal(maxDiff((model.params.get(n) as tf.Variable).dataSync(), before), 0, `${n} must not change`);
    for (const m of lora.modules) assert.ok(maxAbs((lora.pair(m) as { B: tf.Variable }).B.dataSync()) > 0, `${m}.lora_B moved`);
    opt.dispose();
  } finally {
    model.dispose();
  }
});

/** Gradients of every adapter tensor for one training pass (dropout on), by name. */
function adapterGrads(model: CausalLM, ids: number[][], targets: number[][]): Map<string, Float32Array> {
  const lora = model.adapter as Lora;
  const params = trainableParams(model);
  lora.beginPass();
  lora.training = true;
  const { value, grads } = tf.variableGrads(() => ceLoss(model, ids, targets), [...params.values()]);
  lora.training = false;
  const out = new Map([...params].map(([n, v]) => [n, (grads[v.name] as tf.Tensor).dataSync() as Float32Array]));
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

void test('LoRA dropout: the recomputed block of gradient checkpointing draws the same mask', async () => {
  await useCpu();
  const c = reference.cases.find((x) => x.model === 'tiny-llama') as Case;
  const run = async (dropout: number, checkpointing: boolean) => {
    const model = await withReferenceAdapter(c);
    (model.adapter as Lora).settings.dropout = dropout;
    model.gradientCheckpointing = checkpointing;
    try {
      return adapterGrads(model, c.input_ids, c.targets);
    } finally {
      model.dispose();
    }
  };
  const [plain, dropped, droppedCk] = [await run(0, false), await run(0.5, false), await run(0.5, true)];
  let moved = 0;
  for (const [n, g] of dropped) {
    assert.ok(maxDiff(g, droppedCk.get(n) as Float32Array) < 1e-5, `${n}: checkpointing changed the dropout gradient`);
    moved = Math.max(moved, maxDiff(g, plain.get(n) as Float32Array));
  }
  assert.ok(moved > 1e-3, 'dropout 0.5 changes the gradients');
});

void test('no gradient of a frozen base weight is computed (no product with a base weight\'s shape in the backward pass)', async () => {
  await useCpu();
  for (const name of ['tiny-gpt2', 'tiny-llama']) {
    const { model } = await loadModelDir(fixtures + name);
    const shapes = new Set([...model.params.values()].filter((v) => v.rank === 2).map((v) => v.shape.join('x')));
    const products = async () => {
      const params = trainableParams(model);
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => ceLoss(model, [[1, 2, 3, 4, 5]], [[2, 3, 4, 5, 6]]), [...params.values()]);
        tf.dispose([value, ...Object.values(grads)]);
      });
      return info.kernels.filter((k) => /MatMul/.test(k.name) && k.outputShapes.some((s) => s !== null && shapes.has(s.join('x')))).length;
    };
    assert.ok(await products() > 0, `${name}: full fine-tuning computes weight gradients (the probe sees them)`);
    attachLora(model, createLora(model, { r: 4, alpha: 8, dropout: 0, targets: 'all-linear' }, 1));
    assert.equal(await products(), 0, `${name}: under LoRA no product makes a base weight's gradient`);
    model.dispose();
  }
});

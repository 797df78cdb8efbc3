// Right-padded rows with their lengths (issue 14, TRL parity of logits/*): our GPT-2 and Llama logits at
// every position, padding included, equal an independent PyTorch computation with transformers'
// attention_mask (test/fixtures/hf/padding_reference.json, scripts/reference/padding_reference.py, float64);
// without the lengths only real positions agree. Gradients are the same with gradient checkpointing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadModelDir } from '../hf/load';
import { useCpu } from '../testing/tf';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'hf');
interface Ref { input_ids: number[][]; shape: [number, number, number]; logits: number[] }
const fx = JSON.parse(readFileSync(join(FIXTURES, 'padding_reference.json'), 'utf8')) as { lengths: number[]; models: Record<string, Ref> };

void before(async () => {
  await useCpu();
});

for (const name of ['tiny-gpt2', 'tiny-llama']) {
  void test(`${name}: logits of right-padded rows with lengths equal PyTorch with attention_mask, padding positions included`, async () => {
    const ref = fx.models[name] ?? assert.fail(`no reference for ${name}`);
    const { model } = await loadModelDir(join(FIXTURES, name));
    const [R, T, V] = ref.shape;
    const ids = tf.tensor2d(ref.input_ids, [R, T], 'int32');
    const masked = tf.tidy(() => model.forward(ids, fx.lengths)).dataSync();
    const plain = tf.tidy(() => model.forward(ids)).dataSync();
    let worst = 0, padGap = 0, realGap = 0;
    for (let r = 0; r < R; r++) for (let t = 0; t < T; t++) for (let v = 0; v < V; v++) {
      const i = (r * T + t) * V + v;
      worst = Math.max(worst, Math.abs((masked[i] as number) - (ref.logits[i] as number)));
      const gap = Math.abs((plain[i] as number) - (ref.logits[i] as number));
      if (t >= (fx.lengths[r] as number)) padGap = Math.max(padGap, gap);
      else realGap = Math.max(realGap, gap);
    }
    assert.ok(worst < 1e-4, `max |logit − PyTorch| ${worst}`);
    assert.ok(realGap < 1e-4, `real positions without lengths: ${realGap}`);
    assert.ok(padGap > 1e-3, `padding positions without lengths differ (${padGap}): the test sees the mask`);
    // Gradient checkpointing recomputes blocks with the same mask: equal gradients.
    const params = [...model.params.values()];
    const grads = () => tf.tidy(() => {
      const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(ids, fx.lengths), tf.sub(tf.mod(tf.reshape(tf.range(0, R * T * V), [R, T, V]), 7), 3))) as tf.Scalar, params);
      return params.map((p) => (g[p.name] as tf.Tensor).dataSync());
    });
    const a = grads();
    model.gradientCheckpointing = true;
    const b = grads();
    a.forEach((x, k) => x.forEach((v, j) => assert.ok(Math.abs(v - ((b[k] as Float32Array)[j] as number)) <= 1e-5 * (1 + Math.abs(v)), `gradient ${k}[${j}]`)));
    ids.dispose();
    model.dispose();
  });
}

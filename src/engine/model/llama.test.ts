// The Llama-family model beyond the reference logits (src/engine/hf/load.test.ts): backpropagation
// through RoPE, grouped-query attention and SwiGLU agrees with central finite differences; exported
// parameters are transformers' tensors; weight-decay exemptions; llama3 rope scaling by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../testing/tf';
import { readSafetensors } from '../hf/safetensors';
import { loadModelDir } from '../hf/load';
import { createLlama } from './llama';
import { ropeInvFreq } from './rope';
import type { HfConfig } from './types';

const config: HfConfig = {
  architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', vocab_size: 20, hidden_size: 16, intermediate_size: 24,
  num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 16,
  rope_theta: 100, rms_norm_eps: 1e-6, tie_word_embeddings: true, initializer_range: 0.3,
};

void test('gradients agree with central finite differences', async () => {
  await useCpu();
  const model = createLlama(config, undefined, 11);
  try {
    const ids = tf.tensor2d([[1, 5, 9, 3, 17, 2], [4, 4, 0, 19, 7, 11]], undefined, 'int32');
    const weights = tf.randomNormal([2, 6, 20], 0, 1, 'float32', 5);
    const loss = () => tf.sum(tf.mul(model.forward(ids), weights)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, [...model.params.values()]);
    const byName = new Map([...model.params].map(([n, v]) => [n, grads[v.name] as tf.Tensor]));
    const probes: [string, number][] = [
      ['model.embed_tokens.weight', 5 * 16 + 3], ['model.layers.0.self_attn.q_proj.weight', 37], ['model.layers.0.self_attn.k_proj.bias', 2],
      ['model.layers.1.self_attn.v_proj.weight', 50], ['model.layers.1.self_attn.o_proj.weight', 7], ['model.layers.0.mlp.gate_proj.weight', 100],
      ['model.layers.1.mlp.down_proj.weight', 33], ['model.layers.1.post_attention_layernorm.weight', 4], ['model.norm.weight', 9],
    ];
    for (const [name, i] of probes) {
      const v = model.params.get(name)!;
      const base = v.dataSync().slice();
      const at = (delta: number) => {
        const w = base.slice();
        w[i] = (w[i] as number) + delta;
        v.assign(tf.tensor(w, v.shape));
        return tf.tidy(() => loss().dataSync()[0] as number);
      };
      const h = 1e-2;
      const numeric = (at(h) - at(-h)) / (2 * h);
      v.assign(tf.tensor(base, v.shape));
      const analytic = byName.get(name)!.dataSync()[i] as number;
      assert.ok(Math.abs(numeric - analytic) <= 0.02 * Math.max(1, Math.abs(numeric)), `${name}[${i}]: analytic ${analytic}, numeric ${numeric}`);
    }
  } finally {
    model.dispose();
  }
});

void test('exported parameters are the tensors transformers wrote; norms and biases are exempt from decay', async () => {
  await useCpu();
  const dir = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'hf', 'tiny-llama');
  const { model } = await loadModelDir(dir);
  try {
    let n = 0;
    for await (const [name, t] of readSafetensors(join(dir, 'model.safetensors'))) {
      const e = model.exportParam!(name);
      assert.deepEqual(e.shape, t.shape, name);
      assert.deepEqual(e.dataSync(), t.data, name);
      e.dispose();
      n++;
    }
    assert.equal(n, model.params.size);
    assert.equal(model.noDecay('model.layers.0.input_layernorm.weight'), true);
    assert.equal(model.noDecay('model.norm.weight'), true);
    assert.equal(model.noDecay('model.layers.0.self_attn.q_proj.weight'), false);
    assert.equal(model.noDecay('model.embed_tokens.weight'), false);
  } finally {
    model.dispose();
  }
});

void test('llama3 rope scaling: long wavelengths slowed by the factor, short kept, the band between blended', () => {
  const plain = ropeInvFreq({ theta: 500000, headDim: 8, scaling: { type: 'default' } });
  // 500000^(-2i/8) for i = 0..3
  [1, 500000 ** -0.25, 500000 ** -0.5, 500000 ** -0.75].forEach((x, i) => assert.ok(Math.abs(plain[i]! - x) / x < 1e-6));
  const scaled = ropeInvFreq({ theta: 500000, headDim: 8, scaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalContext: 256 } });
  // wavelengths 2π/x: 6.3 (< 256/4: kept), 167 (between 64 and 256: blended), 4443 and 1.2e5 (> 256: divided by 8)
  assert.equal(scaled[0], plain[0]);
  const w = (2 * Math.PI) / plain[1]!;
  const s = (256 / w - 1) / (4 - 1);
  assert.ok(Math.abs(scaled[1]! - ((1 - s) * plain[1]! / 8 + s * plain[1]!)) < 1e-9);
  assert.ok(Math.abs(scaled[2]! - plain[2]! / 8) < 1e-12 && Math.abs(scaled[3]! - plain[3]! / 8) < 1e-12);
});

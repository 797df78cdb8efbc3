// LoRA adapters (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models") as Hugging Face
// PEFT defines them (github.com/huggingface/peft: src/peft/tuners/lora/layer.py, config.py,
// tuners_utils.py; read there, not copied): a targeted linear layer y = x·W + b gains
// scaling · B(A(dropout(x))) with A: [r, in], B: [out, r] (nn.Linear layouts), scaling = alpha / r,
// A drawn as nn.init.kaiming_uniform_(a=√5) (U(±1/√in)) and B zero, so a fresh adapter leaves the model
// unchanged. GPT-2's Conv1D layers get the same A and B (PEFT sets fan_in_fan_out, which only transposes
// the merged delta). Target names match as PEFT's check_target_module_exists does (the full module name
// or a `.`-suffix); `all-linear` is every linear layer but the output head (_maybe_include_all_linear_layers);
// without targets, PEFT's TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING for the model type. The base
// model's parameters become non-trainable: no gradient is computed for them and AdamW keeps no moments.
// The model knows nothing of training; an adapted linear layer runs as one op (loraLinear.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { Weight } from '../ops/half';
import { loraLinear } from './loraLinear';
import { paramSeed } from './seed';
import type { CausalLM, LinearAdapter } from './types';

export const ALL_LINEAR = 'all-linear';

/** PEFT's default target modules by model type (constants.py, TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING). */
export const DEFAULT_TARGETS: Readonly<Record<string, readonly string[]>> = { gpt2: ['c_attn'], llama: ['q_proj', 'v_proj'], qwen2: ['q_proj', 'v_proj'] };

export interface LoraSettings {
  r: number;
  alpha: number;
  dropout: number;
  /** Module names or suffixes, `all-linear`, or undefined for PEFT's default of the model type. */
  targets?: readonly string[] | typeof ALL_LINEAR;
}

/** One adapted layer: A [r, in], B [out, r], as PEFT stores lora_A.weight and lora_B.weight. */
interface Pair { A: tf.Variable; B: tf.Variable }

/** The linear layers of a model, by module name, with their [in, out] sizes (the output head excluded). */
export function linearModules(model: CausalLM): Map<string, { in: number; out: number }> {
  const out = new Map<string, { in: number; out: number }>();
  const linear = model.config.model_type === 'gpt2' ? /\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/ : /^model\..*_proj\.weight$/;
  for (const [name, v] of [...model.params, ...model.halves]) {
    if (!linear.test(name)) continue;
    const [i, o] = v.shape as [number, number]; // both families use linear weights as [in, out] (a Half's logical shape)
    out.set(name.slice(0, -'.weight'.length), { in: i, out: o });
  }
  return out;
}

/** The module names a target setting selects, in model order; an error naming the targets when none match. */
export function resolveTargets(model: CausalLM, targets: LoraSettings['targets']): string[] {
  const all = [...linearModules(model).keys()];
  if (targets === ALL_LINEAR) return all;
  const want = targets ?? DEFAULT_TARGETS[model.config.model_type];
  if (!want) throw new Error(`adapter.target_modules: no default for model type "${model.config.model_type}"; name the modules (e.g. [q_proj, v_proj]) or use all-linear`);
  const hit = all.filter((m) => want.some((t) => m === t || m.endsWith(`.${t}`)));
  if (hit.length === 0) {
    const leaves = [...new Set(all.map((m) => m.split('.').at(-1)))].join(', ');
    throw new Error(`adapter.target_modules: [${want.join(', ')}] match no linear layer of this ${model.config.model_type} model (its linear layers: ${leaves}, or all-linear)`);
  }
  return hit;
}

export class Lora implements LinearAdapter {
  /** Trainable tensors by name: `<module>.lora_A.weight` and `<module>.lora_B.weight`. */
  readonly params = new Map<string, tf.Variable>();
  readonly scaling: number;
  /** Dropout applies only while training (step.ts turns it on around the forward and backward pass). */
  training = false;
  /** The base model's directory, saved as adapter_config.json's base_model_name_or_path. */
  base: string | null = null;
  private pass = 0;
  private readonly pairs = new Map<string, Pair & { index: number }>();

  /** `weights` holds A and B by module name (the adapter owns copies; the caller keeps its tensors). */
  constructor(readonly settings: LoraSettings, readonly fanInFanOut: boolean, weights: Map<string, { A: tf.Tensor; B: tf.Tensor }>) {
    this.scaling = settings.alpha / settings.r;
    let index = 0;
    for (const [module, w] of weights) {
      const A = tf.variable(w.A, true);
      const B = tf.variable(w.B, true);
      this.pairs.set(module, { A, B, index: index++ });
      this.params.set(`${module}.lora_A.weight`, A);
      this.params.set(`${module}.lora_B.weight`, B);
    }
  }

  get modules(): string[] {
    return [...this.pairs.keys()];
  }

  pair(module: string): Pair | undefined {
    return this.pairs.get(module);
  }

  /** Starts a training pass: new dropout masks, the same ones again when a checkpointed block is recomputed. */
  beginPass(): void {
    this.pass += 1;
  }

  adapts(module: string): boolean {
    return this.pairs.has(module);
  }

  /** The adapted linear layer `module` (W [in, out] and b frozen) on x [N, in] → [N, out]: x·W + b + scaling·(dropout(x)·Aᵀ)·Bᵀ. */
  linear(module: string, x: tf.Tensor2D, w: Weight, b?: tf.Tensor1D): tf.Tensor2D {
    const p = this.pairs.get(module);
    if (!p) throw new Error(`LoRA: no adapter on "${module}"`);
    const xd = this.training && this.settings.dropout > 0 ? this.drop(x, p.index) : x; // [N, in]
    return loraLinear(x, xd, w, b, p.A as tf.Tensor as tf.Tensor2D, p.B as tf.Tensor as tf.Tensor2D, this.scaling); // [N, out]
  }

  /** Inverted dropout with a mask seeded by (pass, layer), so a recomputation draws the same mask. */
  private drop(x: tf.Tensor2D, index: number): tf.Tensor2D {
    const p = this.settings.dropout;
    const u = tf.randomUniform(x.shape, 0, 1, 'float32', paramSeed(this.pass, 1 + index)); // [N, in]
    return tf.mul(x, tf.div(tf.cast(tf.greaterEqual(u, p), 'float32'), 1 - p)) as tf.Tensor2D;
  }

  /** The merged delta of a module in the model's [in, out] layout: scaling · Aᵀ · Bᵀ (PEFT's get_delta_weight, transposed). */
  delta(module: string): tf.Tensor2D {
    const p = this.pairs.get(module);
    if (!p) throw new Error(`LoRA: no adapter on "${module}"`);
    return tf.tidy(() => tf.mul(tf.matMul(p.A, p.B, true, true), this.scaling) as tf.Tensor2D); // [in, r]·[r, out] → [in, out]
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}

/** A fresh adapter for `model` as PEFT initialises one: A ~ U(±1/√in) (kaiming_uniform_, a=√5), B = 0. */
export function createLora(model: CausalLM, s: LoraSettings, seed: number): Lora {
  const sizes = linearModules(model);
  const weights = new Map<string, { A: tf.Tensor; B: tf.Tensor }>();
  resolveTargets(model, s.targets).forEach((m, i) => {
    const { in: n, out } = sizes.get(m) as { in: number; out: number };
    const bound = 1 / Math.sqrt(n);
    weights.set(m, { A: tf.randomUniform([s.r, n], -bound, bound, 'float32', paramSeed(seed, 500 + i)), B: tf.zeros([out, s.r]) });
  });
  const lora = new Lora(s, model.config.model_type === 'gpt2', weights);
  for (const w of weights.values()) tf.dispose([w.A, w.B]);
  return lora;
}

/** Puts `lora` on `model` and freezes the base parameters. */
export function attachLora(model: CausalLM, lora: Lora): void {
  const sizes = linearModules(model);
  for (const m of lora.modules) {
    const size = sizes.get(m);
    const { A, B } = lora.pair(m) as Pair;
    if (!size) throw new Error(`LoRA adapter: "${m}" is not a linear layer of this ${model.config.model_type} model`);
    if (A.shape[1] !== size.in || B.shape[0] !== size.out || A.shape[0] !== B.shape[1]) {
      throw new Error(`LoRA adapter: "${m}" has lora_A [${A.shape}] and lora_B [${B.shape}], but the layer is ${size.in} → ${size.out}`);
    }
  }
  for (const v of model.params.values()) v.trainable = false;
  model.adapter = lora;
}

/** What the optimizer updates: the adapter's tensors with LoRA, else every trainable parameter. */
export function trainableParams(model: CausalLM): Map<string, tf.Variable> {
  const all = [...model.params, ...(model.adapter?.params ?? [])];
  return new Map(all.filter(([, v]) => v.trainable));
}

/** Folds the adapter into the base weights (W ← W + scaling·(B·A)ᵀ in [in, out]) and removes it. */
export function mergeLora(model: CausalLM): void {
  const lora = model.adapter;
  if (!(lora instanceof Lora)) return;
  for (const m of lora.modules) {
    const half = model.halves.get(`${m}.weight`);
    if (half) { // a frozen 16-bit weight becomes a float32 parameter again to take the delta
      const w32 = half.widen(); // [in, out]
      model.params.set(`${m}.weight`, tf.variable(w32, true));
      w32.dispose();
      half.dispose();
      model.halves.delete(`${m}.weight`);
    }
    const w = model.params.get(`${m}.weight`) as tf.Variable;
    const merged = tf.tidy(() => tf.add(w, lora.delta(m)));
    w.assign(merged);
    merged.dispose();
  }
  for (const v of model.params.values()) v.trainable = true;
  model.adapter = undefined;
  lora.dispose();
}

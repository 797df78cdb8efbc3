// The experiment config (*.orpo.yaml): the one source of truth for its keys, types, defaults, valid
// ranges and documentation. The JSON Schema (jsonSchema.ts), hover text, completion items and the
// engine's pre-flight check are all derived from `configSpec`; there is no second list of keys.
// References: Hong et al. 2024, "ORPO: Monolithic Preference Optimization without Reference Model"
// (arXiv:2403.07691); Hugging Face TRL's ORPOConfig / DPOConfig.
import { sweepSpec } from './sweep';

export type { BooleanSpec, FieldSpec, ListSpec, NumberSpec, ObjectSpec, StringSpec, UnionSpec } from './specTypes';
import type { FieldSpec, NumberSpec, ObjectSpec } from './specTypes';

export const METHODS = ['orpo', 'sft', 'dpo', 'orpo-pr'] as const;
export const BACKENDS = ['auto', 'tensorflow', 'webgpu', 'native', 'wasm', 'cpu'] as const;
export const FORMATS = ['auto', 'explicit', 'implicit', 'conversational', 'sharegpt'] as const;
export const SCHEDULES = ['cosine', 'linear', 'constant'] as const;
export const ADAPTER_TYPES = ['lora'] as const;
export const FROZEN_DTYPES = ['auto', 'float32'] as const;

/** Upper bound of step and row counts: far beyond any local run, small enough that loops over it end. */
export const MAX_COUNT = 10_000_000;
/** Longest run name: `<name>-<timestamp>-<n>` must stay a valid file name (255 bytes). */
export const MAX_NAME_LENGTH = 128;

const posInt = (doc: string, dflt?: number, extra: Partial<NumberSpec> = {}): NumberSpec => ({
  kind: 'number', integer: true, min: 1, doc, ...(dflt === undefined ? {} : { default: dflt }), ...extra,
});

export const configSpec: ObjectSpec = {
  kind: 'object',
  doc: 'An ORPO Lab experiment.',
  fields: {
    name: { kind: 'string', required: true, maxLength: MAX_NAME_LENGTH, example: 'my-experiment', doc: 'Run name; run directories are called `<name>-<timestamp>`.' },
    seed: { kind: 'number', integer: true, min: 0, max: 4294967295, default: 42, doc: 'Seeds initialisation, shuffling, the eval split and dropout-free sampling.' },
    method: {
      kind: 'string', enum: METHODS, default: 'orpo',
      doc: 'Training objective. `orpo`: NLL + λ·odds-ratio loss. `sft`: NLL on chosen only (rejected log-probs are still logged). `dpo`: sigmoid DPO against a frozen reference copy. `orpo-pr`: the paper\'s probability-ratio ablation.',
      ref: 'Hong et al. 2024, Eq. 6-7 (ORPO), §7.1 (probability ratio ablation)',
    },
    lambda: {
      kind: 'number', exclusiveMin: 0, default: 0.1, warnAbove: 10,
      doc: 'ORPO\'s λ, the weight of the odds-ratio term (TRL calls it `beta`). Used by `orpo` and `orpo-pr`.',
      ref: 'Hong et al. 2024, Eq. 6; TRL ORPOConfig.beta',
      notes: ['Paper values: 0.1 for Mistral-ORPO-α, 0.25 for Phi-2, 0.2 for Llama-2.'],
    },
    beta: {
      kind: 'number', exclusiveMin: 0, warnAbove: 10, example: 0.1,
      doc: 'DPO temperature β. Required when `method: dpo`.',
      ref: 'Rafailov et al. 2023, Eq. 7; TRL DPOConfig.beta',
    },
    nll_on_prompt: {
      kind: 'boolean', default: true,
      doc: 'TRL\'s default computes the NLL over prompt and response tokens; `false` restricts it to the response.',
      ref: 'TRL ORPOTrainer.concatenated_forward',
    },
    model: {
      kind: 'object', doc: 'The model: a GPT-2-style decoder trained from scratch, or a local Hugging Face directory.',
      fields: {
        from: {
          kind: 'string', default: 'scratch', path: { type: 'dir', except: ['scratch'] },
          doc: '`scratch`, or a local Hugging Face model directory (config.json, model.safetensors, tokenizer.json).',
          example: 'models/my-model',
        },
        layers: posInt('Transformer blocks (scratch models).', 4, { max: 96 }),
        d_model: posInt('Embedding width (scratch models). Must be divisible by `heads`.', 128, { max: 8192 }),
        heads: posInt('Attention heads (scratch models).', 4, { max: 128 }),
        context: posInt('Maximum sequence length the model sees (scratch models).', 256, { max: 32768 }),
        adapter: {
          kind: 'string', path: { type: 'dir' }, example: 'runs/my-run/checkpoints/checkpoint-100',
          doc: 'Continue training a PEFT LoRA adapter directory (adapter_config.json, adapter_model.safetensors) on the `from` model. Its r, alpha and target modules are used; an `adapter:` section, if given, must agree with them.',
          ref: 'PEFT PeftModel.from_pretrained(model, adapter_dir, is_trainable=True)',
        },
        frozen_dtype: {
          kind: 'string', enum: FROZEN_DTYPES, default: 'auto',
          doc: 'Weights that do not train (the base model under an `adapter:`, the DPO reference): `auto` keeps a bfloat16 or float16 checkpoint\'s matrices in that dtype in memory (2 bytes per parameter instead of 4), read by kernels that widen them to float32 as they multiply, on the `native` and `webgpu` backends (wasm, tensorflow and cpu load float32); `float32` converts them when loading. Trained weights are always float32.',
          ref: 'transformers from_pretrained(torch_dtype="auto")',
        },
      },
    },
    adapter: {
      kind: 'object', doc: 'Train a LoRA adapter instead of every weight: the model\'s weights stay frozen (no gradients, no AdamW state) and checkpoints hold a PEFT adapter (adapter_model.safetensors, adapter_config.json). Needs `model.from`.',
      ref: 'Hu et al. 2021; PEFT LoraConfig',
      fields: {
        type: { kind: 'string', enum: ADAPTER_TYPES, required: true, example: 'lora', doc: 'The adapter kind: `lora`.' },
        r: posInt('LoRA rank: A is [r, in], B is [out, r] (PEFT LoraConfig.r).', 8, { max: 4096, ref: 'PEFT LoraConfig.r' }),
        alpha: { kind: 'number', exclusiveMin: 0, default: 8, doc: 'LoRA alpha; the adapter\'s output is scaled by alpha / r (PEFT LoraConfig.lora_alpha).', ref: 'PEFT LoraConfig.lora_alpha' },
        dropout: { kind: 'number', min: 0, max: 0.99, default: 0, doc: 'Dropout on the adapter\'s input while training (PEFT LoraConfig.lora_dropout).', ref: 'PEFT LoraConfig.lora_dropout' },
        target_modules: {
          kind: 'union',
          doc: 'Layers that get an adapter: `all-linear` (every linear layer but the output head), or module names matched as PEFT does (the name or a `.`-suffix, e.g. `q_proj`, `attn.c_attn`). Unset: PEFT\'s default for the model type (GPT-2 `c_attn`; Llama and Qwen2 `q_proj`, `v_proj`).',
          ref: 'PEFT LoraConfig.target_modules',
          variants: [
            { kind: 'string', enum: ['all-linear'], doc: 'Every linear layer except the output head.' },
            { kind: 'list', items: { kind: 'string', doc: 'A module name or suffix.', example: 'q_proj, v_proj' }, doc: 'Module names or suffixes.' },
          ],
        },
      },
    },
    chat_template: {
      kind: 'string', example: 'templates/chat.jinja',
      doc: "The chat template conversational and sharegpt rows (and `generate --chat`) are rendered with: a `.jinja` file (relative to this config), an inline Jinja template (text with `{{` or `{%`), or the name of one of the tokenizer's templates. Default: the tokenizer's own (`chat_template.jinja`, else tokenizer_config.json's, the one named `default` of a list), else ChatML with a warning.",
      ref: "transformers PreTrainedTokenizerBase.get_chat_template; TRL's maybe_apply_chat_template",
    },
    tokenizer: {
      kind: 'union', default: 'bytes',
      doc: '`bytes` (256 byte ids + specials), a path to a tokenizer.json, or `{train: VOCAB_SIZE}` to train a byte-level BPE on the training data.',
      variants: [
        { kind: 'string', path: { type: 'file', except: ['bytes'] }, doc: '`bytes` or a path to a tokenizer.json.' },
        { kind: 'object', doc: 'Train a byte-level BPE tokenizer.', fields: { train: posInt('Vocabulary size of the trained tokenizer.', undefined, { min: 260, max: 262144, required: true, example: 8000 }) } },
      ],
    },
    data: {
      kind: 'object', required: true, doc: 'Preference pairs and how they are tokenized.',
      fields: {
        train: { kind: 'string', required: true, path: { type: 'file' }, example: 'data/train.jsonl', doc: 'Training pairs: .jsonl or .json (an array), optionally .gz, or .parquet (as the Hub ships them).' },
        eval: {
          kind: 'union', default: 0.05,
          doc: 'A seeded held-out fraction of `train` (0 < x < 1), or a path to a separate eval file.',
          variants: [
            { kind: 'number', exclusiveMin: 0, max: 0.9, doc: 'Held-out fraction.' },
            { kind: 'string', path: { type: 'file' }, doc: 'Eval pairs file (.jsonl, .json, .gz or .parquet).' },
          ],
        },
        format: {
          kind: 'string', enum: FORMATS, default: 'auto',
          doc: '`explicit` {prompt, chosen, rejected}; `implicit` {chosen, rejected} sharing a prompt (HH-RLHF); `conversational` TRL message lists; `sharegpt` LLaMA-Factory. `auto` detects it from the first row.',
        },
        max_length: posInt('Maximum tokens of prompt + response.', 256, { max: 32768 }),
        max_prompt_length: posInt('Maximum prompt tokens; longer prompts are truncated from the left.', 128, { max: 32768 }),
        max_completion_length: posInt('Maximum tokens of each response (EOS included), truncated from the right before `max_length` applies (TRL DPOConfig.max_completion_length). Unset: no separate limit.', undefined, { max: 32768 }),
        skip_invalid: { kind: 'boolean', default: false, doc: 'Turn bad rows into counted warnings instead of errors.' },
        limit: posInt('Use at most this many pairs from the training file (before the eval split).', undefined, { max: MAX_COUNT }),
      },
    },
    train: {
      kind: 'object', doc: 'Optimisation.',
      fields: {
        learning_rate: { kind: 'number', exclusiveMin: 0, warnAbove: 1e-2, default: 3e-4, doc: 'Peak AdamW learning rate.', notes: ['The paper fine-tunes with 5e-6 (Phi-2, Llama-2) to 8e-6; small scratch models train well near 3e-4.'] },
        batch_size: posInt('Preference pairs per optimizer step (before accumulation).', 8, { max: 4096 }),
        grad_accum: posInt('Micro-batches accumulated per optimizer step.', 1, { max: 4096 }),
        max_steps: posInt('Optimizer steps. Give `max_steps` or `epochs`, not both.', undefined, { max: MAX_COUNT }),
        epochs: { kind: 'number', exclusiveMin: 0, max: 10000, doc: 'Passes over the training pairs. Give `max_steps` or `epochs`, not both.' },
        warmup_steps: { kind: 'number', integer: true, min: 0, max: MAX_COUNT, default: 0, doc: 'Linear warmup steps; must be below max_steps.' },
        warmup_ratio: { kind: 'number', min: 0, max: 1, doc: 'Warmup as a fraction of all optimizer steps, ⌈ratio × steps⌉ (transformers\' warmup_ratio). Give `warmup_steps` or `warmup_ratio`, not both.' },
        schedule: { kind: 'string', enum: SCHEDULES, default: 'cosine', doc: 'Learning-rate schedule after warmup.' },
        weight_decay: { kind: 'number', min: 0, max: 1, default: 0, doc: 'Decoupled AdamW weight decay (not applied to biases or norms).' },
        adam_beta1: { kind: 'number', min: 0, max: 0.9999, default: 0.9, doc: 'AdamW β1.' },
        adam_beta2: { kind: 'number', min: 0, max: 0.99999, default: 0.999, doc: 'AdamW β2.' },
        adam_eps: { kind: 'number', exclusiveMin: 0, default: 1e-8, doc: 'AdamW ε.' },
        max_grad_norm: { kind: 'number', min: 0, default: 1, doc: 'Global gradient-norm clipping; 0 turns it off.' },
        log_every: posInt('Log training metrics every N steps.', 1, { max: MAX_COUNT }),
        eval_every: posInt('Evaluate (metrics and distributions) every N steps, and at the end.', 50, { max: MAX_COUNT }),
        save_every: posInt('Checkpoint every N steps, and at the end.', 100, { max: MAX_COUNT }),
        save_total_limit: posInt('Keep only the newest N checkpoints (older `checkpoint-*` directories are deleted); unset keeps all.', undefined, { max: 100000, ref: 'transformers TrainingArguments.save_total_limit' }),
        eval_samples: { kind: 'number', integer: true, min: 0, max: 64, default: 2, doc: 'Greedy samples generated for fixed eval prompts at each eval.' },
        // memory (issue 13)
        gradient_checkpointing: {
          kind: 'boolean', default: false,
          doc: 'Recompute each transformer block in the backward pass instead of keeping its activations: less memory, about one more forward pass of time.',
          ref: 'Chen et al. 2016; transformers TrainingArguments.gradient_checkpointing',
        },
      },
    },
    backend: {
      kind: 'string', enum: BACKENDS, default: 'auto',
      doc: '`auto` takes the fastest that works for the run\'s shape: a hardware GPU (WebGPU on a hardware adapter, or tfjs-node-gpu when libtensorflow really uses a CUDA GPU) timed against native on this model once (cached per machine, shape and engine version); without a GPU native (CPU: system BLAS and native kernels, memory bounded by system memory), wasm (a 4 GiB heap), then cpu. The run\'s first event says which and why. A named backend fails clearly if it cannot load.',
    },
    output_dir: { kind: 'string', default: 'runs', path: { type: 'dir' }, doc: 'Where run directories are created, relative to the config.' },
    sweep: sweepSpec,
  },
};

/** Looks up the spec at a key path such as ['train', 'learning_rate']; undefined when unknown. */
export function specAt(path: readonly string[], root: FieldSpec = configSpec): FieldSpec | undefined {
  let cur: FieldSpec | undefined = root;
  for (const key of path) {
    if (!cur) return undefined;
    if (cur.kind === 'union') cur = cur.variants.find((v): v is ObjectSpec => v.kind === 'object');
    if (!cur || cur.kind !== 'object') return undefined;
    cur = cur.fields[key];
  }
  return cur;
}

/** Hugging Face architectures a `model.from` directory may hold: `architectures[0]` and its `model_type`. */
export const HF_ARCHITECTURES: readonly { architecture: string; modelType: string }[] = [
  { architecture: 'GPT2LMHeadModel', modelType: 'gpt2' },
  { architecture: 'LlamaForCausalLM', modelType: 'llama' },
  { architecture: 'Qwen2ForCausalLM', modelType: 'qwen2' },
];

/** The valid range of a number field in words, e.g. "an integer ≥ 1" or "a number > 0 (warning above 10)". */
export function describeRange(spec: NumberSpec, withWarning = true): string {
  const parts: string[] = [];
  if (spec.exclusiveMin !== undefined) parts.push(`> ${spec.exclusiveMin}`);
  if (spec.min !== undefined) parts.push(`≥ ${spec.min}`);
  if (spec.max !== undefined) parts.push(`≤ ${spec.max}`);
  const base = `${spec.integer ? 'an integer' : 'a number'}${parts.length ? ' ' + parts.join(' and ') : ''}`;
  return spec.warnAbove === undefined || !withWarning ? base : `${base} (warning above ${spec.warnAbove})`;
}

/** What a field expects, in words: used by diagnostics, hover and completion. */
export function describeExpected(spec: FieldSpec, withWarning = true): string {
  switch (spec.kind) {
    case 'number': return describeRange(spec, withWarning);
    case 'boolean': return '`true` or `false`';
    case 'object': return 'a mapping';
    case 'string':
      if (spec.enum) return `one of ${spec.enum.map((v) => `\`${v}\``).join(', ')}`;
      if (spec.path) {
        const what = spec.path.type === 'dir' ? 'a directory' : spec.path.type === 'file' ? 'a file' : 'a file or directory';
        const lits = (spec.path.except ?? []).map((v) => `\`${v}\``);
        return [...lits, `a path to ${what}`].join(' or ');
      }
      return 'a string';
    case 'list': return `a list of ${spec.items.enum ? describeExpected(spec.items) : 'names'} (e.g. [${spec.items.example ?? 'a, b'}])`;
    case 'union': return spec.variants.map((v) => describeExpected(v, withWarning)).join(', or ');
  }
}

/** Every key path in the spec, depth first, e.g. ['train', 'learning_rate']; object variants of unions included. */
export function specPaths(root: FieldSpec = configSpec, prefix: readonly string[] = []): string[][] {
  const obj = root.kind === 'object' ? root : root.kind === 'union' ? root.variants.find((v): v is ObjectSpec => v.kind === 'object') : undefined;
  if (!obj) return [];
  return Object.entries(obj.fields).flatMap(([k, sub]) => [[...prefix, k], ...specPaths(sub, [...prefix, k])]);
}

// The resolved experiment config: what the engine runs once the validation service (src/server) has
// accepted a *.orpo.yaml file and the defaults from `configSpec` have been filled in.
import { canonicalize } from './aliases';
import { configSpec, specAt, type ADAPTER_TYPES, type FieldSpec, type BACKENDS, type FORMATS, type METHODS, type SCHEDULES } from './schema';

export type Method = (typeof METHODS)[number];
export type Backend = (typeof BACKENDS)[number];
export type DataFormat = (typeof FORMATS)[number];
export type Schedule = (typeof SCHEDULES)[number];
export type TokenizerSetting = 'bytes' | string | { train: number };

export interface ModelConfig {
  from: string;
  /** A PEFT LoRA adapter directory to continue from. */
  adapter?: string;
  /** Frozen weights of a 16-bit checkpoint: kept 16-bit (`auto`, the default the resolver fills) or converted to float32. */
  frozen_dtype?: 'auto' | 'float32';
  layers: number;
  d_model: number;
  heads: number;
  context: number;
}

export interface DataConfig {
  train: string;
  eval: number | string;
  format: DataFormat;
  max_length: number;
  max_prompt_length: number;
  skip_invalid: boolean;
  limit?: number;
  max_completion_length?: number;
}

export interface TrainConfig {
  learning_rate: number;
  batch_size: number;
  grad_accum: number;
  max_steps?: number;
  epochs?: number;
  warmup_steps: number;
  warmup_ratio?: number;
  schedule: Schedule;
  weight_decay: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_eps: number;
  max_grad_norm: number;
  log_every: number;
  eval_every: number;
  save_every: number;
  save_total_limit?: number;
  eval_samples: number;
  gradient_checkpointing: boolean;
}

export interface AdapterConfig {
  type: (typeof ADAPTER_TYPES)[number];
  r: number;
  alpha: number;
  dropout: number;
  target_modules?: 'all-linear' | string[];
}

export interface ExperimentConfig {
  name: string;
  seed: number;
  method: Method;
  lambda: number;
  beta?: number;
  nll_on_prompt: boolean;
  model: ModelConfig;
  tokenizer: TokenizerSetting;
  /** A .jinja file, an inline template or a template name (engine/tokenizer/chatTemplate.ts). */
  chat_template?: string;
  data: DataConfig;
  train: TrainConfig;
  adapter?: AdapterConfig;
  backend: Backend;
  output_dir: string;
}

// Compile-time guard: the interface and the spec name the same top-level keys.
type SpecKeys = 'name' | 'seed' | 'method' | 'lambda' | 'beta' | 'nll_on_prompt' | 'model' | 'tokenizer' | 'chat_template' | 'data' | 'train' | 'adapter' | 'backend' | 'output_dir';
const _sameKeys: [SpecKeys, keyof ExperimentConfig] extends [keyof ExperimentConfig, SpecKeys] ? true : never = true;
void _sameKeys;

function fill(spec: FieldSpec, value: unknown): unknown {
  if (spec.kind === 'object') {
    const obj = (value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {}) as Record<string, unknown>;
    for (const [k, sub] of Object.entries(spec.fields)) {
      const v = fill(sub, obj[k]);
      if (v !== undefined) obj[k] = v;
    }
    return obj;
  }
  return value === undefined || value === null ? spec.default : value;
}

/**
 * Fills every default from the spec into an already validated raw config (parsed YAML).
 * TRL / transformers aliases (aliases.ts) are moved to our keys first; TRL-only keys are dropped.
 * Validation (types, ranges, cross-field rules) is the job of src/server's validation service.
 */
export function resolveConfig(raw: unknown): ExperimentConfig {
  const value = canonicalize(raw, (p) => specAt(p) !== undefined).value;
  const cfg = fill(configSpec, value) as ExperimentConfig;
  // An absent `adapter:` section means no adapter (fill makes every object, defaults inside).
  if ((value as { adapter?: unknown } | undefined)?.adapter === undefined) delete cfg.adapter;
  if (cfg.train.max_steps === undefined && cfg.train.epochs === undefined) cfg.train.epochs = 1;
  return cfg;
}

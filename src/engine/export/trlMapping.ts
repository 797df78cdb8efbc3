// How an ORPO Lab experiment maps onto Hugging Face TRL (issue 14, "Export to TRL"): which trainer,
// and every config key's TRL or transformers field, or where the export applies it instead. Field names
// are those of TRL 1.13.0 (ORPOConfig in trl.experimental.orpo, DPOConfig, SFTConfig) and transformers
// 5.18.0's TrainingArguments (dataclasses.fields of the installed wheels), as recorded in test/fixtures/trl/fields.json; the test checks every kwarg against
// that fixture and that every key of configSpec has an entry in KEY_MAP.
import type { ExperimentConfig } from '../../common/config';
import { TRL_ONLY } from '../../common/aliases';

// The pinned versions live with the Python probe (the extension names them in its install command too).
export { ACCELERATE_VERSION, DATASETS_VERSION, PEFT_VERSION, TRANSFORMERS_VERSION, TRL_VERSION } from '../../common/pythonProbe';

export type TrlTrainer = 'ORPOTrainer' | 'DPOTrainer' | 'SFTTrainer';
export type TrlConfigClass = 'ORPOConfig' | 'DPOConfig' | 'SFTConfig';
export type Scalar = string | number | boolean;

export interface TrlPlan {
  trainer: TrlTrainer;
  configClass: TrlConfigClass;
  /** The Python module both classes are imported from. */
  module: string;
  /** Keyword arguments of the config class, in a stable order. */
  kwargs: Record<string, Scalar>;
  /** PEFT's LoraConfig keyword arguments (the trainer's peft_config) for a LoRA experiment. */
  lora?: { r: number; lora_alpha: number; lora_dropout: number; target_modules?: string | string[] };
  /** What differs from the local engine, one sentence each (written into the README). */
  notes: string[];
}

/** Where each of our keys goes: a TRL/transformers field, or what the export does with it. */
export const KEY_MAP: Readonly<Record<string, string>> = {
  name: 'run directory name and TrainingArguments.run_name',
  seed: 'seed',
  method: 'the trainer: orpo → ORPOTrainer, dpo → DPOTrainer, sft → SFTTrainer (orpo-pr is refused)',
  lambda: 'ORPOConfig.beta',
  beta: 'DPOConfig.beta',
  nll_on_prompt: 'ORPO: always true in TRL (false is refused); SFT: completion_only_loss = not nll_on_prompt',
  'model.from': 'the model directory train.py loads (scratch: the exported initial weights in model/)',
  'model.layers': 'model/config.json n_layer', 'model.d_model': 'model/config.json n_embd',
  'model.heads': 'model/config.json n_head', 'model.context': 'model/config.json n_positions',
  'model.frozen_dtype': 'not exported: train.py loads the model in float32 (from_pretrained(dtype="float32"))',
  tokenizer: 'the tokenizer files saved in model/', 'tokenizer.train': 'trained at export, saved in model/',
  chat_template: 'conversations rendered with it into the exported data; saved as model/chat_template.jinja',
  'data.train': 'data/train.jsonl', 'data.eval': 'data/eval.jsonl (the same seeded split)',
  'data.format': 'converted to explicit prompt/chosen/rejected at export',
  'data.max_length': 'max_length',
  'data.max_prompt_length': 'applied by TRL 0.x only; TRL 1.13 truncates long pairs its own way (README)',
  'data.max_completion_length': 'ORPOConfig.max_completion_length',
  'data.skip_invalid': 'applied at export (invalid rows are skipped or refused)',
  'data.limit': 'applied at export',
  'train.learning_rate': 'learning_rate', 'train.batch_size': 'per_device_train_batch_size, per_device_eval_batch_size',
  'train.grad_accum': 'gradient_accumulation_steps', 'train.max_steps': 'max_steps', 'train.epochs': 'num_train_epochs',
  'train.warmup_steps': 'warmup_steps', 'train.warmup_ratio': 'warmup_steps (a float below 1 is a ratio in transformers 5)',
  'train.schedule': 'lr_scheduler_type (constant with warmup: constant_with_warmup)',
  'train.weight_decay': 'weight_decay', 'train.adam_beta1': 'adam_beta1', 'train.adam_beta2': 'adam_beta2',
  'train.adam_eps': 'adam_epsilon', 'train.max_grad_norm': 'max_grad_norm',
  'train.log_every': 'logging_steps', 'train.eval_every': 'eval_steps (eval_strategy: steps)',
  'train.save_every': 'save_steps (save_strategy: steps)', 'train.save_total_limit': 'save_total_limit',
  'train.gradient_checkpointing': 'gradient_checkpointing',
  adapter: 'peft_config = peft.LoraConfig(task_type="CAUSAL_LM", ...) passed to the trainer, as TRL\'s get_peft_config builds it from ModelConfig.use_peft',
  'adapter.type': 'LoraConfig (ModelConfig.use_peft)', 'adapter.r': 'LoraConfig.r (ModelConfig.lora_r)', 'adapter.alpha': 'LoraConfig.lora_alpha (ModelConfig.lora_alpha)',
  'adapter.dropout': 'LoraConfig.lora_dropout (ModelConfig.lora_dropout)', 'adapter.target_modules': 'LoraConfig.target_modules (ModelConfig.lora_target_modules; unset: PEFT\'s default for the model type)',
  'model.adapter': 'not exported (refused): merge it first (orpo-lab merge) and export with model.from the merged directory',
  'train.eval_samples': 'not exported: TRL generates during eval only with wandb or comet',
  backend: 'not exported: accelerate places the model (accelerate/*.yaml)',
  output_dir: 'train.py --run-dir (default runs/<name>-<timestamp>)',
  sweep: 'not exported: the base values are; export each variant\'s generated config (SWEEP_DIR/configs/) to run a variant on TRL',
  'sweep.mode': 'not exported (see sweep)',
};

/** TRL-only keys that belong to some TRL config classes only (the rest are TrainingArguments fields). */
const CLASS_ONLY: Readonly<Record<string, readonly TrlConfigClass[]>> = {
  disable_dropout: ['ORPOConfig', 'DPOConfig'],
  dataset_num_proc: ['ORPOConfig', 'DPOConfig', 'SFTConfig'],
  model_init_kwargs: ['ORPOConfig', 'DPOConfig', 'SFTConfig'],
  trust_remote_code: ['ORPOConfig', 'DPOConfig', 'SFTConfig'],
  loss_type: ['DPOConfig', 'SFTConfig'],
  label_smoothing: ['DPOConfig'],
};

/** TRL-only keys never passed on: the export decides them (run directory, resume, reporting). */
const NOT_PASSED = new Set(['output_dir', 'resume_from_checkpoint', 'report_to', 'logging_dir', 'local_rank', 'run_name']);

export class ExportError extends Error {}

/** The trainer, its config keyword arguments and the documented differences for one experiment. */
export function trlPlan(cfg: ExperimentConfig, passthrough: Readonly<Record<string, unknown>> = {}, o: { engineOrder?: boolean; modelOnly?: readonly string[] } = {}): TrlPlan {
  const t = cfg.train;
  const notes: string[] = [];
  let trainer: TrlTrainer;
  let configClass: TrlConfigClass;
  let module = 'trl';
  const method: Record<string, Scalar> = {};
  switch (cfg.method) {
    case 'orpo':
      if (!cfg.nll_on_prompt) throw new ExportError('nll_on_prompt: false has no TRL equivalent: ORPOTrainer always computes the NLL over prompt and response. Set nll_on_prompt: true to export, or train with ORPO Lab');
      [trainer, configClass, module] = ['ORPOTrainer', 'ORPOConfig', 'trl.experimental.orpo'];
      method.beta = cfg.lambda;
      method.disable_dropout = true;
      if (cfg.data.max_completion_length !== undefined) method.max_completion_length = cfg.data.max_completion_length;
      break;
    case 'dpo':
      [trainer, configClass] = ['DPOTrainer', 'DPOConfig'];
      if (cfg.beta === undefined) throw new ExportError('method dpo needs beta');
      method.beta = cfg.beta;
      method.disable_dropout = true;
      notes.push("DPOTrainer logs logps/* as summed response log-probs; ORPO Lab's are means per token.");
      if (cfg.data.max_completion_length !== undefined) notes.push('data.max_completion_length is not a DPOConfig field in TRL 1.13: responses are cut only by max_length.');
      break;
    case 'sft':
      [trainer, configClass] = ['SFTTrainer', 'SFTConfig'];
      method.completion_only_loss = !cfg.nll_on_prompt;
      notes.push('SFTTrainer trains on prompt + chosen and logs no rejected log-probs or rewards.');
      break;
    case 'orpo-pr':
      throw new ExportError("method orpo-pr (the paper's probability-ratio ablation) has no TRL trainer; export it as orpo, or train it with ORPO Lab");
    default: {
      const never: never = cfg.method;
      throw new ExportError(`unknown method ${String(never)}`);
    }
  }
  const warmup = t.warmup_ratio !== undefined && t.warmup_ratio > 0 ? t.warmup_ratio : t.warmup_steps;
  const schedule = t.schedule === 'constant' ? (warmup > 0 ? 'constant_with_warmup' : 'constant') : t.schedule;
  const kwargs: Record<string, Scalar> = {
    seed: cfg.seed, run_name: cfg.name,
    learning_rate: t.learning_rate, per_device_train_batch_size: t.batch_size, per_device_eval_batch_size: t.batch_size,
    gradient_accumulation_steps: t.grad_accum,
    ...(t.max_steps !== undefined ? { max_steps: t.max_steps } : { num_train_epochs: t.epochs ?? 1 }),
    warmup_steps: warmup, lr_scheduler_type: schedule,
    optim: 'adamw_torch', weight_decay: t.weight_decay, adam_beta1: t.adam_beta1, adam_beta2: t.adam_beta2,
    adam_epsilon: t.adam_eps, max_grad_norm: t.max_grad_norm,
    logging_strategy: 'steps', logging_steps: t.log_every,
    eval_strategy: 'steps', eval_steps: t.eval_every,
    save_strategy: 'steps', save_steps: t.save_every,
    max_length: cfg.data.max_length,
    report_to: 'none',
    // TRL's configs default bf16 to True (not fp16): ORPO Lab trains in float32, and so does the export.
    bf16: false,
    ...method,
  };
  const keep = (t as { save_total_limit?: number }).save_total_limit;
  if (keep !== undefined) kwargs.save_total_limit = keep;
  if (t.gradient_checkpointing) kwargs.gradient_checkpointing = true;
  if (o.engineOrder) {
    // data/train.jsonl holds ORPO Lab's batches in order (export --engine-order): read it front to back.
    kwargs.train_sampling_strategy = 'sequential';
    notes.push("Exported with --engine-order: data/train.jsonl lists the pairs of ORPO Lab's batches, step by step, and the Trainer reads them in that order (train_sampling_strategy: sequential), so both engines train on the same batches.");
  }
  notes.push('ORPO Lab also evaluates at the end of a run; the Trainer evaluates only every eval_steps. train.py saves the final model (trainer.save_model) as the last checkpoints/checkpoint-N (unless a Trainer checkpoint of that step is there already, which stays resumable), as ORPO Lab does.');
  notes.push('data.max_prompt_length is not a field of TRL 1.13; a pair longer than max_length is truncated by TRL itself, so only pairs that fit train identically.');
  for (const [key, value] of Object.entries(passthrough)) {
    if (NOT_PASSED.has(key) || TRL_ONLY[key] === undefined) continue;
    const only = CLASS_ONLY[key];
    if (only && !only.includes(configClass)) {
      notes.push(`${key} is not a ${configClass} field and was left out.`);
      continue;
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') kwargs[key] = value;
    else notes.push(`${key}: only scalar values are passed on; set it in train.py.`);
  }
  // TRL ModelConfig fields the config gave that ORPO Lab has no equivalent for (warnings when validated).
  for (const key of o.modelOnly ?? []) notes.push(`ModelConfig.${key} is not exported: train.py loads the model in float32 and builds the adapter from the adapter: section.`);
  if (cfg.model.adapter !== undefined) throw new ExportError('model.adapter (continuing a PEFT adapter) is not exported; merge it into its base first (orpo-lab merge ADAPTER --out DIR) and export with model.from: DIR');
  const a = cfg.adapter;
  const lora = a ? { r: a.r, lora_alpha: a.alpha, lora_dropout: a.dropout, ...(a.target_modules ? { target_modules: a.target_modules } : {}) } : undefined;
  return { trainer, configClass, module, kwargs, notes, ...(lora ? { lora } : {}) };
}

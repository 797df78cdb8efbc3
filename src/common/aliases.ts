// TRL's and transformers' names in an ORPO Lab config (issue 14). A user who knows Hugging Face TRL may
// write `per_device_train_batch_size: 8` at the top level, or `save_steps` under `train:`: such a key
// is an alias of ours (a hint to prefer ours, a quick fix that renames it), and `canonicalize` moves
// its value to our key so the engine honours it. A TRL key with no equivalent here is ignored with a
// warning naming what ORPO Lab does instead. Field names: TRL 1.13.0 (ORPOConfig, DPOConfig, SFTConfig),
// TRL 0.25.1's ORPOConfig (max_prompt_length) and transformers 5.18.0's TrainingArguments (4.57.6's for
// warmup_ratio and logging_dir, which TRL users still write), as recorded with
// their provenance in test/fixtures/trl/fields.json (the test checks every name below against it).
// TRL's ModelConfig names for a LoRA adapter (use_peft, lora_r, ...) are peftAliases.ts's.
import { LORA_FIELDS, applyPeft, type PeftUses } from './peftAliases';
import { isObj, type Obj } from './json';

/** Our key path for each TRL / transformers field name that has an equivalent here. */
export const ALIASES: Readonly<Record<string, readonly string[]>> = {
  per_device_train_batch_size: ['train', 'batch_size'],
  gradient_accumulation_steps: ['train', 'grad_accum'],
  num_train_epochs: ['train', 'epochs'],
  max_steps: ['train', 'max_steps'],
  learning_rate: ['train', 'learning_rate'],
  lr_scheduler_type: ['train', 'schedule'],
  warmup_steps: ['train', 'warmup_steps'],
  warmup_ratio: ['train', 'warmup_ratio'],
  weight_decay: ['train', 'weight_decay'],
  adam_beta1: ['train', 'adam_beta1'],
  adam_beta2: ['train', 'adam_beta2'],
  adam_epsilon: ['train', 'adam_eps'],
  max_grad_norm: ['train', 'max_grad_norm'],
  logging_steps: ['train', 'log_every'],
  eval_steps: ['train', 'eval_every'],
  save_steps: ['train', 'save_every'],
  save_total_limit: ['train', 'save_total_limit'],
  max_length: ['data', 'max_length'],
  max_prompt_length: ['data', 'max_prompt_length'],
  max_completion_length: ['data', 'max_completion_length'],
  model_name_or_path: ['model', 'from'],
  // Inside `adapter:`; at the top level peftAliases.ts moves them (they need use_peft or the section).
  ...Object.fromEntries(Object.entries(LORA_FIELDS).map(([k, f]) => [k, ['adapter', f]])),
};

const PUSH = 'ORPO Lab keeps every checkpoint and the final model in the run directory (checkpoints/, final/); upload one with `huggingface-cli upload`';
const REPORT = 'ORPO Lab writes metrics.jsonl and distributions.jsonl to the run directory, shown live by the dashboard and by `orpo-lab report`';
const PRECISION = 'the local engine trains in float32; `orpo-lab export trl` passes this setting to TRL';
const SCALE = 'the local engine runs one process; `orpo-lab export trl` writes accelerate configs for DDP, FSDP and DeepSpeed ZeRO-3';
const EXPORT = 'ignored by the local engine; `orpo-lab export trl` passes it to TRL';

/** TRL / transformers fields with no equivalent here, and what ORPO Lab does instead. */
export const TRL_ONLY: Readonly<Record<string, string>> = {
  push_to_hub: PUSH, hub_model_id: PUSH, hub_token: PUSH, hub_strategy: PUSH, hub_private_repo: PUSH,
  report_to: REPORT, run_name: 'the run directory is named `<name>-<timestamp>` from the top-level `name`', logging_dir: REPORT,
  logging_strategy: 'metrics are logged every `train.log_every` steps', logging_first_step: REPORT,
  eval_strategy: 'evaluation runs every `train.eval_every` steps and at the end', save_strategy: 'checkpoints are written every `train.save_every` steps and at the end',
  per_device_eval_batch_size: 'evaluation uses `train.batch_size`',
  bf16: PRECISION, fp16: PRECISION, tf32: PRECISION, bf16_full_eval: PRECISION, fp16_full_eval: PRECISION,
  gradient_checkpointing: EXPORT, torch_compile: EXPORT, use_liger_kernel: EXPORT,
  deepspeed: SCALE, fsdp: SCALE, fsdp_config: SCALE, ddp_backend: SCALE, ddp_find_unused_parameters: SCALE, local_rank: SCALE,
  optim: 'ORPO Lab always uses AdamW (decoupled weight decay, global-norm clipping), like transformers\' default `adamw_torch`',
  dataloader_num_workers: 'pairs are read and batched in the engine process', dataset_num_proc: 'pairs are read and batched in the engine process',
  remove_unused_columns: 'ORPO Lab reads only the fields of its four data formats',
  disable_dropout: 'ORPO Lab\'s models have no dropout, as TRL\'s default `disable_dropout: true` gives',
  model_init_kwargs: 'the model comes from `model.from`', trust_remote_code: 'only GPT-2, Llama and Qwen2 directories load; no remote code runs',
  loss_type: 'DPO here is the sigmoid loss; other losses only through `orpo-lab export trl`',
  label_smoothing: EXPORT, resume_from_checkpoint: 'continue a run with `orpo-lab train CONFIG --resume RUN_DIR` or the Runs view',
};


/** One alias found in a config: where it was written and the key it stands for. */
export interface AliasUse { from: string[]; to: string[]; conflict: boolean }

export interface Canonical {
  /** The config with every alias moved to our key and TRL-only keys removed. */
  value: unknown;
  aliases: AliasUse[];
  /** TRL-only keys as written (path) with their value. */
  trlOnly: { path: string[]; value: unknown }[];
  /** TRL ModelConfig's PEFT names at the top level (peftAliases.ts). */
  peft: PeftUses;
}

/** The alias target for `key` written in the mapping at `parent`, if any (top level, or the target's own parent). */
export function aliasTarget(parent: readonly string[], key: string): readonly string[] | undefined {
  const to = ALIASES[key];
  if (!to) return undefined;
  const toParent = to.slice(0, -1);
  if (parent.length === 0 && toParent.length > 0) return to;
  if (parent.length === toParent.length && parent.every((k, i) => k === toParent[i]) && to[to.length - 1] !== key) return to;
  return undefined;
}

/**
 * Moves alias values to our keys (ours wins when both are given: `conflict`) and takes TRL-only keys
 * out. `known(path)` says whether a path is one of our keys, so a key that is ours is never an alias.
 */
export function canonicalize(raw: unknown, known: (path: readonly string[]) => boolean): Canonical {
  const out: Canonical = { value: raw, aliases: [], trlOnly: [], peft: { lora: [], modelOnly: [] } };
  if (!isObj(raw)) return out;
  const root: Obj = { ...raw };
  out.peft = applyPeft(root);
  const copied = new Set<string>();
  const section = (k: string): Obj | undefined => {
    if (!isObj(root[k])) return undefined;
    if (!copied.has(k)) {
      copied.add(k);
      root[k] = { ...(root[k] as Obj) };
    }
    return root[k] as Obj;
  };
  const scan = (obj: Obj, parent: string[]) => {
    for (const key of Object.keys(obj)) {
      if (known([...parent, key])) continue;
      const to = aliasTarget(parent, key);
      if (to) {
        const [sec, leaf] = to.length === 2 ? [to[0] as string, to[1] as string] : [undefined, to[0] as string];
        let dest: Obj | undefined = sec === undefined ? root : section(sec);
        if (sec !== undefined && dest === undefined && (root[sec] === undefined || root[sec] === null)) {
          root[sec] = {};
          dest = section(sec);
        }
        const conflict = !dest || dest[leaf] !== undefined;
        if (dest && !conflict) dest[leaf] = obj[key];
        delete obj[key]; // on a conflict ours wins; the alias is reported, not checked again

        out.aliases.push({ from: [...parent, key], to: [...to], conflict });
      } else if (parent.length === 0 && TRL_ONLY[key] !== undefined) {
        out.trlOnly.push({ path: [key], value: obj[key] });
        delete obj[key];
      }
    }
  };
  for (const sec of ['train', 'data', 'model', 'adapter']) {
    const s = section(sec);
    if (s) scan(s, [sec]);
  }
  scan(root, []);
  out.value = root;
  return out;
}

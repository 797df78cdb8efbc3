// TRL's names for a LoRA adapter (issues 13 and 14): the PEFT fields of TRL 1.13.0's ModelConfig
// (trl/trainer/model_config.py; TRL's get_peft_config in trl/trainer/utils.py turns them into PEFT's
// LoraConfig), written at the top level of a TRL-style config. `use_peft: true` stands for our
// `adapter: {type: lora}` section; lora_r, lora_alpha, lora_dropout and lora_target_modules for its r,
// alpha, dropout and target_modules. What use_peft creates takes TRL's ModelConfig defaults (r 16,
// alpha 32, dropout 0.05), not PEFT's (8, 8, 0) that our own section has, so a TRL config trains the
// adapter TRL would. The other ModelConfig fields have no equivalent: a value that would change what
// trains is an error, any other a warning naming what ORPO Lab does instead. Field names: the fixture
// test/fixtures/trl/fields.json ("ModelConfig", with its provenance).
import { isObj, type Obj } from './json';

/** TRL ModelConfig's defaults for the adapter fields (its dataclass defaults). */
export const TRL_LORA_DEFAULTS: Readonly<Record<'r' | 'alpha' | 'dropout', number>> = { r: 16, alpha: 32, dropout: 0.05 };

/** ModelConfig's LoRA field → the field of our `adapter:` section. */
export const LORA_FIELDS: Readonly<Record<string, string>> = {
  lora_r: 'r', lora_alpha: 'alpha', lora_dropout: 'dropout', lora_target_modules: 'target_modules',
};

interface ModelOnly {
  /** Whether a value leaves training as ORPO Lab runs it (TRL's default, or one that means the same). */
  inert?: (v: unknown) => boolean;
  /** Whether another value would change what trains (an error), rather than memory or speed (a warning). */
  changesTraining: boolean;
  instead: string;
}

const none = (v: unknown) => v === null || v === false || (Array.isArray(v) && v.length === 0);
const QUANT = 'ORPO Lab keeps the frozen base weights in their source dtype (bf16 or f16, else float32) and does not quantize to 8 or 4 bits; the memory plan says whether the run fits';

/** ModelConfig fields with no equivalent here, and what ORPO Lab does instead. */
export const MODEL_ONLY: Readonly<Record<string, ModelOnly>> = {
  lora_task_type: { inert: (v) => v === 'CAUSAL_LM', changesTraining: true, instead: 'ORPO Lab\'s adapters are for causal language models (PEFT task_type CAUSAL_LM), the only task type it trains' },
  use_rslora: { inert: none, changesTraining: true, instead: 'ORPO Lab\'s LoRA scales by alpha / r; rsLoRA\'s alpha / √r is the same scaling as alpha · √r here, so write that alpha' },
  use_dora: { inert: none, changesTraining: true, instead: 'ORPO Lab trains plain LoRA (no DoRA magnitude vector); remove use_dora to train plain LoRA' },
  lora_target_parameters: { inert: none, changesTraining: true, instead: 'ORPO Lab attaches adapters to linear modules only (adapter.target_modules)' },
  lora_modules_to_save: { inert: none, changesTraining: true, instead: 'only the adapter trains; every other weight stays frozen' },
  load_in_8bit: { inert: none, changesTraining: false, instead: QUANT },
  load_in_4bit: { inert: none, changesTraining: false, instead: QUANT },
  bnb_4bit_quant_type: { changesTraining: false, instead: QUANT },
  use_bnb_nested_quant: { changesTraining: false, instead: QUANT },
  bnb_4bit_quant_storage: { changesTraining: false, instead: QUANT },
  dtype: { changesTraining: false, instead: 'frozen weights stay in their source dtype (bf16 or f16); trained weights are float32' },
  attn_implementation: { changesTraining: false, instead: 'ORPO Lab runs its own attention kernel on each backend' },
  model_revision: { changesTraining: false, instead: '`model.from` is a local directory (download a revision with `huggingface-cli download --revision`)' },
};

export type UsePeft =
  | { effect: 'creates'; value: true; defaults: string[] } // no adapter: section; TRL's defaults filled in
  | { effect: 'redundant'; value: true } // an adapter: section says it already
  | { effect: 'conflict'; value: false } // use_peft: false beside an adapter: section (the section wins)
  | { effect: 'off'; value: false } // no adapter, as without it
  | { effect: 'invalid'; value: unknown };

export interface PeftUses {
  usePeft?: UsePeft;
  /** Top-level lora_* keys: moved into the adapter section, beside our own field (conflict), or ignored (no adapter). */
  lora: { key: string; to: string[]; status: 'moved' | 'conflict' | 'ignored' }[];
  /** ModelConfig-only keys: removed from the config. */
  modelOnly: { key: string; value: unknown; severity: 'warning' | 'error'; message: string }[];
}

/** TRL's __post_init__ makes a one-element list a string (`[all-linear]` → `all-linear`, PEFT's keyword). */
const targetValue = (v: unknown): unknown => (Array.isArray(v) && v.length === 1 && v[0] === 'all-linear' ? 'all-linear' : v);

/**
 * Moves TRL's PEFT names out of the top level of `root` (a shallow copy the caller owns; the adapter
 * section is copied before it is written) into `root.adapter`, and reports each.
 */
export function applyPeft(root: Obj): PeftUses {
  const out: PeftUses = { lora: [], modelOnly: [] };
  const had = isObj(root.adapter);
  const present = root.adapter !== undefined && root.adapter !== null;
  if ('use_peft' in root) {
    const v = root.use_peft;
    delete root.use_peft;
    if (v === true && !present) {
      root.adapter = { type: 'lora' };
      const defaults = (Object.keys(TRL_LORA_DEFAULTS) as (keyof typeof TRL_LORA_DEFAULTS)[]).filter((f) => !(`lora_${f}` in root));
      for (const f of defaults) (root.adapter as Obj)[f] = TRL_LORA_DEFAULTS[f];
      out.usePeft = { effect: 'creates', value: true, defaults };
    } else if (v === true) out.usePeft = { effect: 'redundant', value: true };
    else if (v === false) out.usePeft = present ? { effect: 'conflict', value: false } : { effect: 'off', value: false };
    else out.usePeft = { effect: 'invalid', value: v };
  }
  const adapter = isObj(root.adapter) ? (had ? { ...root.adapter } : root.adapter) : undefined;
  if (adapter) root.adapter = adapter;
  for (const [key, field] of Object.entries(LORA_FIELDS)) {
    if (!(key in root)) continue;
    const v = key === 'lora_target_modules' ? targetValue(root[key]) : root[key];
    delete root[key];
    const to = ['adapter', field];
    if (!adapter) out.lora.push({ key, to, status: 'ignored' });
    else if (adapter[field] !== undefined) out.lora.push({ key, to, status: 'conflict' }); // ours wins
    else {
      adapter[field] = v;
      out.lora.push({ key, to, status: 'moved' });
    }
  }
  for (const [key, m] of Object.entries(MODEL_ONLY)) {
    if (!(key in root)) continue;
    const value = root[key];
    delete root[key];
    const inert = m.inert?.(value) ?? true;
    const severity = !inert && m.changesTraining ? 'error' : 'warning';
    const what = severity === 'error' ? `${key}: ${JSON.stringify(value)} would change what trains, and ORPO Lab has no equivalent` : `"${key}" is a TRL ModelConfig setting with no equivalent in ORPO Lab`;
    out.modelOnly.push({ key, value, severity, message: `${what}: ${m.instead}` });
  }
  return out;
}

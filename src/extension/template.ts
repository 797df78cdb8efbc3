// The "New Experiment" scaffold: a commented *.orpo.yaml with issue 2's keys (their meaning is
// documented in src/common/schema.ts's configSpec) and settings measured to separate chosen from
// rejected on a small model within minutes on a CPU: the shipped example's (examples/hh-rlhf-tiny.orpo.yaml;
// the measurement is in docs/benchmarks.md, "First run"). Lengths come from the data: max_length
// holds two thirds of the pairs and max_prompt_length nine tenths of the prompts (at most half of
// max_length), rounded to multiples of 64, which gives the example's 256 and 128 on its data. No vscode import.
import { quantile } from '../common/pairText';
import type { DataStats } from './dataStats';

export interface TemplateOptions {
  name: string;
  /** The data file, relative to the new config (forward slashes). */
  dataPath: string;
  /** What measureData found in it; without it the example's lengths are used. */
  stats?: DataStats;
}

export interface Sizing { maxLength: number; maxPromptLength: number; eval: number; note: string }

const round64 = (x: number) => Math.max(64, Math.round(x / 64) * 64);

/** max_length, max_prompt_length and the eval fraction for the data (see the header). */
export function sizeFromData(stats: DataStats | undefined): Sizing {
  const evalFraction = (n: number) => Math.round(1000 * Math.min(0.2, Math.max(0.02, 32 / n))) / 1000;
  if (!stats || stats.total.length === 0) {
    return { maxLength: 256, maxPromptLength: 128, eval: stats && stats.pairs > 0 ? evalFraction(stats.pairs) : 0.1, note: 'lengths not measured (conversational data, or unreadable): the example\'s' };
  }
  const total = [...stats.total].sort((a, b) => a - b);
  const prompt = [...stats.prompt].sort((a, b) => a - b);
  const maxLength = Math.min(2048, round64(quantile(total, 2 / 3)));
  const maxPromptLength = Math.min(maxLength / 2, round64(quantile(prompt, 0.9)));
  const fits = total.filter((t) => t <= maxLength).length;
  return { maxLength, maxPromptLength, eval: evalFraction(stats.pairs), note: `measured: ${fits} of ${total.length} pairs fit in ${maxLength} bytes` };
}

/** A run name: letters, digits, dot, dash and underscore. */
export function experimentName(fromFile: string): string {
  const base = fromFile.replace(/^.*[\\/]/, '').replace(/\.(jsonl|json)(\.gz)?$/i, '');
  const clean = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return clean || 'experiment';
}

/** Quotes a YAML scalar when it would not read back as the same plain string. */
function yamlString(s: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(s) && !/^(true|false|null|yes|no|on|off|~|[-+.\d].*)$/i.test(s) ? s : JSON.stringify(s);
}

export function experimentTemplate(o: TemplateOptions): string {
  const s = sizeFromData(o.stats);
  return `# ORPO Lab experiment. Start it with "ORPO Lab: Start Run" (or the code lens above).
# Hover a key for its documentation; paths are relative to this file.
# These settings separate chosen from rejected answers on a small model within minutes: on the shipped
# HH-RLHF example the training rewards/accuracies reaches about 0.9 in 300 steps (held-out pairs need
# more data or a pretrained model). The paper's λ 0.1 suits pretrained models and many more steps.
name: ${yamlString(o.name)}
seed: 42
method: orpo          # orpo | sft | dpo | orpo-pr
lambda: 1.0           # ORPO's λ, the weight of the odds-ratio term (TRL calls it beta); the paper used 0.1
nll_on_prompt: false  # NLL on the response only (TRL's default, true, also learns the prompts)

model:
  from: scratch       # or a local Hugging Face model directory
  layers: 2
  d_model: 64
  heads: 4
  context: ${s.maxLength}        # ≥ data.max_length

tokenizer: bytes      # bytes | path to a tokenizer.json

data:
  train: ${yamlString(o.dataPath)}
  eval: ${s.eval}${' '.repeat(Math.max(1, 14 - String(s.eval).length))}# seeded held-out fraction (about 32 pairs), or a path
  format: auto        # auto | explicit | implicit | conversational | sharegpt
  max_length: ${s.maxLength}     # tokens (bytes here) of prompt + response; ${s.note}
  max_prompt_length: ${s.maxPromptLength}

train:
  learning_rate: 2.0e-3   # high for a tiny model from scratch; around 5e-6 to fine-tune a pretrained one
  batch_size: 8       # preference pairs per optimizer step
  grad_accum: 1
  max_steps: 300      # or epochs: N
  warmup_steps: 10
  schedule: cosine    # cosine | linear | constant
  weight_decay: 0.0
  max_grad_norm: 1.0
  log_every: 1
  eval_every: 50
  save_every: 100
  eval_samples: 2

backend: auto         # auto | tensorflow | webgpu | wasm | cpu
output_dir: runs
`;
}

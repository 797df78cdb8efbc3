// The "New ORPO experiment" scaffold: a commented *.orpo.yaml with issue 2's keys (their meaning is
// documented in src/common/schema.ts's configSpec) and small defaults that train in minutes on a
// CPU. No vscode import.

export interface TemplateOptions {
  name: string;
  /** The data file, relative to the new config (forward slashes). */
  dataPath: string;
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
  return `# ORPO Lab experiment. Start it with "ORPO: Start ORPO run" (or the code lens above).
# Hover a key for its documentation; paths are relative to this file.
name: ${yamlString(o.name)}
seed: 42
method: orpo          # orpo | sft | dpo | orpo-pr
lambda: 0.1           # ORPO's λ, the weight of the odds-ratio term (TRL calls it beta)
nll_on_prompt: true   # TRL's default: NLL over prompt + response; false = response only

model:
  from: scratch       # or a local Hugging Face model directory
  layers: 2
  d_model: 64
  heads: 4
  context: 128

tokenizer: bytes      # bytes | path to a tokenizer.json

data:
  train: ${yamlString(o.dataPath)}
  eval: 0.05          # seeded held-out fraction, or a path
  format: auto        # auto | explicit | implicit | conversational | sharegpt
  max_length: 128
  max_prompt_length: 64

train:
  learning_rate: 3.0e-4
  batch_size: 8       # preference pairs per optimizer step
  grad_accum: 1
  max_steps: 100      # or epochs: N
  warmup_steps: 10
  schedule: cosine    # cosine | linear | constant
  weight_decay: 0.0
  max_grad_norm: 1.0
  log_every: 1
  eval_every: 25
  save_every: 50

backend: auto         # auto | tensorflow | webgpu | wasm | cpu
output_dir: runs
`;
}

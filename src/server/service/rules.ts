// Rules beyond JSON Schema, on the parsed value: soft upper limits (`warnAbove` in configSpec, e.g.
// lambda above 10 or learning_rate above 1e-2) and the cross-field checks of issue 3: d_model divisible
// by heads; max_prompt_length < max_length <= context; warmup_steps < max_steps; max_steps or epochs,
// not both; method dpo needs beta; scratch-only keys with a Hugging Face model; an adapter needs one.
import { configSpec, specAt, specPaths, type NumberSpec } from '../../common/schema';
import { keyRange, valueRange, type ParsedConfig } from './document';
import { insertKeyFix, removeKeyFix, setValueFix } from './fixes';
import type { Fix } from './types';
import { label } from './schemaCheck';
import type { ConfigDiagnostic } from './types';
import { asObj } from '../../common/json';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const posInt = (v: unknown): v is number => isNum(v) && Number.isInteger(v) && v > 0;

/** The value at path, or the spec default when absent; undefined when neither is a usable number. */
function num(root: unknown, path: readonly string[]): number | undefined {
  let v: unknown = root;
  for (const k of path) v = asObj(v)[k];
  if (v === undefined || v === null) {
    const s = specAt(path);
    return s?.kind === 'number' ? s.default : undefined;
  }
  return isNum(v) ? v : undefined;
}

const has = (root: unknown, path: readonly string[]): boolean => {
  let v: unknown = root;
  for (const k of path) v = asObj(v)[k];
  return v !== undefined && v !== null;
};

/** Where to report a problem about a key: its value when written, else its parent key. */
const at = (p: ParsedConfig, path: readonly string[]) => (has(p.value, path) ? valueRange(p, path) : keyRange(p, path.slice(0, -1)));

export function isScratch(root: unknown): boolean {
  const from = asObj(asObj(root).model).from;
  return from === undefined || from === null || from === 'scratch' || typeof from !== 'string';
}

function softLimits(p: ParsedConfig): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const path of specPaths(configSpec)) {
    const spec = specAt(path);
    if (spec?.kind !== 'number' || spec.warnAbove === undefined || !has(p.value, path)) continue;
    const v = num(p.value, path);
    if (v === undefined || v <= spec.warnAbove || (spec.max !== undefined && v > spec.max)) continue;
    const notes = (spec as NumberSpec).notes?.join(' ') ?? '';
    out.push({ range: valueRange(p, path), severity: 'warning', message: `${label(path)} = ${v} is above ${spec.warnAbove}, an unusually large value that is likely to make training unstable${notes ? `. ${notes}` : ''}`, code: 'range-warning' });
  }
  return out;
}

export function ruleDiagnostics(p: ParsedConfig, configPath: string): ConfigDiagnostic[] {
  const out = softLimits(p);
  const v = p.value;
  const err = (path: readonly string[], message: string, extra: Partial<ConfigDiagnostic> = {}) => out.push({ range: at(p, path), severity: 'error', message, code: 'cross-field', ...extra });

  // d_model divisible by heads (scratch models only).
  const dModel = num(v, ['model', 'd_model']);
  const heads = num(v, ['model', 'heads']);
  if (isScratch(v) && posInt(dModel) && posInt(heads) && dModel % heads !== 0) {
    err(has(v, ['model', 'd_model']) ? ['model', 'd_model'] : ['model', 'heads'], `model.d_model (${dModel}) must be divisible by model.heads (${heads}): each head gets d_model / heads dimensions`);
  }

  // max_prompt_length < max_length <= context.
  const maxLen = num(v, ['data', 'max_length']);
  const maxPrompt = num(v, ['data', 'max_prompt_length']);
  if (posInt(maxLen) && posInt(maxPrompt) && maxPrompt >= maxLen) {
    // Fixes: half of max_length for the prompt, or room for a response as long as the prompt.
    const fixes = [
      maxLen >= 2 ? setValueFix(p, ['data', 'max_prompt_length'], Math.floor(maxLen / 2), `Change data.max_prompt_length to ${Math.floor(maxLen / 2)}`, configPath) : undefined,
      setValueFix(p, ['data', 'max_length'], 2 * maxPrompt, `Change data.max_length to ${2 * maxPrompt}`, configPath),
    ].filter((f): f is Fix => f !== undefined);
    err(has(v, ['data', 'max_prompt_length']) ? ['data', 'max_prompt_length'] : ['data', 'max_length'], `data.max_prompt_length (${maxPrompt}) must be less than data.max_length (${maxLen}), or no response tokens are left`, fixes.length ? { data: { fixes } } : {});
  }
  const context = num(v, ['model', 'context']);
  if (isScratch(v) && posInt(maxLen) && posInt(context) && maxLen > context) {
    err(has(v, ['data', 'max_length']) ? ['data', 'max_length'] : ['model', 'context'], `data.max_length (${maxLen}) must be at most model.context (${context}), the longest sequence the model can see`);
  }

  // Steps.
  const train = asObj(asObj(v).train);
  if (has(v, ['train', 'max_steps']) && has(v, ['train', 'epochs'])) {
    const fixes = [removeKeyFix(p, ['train', 'epochs'], 'Remove train.epochs (keep max_steps)'), removeKeyFix(p, ['train', 'max_steps'], 'Remove train.max_steps (keep epochs)')].filter((f): f is Fix => f !== undefined);
    err(['train', 'epochs'], 'give train.max_steps or train.epochs, not both', fixes.length ? { data: { fixes } } : {});
  }
  const maxSteps = num(v, ['train', 'max_steps']);
  const warmup = num(v, ['train', 'warmup_steps']);
  if (train.max_steps !== undefined && posInt(maxSteps) && isNum(warmup) && warmup >= maxSteps) {
    err(has(v, ['train', 'warmup_steps']) ? ['train', 'warmup_steps'] : ['train', 'max_steps'], `train.warmup_steps (${warmup}) must be less than train.max_steps (${maxSteps})`);
  }

  // method dpo needs beta.
  const root = asObj(v);
  if (root.method === 'dpo' && !has(v, ['beta'])) {
    const beta = specAt(['beta']);
    const fix = beta ? insertKeyFix(p, [], 'beta', beta, configPath) : undefined;
    out.push({ range: valueRange(p, ['method']), severity: 'error', message: 'method dpo needs beta, the DPO temperature (e.g. beta: 0.1)', code: 'cross-field', ...(fix ? { data: { fixes: [fix] } } : {}) });
  }

  // A LoRA adapter adapts a pretrained model (issue 13): not a scratch one.
  for (const path of [['adapter'], ['model', 'adapter']]) {
    if (has(v, path) && isScratch(v)) err(path, `${label(path)} needs model.from: a Hugging Face model directory (LoRA adapts a pretrained model's frozen weights; a scratch model trains every weight)`, { range: keyRange(p, path) });
  }

  // Scratch-only keys are ignored for a Hugging Face model.
  if (!isScratch(v)) {
    for (const k of ['layers', 'd_model', 'heads', 'context']) {
      if (has(v, ['model', k])) out.push({ range: keyRange(p, ['model', k]), severity: 'warning', message: `model.${k} is ignored: the architecture comes from ${String(asObj(root.model).from)}/config.json`, code: 'cross-field' });
    }
  }
  return out;
}

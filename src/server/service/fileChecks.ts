// Checks that need the file system (through a cached FileProbe): data.train, data.eval, tokenizer and
// model.from exist relative to the config; datasets are sniffed (first 50 rows, sniff.ts); a Hugging Face
// model directory has a readable config.json with a supported architecture and safetensors weights; and
// `backend: tensorflow` warns when @tensorflow/tfjs-node(-gpu) cannot be resolved. Whole-file counts
// say when data is cut or thin: how many pairs exceed max_length (byte tokenizer, measured as the
// engine truncates) and an eval split under MIN_EVAL_PAIRS pairs.
import * as path from 'node:path';
import { Template } from '@huggingface/jinja';
import { chatTemplateKind } from '../../common/chatTemplateSetting';
import { outputDirProblem } from '../../common/paths';
import { FORMATS, HF_ARCHITECTURES } from '../../common/schema';
import { valueRange, type ParsedConfig } from './document';
import { pickFileFix, setValueFix } from './fixes';
import type { FileProbe } from './fileProbe';
import { isScratch } from './rules';
import { label } from './schemaCheck';
import { countPairs, datasetStats, sniffFile, type PairFormat } from './sniff';
import { quantile } from '../../common/pairText';
import type { ConfigDiagnostic, Fix } from './types';
import { asObj, type Obj } from '../../common/json';


export function resolveFrom(configPath: string, p: string): string {
  return path.resolve(path.dirname(configPath), p);
}

export interface HfInfo { error?: string; architecture?: string; modelType?: string; maxPositions?: number }

/** Reads and checks a Hugging Face model directory's config.json (cached). */
export function readHfConfig(fs: FileProbe, dir: string): HfInfo {
  const file = path.join(dir, 'config.json');
  return fs.memo('hf-config', file, (): HfInfo => {
    if (fs.stat(file).kind !== 'file') return { error: `${dir} has no config.json: not a Hugging Face model directory` };
    const bytes = fs.readHead(file, 4 << 20);
    let cfg: Obj;
    try {
      cfg = asObj(JSON.parse(Buffer.from(bytes ?? new Uint8Array()).toString('utf8')));
    } catch (e) {
      return { error: `${file} is not readable JSON: ${e instanceof Error ? e.message : String(e)}` };
    }
    const archs = Array.isArray(cfg.architectures) ? cfg.architectures : [];
    const architecture = typeof archs[0] === 'string' ? archs[0] : undefined;
    const modelType = typeof cfg.model_type === 'string' ? cfg.model_type : undefined;
    const pos = cfg.n_positions ?? cfg.max_position_embeddings;
    const info: HfInfo = { architecture, modelType, ...(typeof pos === 'number' ? { maxPositions: pos } : {}) };
    const ok = HF_ARCHITECTURES.some((a) => (architecture ? a.architecture === architecture : a.modelType === modelType));
    if (!ok) {
      const found = `architectures[0] ${architecture ? `"${architecture}"` : 'missing'}, model_type ${modelType ? `"${modelType}"` : 'missing'}`;
      info.error = `unsupported model in ${file} (${found}); supported: ${HF_ARCHITECTURES.map((a) => `${a.architecture} (${a.modelType})`).join(', ')}`;
    }
    return info;
  });
}

function checkPath(out: Out, p: ParsedConfig, fs: FileProbe, configPath: string, keyPath: string[], want: 'file' | 'dir'): string | undefined {
  let v: unknown = p.value;
  for (const k of keyPath) v = asObj(v)[k];
  if (typeof v !== 'string' || v === '') return undefined;
  const abs = resolveFrom(configPath, v);
  const kind = fs.stat(abs).kind;
  if (kind === want) return abs;
  const problem = kind === 'missing' ? `${want === 'dir' ? 'directory' : 'file'} not found: ${abs}` : `${abs} is ${kind === 'dir' ? 'a directory' : 'not a regular file'}, expected a ${want === 'dir' ? 'directory' : 'file'}`;
  diag(out, p, keyPath, `${label(keyPath)}: ${problem}`, 'file', 'error', [pickFileFix(valueRange(p, keyPath), want, configPath)]);
  return undefined;
}

type Out = ConfigDiagnostic[];
function diag(out: Out, p: ParsedConfig, keyPath: readonly string[], message: string, code: string, severity: ConfigDiagnostic['severity'] = 'error', fixes: Fix[] = []): void {
  out.push({ range: valueRange(p, keyPath), severity, message, code, ...(fixes.length ? { data: { fixes } } : {}) });
}

function checkDataset(out: Out, p: ParsedConfig, fs: FileProbe, abs: string, keyPath: string[], configPath: string): void {
  const data = asObj(asObj(p.value).data);
  const fmt = typeof data.format === 'string' && (FORMATS as readonly string[]).includes(data.format) ? (data.format as PairFormat | 'auto') : 'auto';
  const res = sniffFile(fs, abs, fmt);
  if (res.fatal) return diag(out, p, keyPath, `${label(keyPath)}: ${res.fatal}`, 'data-file');
  if (res.problem) {
    const soft = data.skip_invalid === true;
    const skip = soft ? undefined : setValueFix(p, ['data', 'skip_invalid'], true, 'Skip invalid rows (data.skip_invalid: true)', configPath);
    diag(out, p, keyPath, `${abs}${res.problem.line ? `:${res.problem.line}` : ''}: bad row ${res.problem.row}${res.format ? ` (format ${res.format})` : ''}: ${res.problem.message}${soft ? ' (skipped: data.skip_invalid is true)' : ''}`, 'data-row', soft ? 'warning' : 'error', skip ? [skip] : []);
  }
}

function checkModel(out: Out, p: ParsedConfig, fs: FileProbe, configPath: string): void {
  if (isScratch(p.value)) return;
  const dir = checkPath(out, p, fs, configPath, ['model', 'from'], 'dir');
  if (!dir) return;
  const info = readHfConfig(fs, dir);
  if (info.error) return diag(out, p, ['model', 'from'], `model.from: ${info.error}`, 'hf-model');
  // model.adapter: a PEFT LoRA adapter directory (issue 13).
  const adapter = checkPath(out, p, fs, configPath, ['model', 'adapter'], 'dir');
  if (adapter && fs.stat(path.join(adapter, 'adapter_config.json')).kind !== 'file') {
    diag(out, p, ['model', 'adapter'], `model.adapter: ${adapter} has no adapter_config.json (a PEFT LoRA adapter directory holds adapter_config.json and adapter_model.safetensors)`, 'hf-model');
  }
  const weights = ['model.safetensors', 'model.safetensors.index.json'].some((f) => fs.stat(path.join(dir, f)).kind === 'file');
  if (!weights) diag(out, p, ['model', 'from'], `model.from: ${dir} has no model.safetensors or model.safetensors.index.json (only safetensors weights can be loaded)`, 'hf-model');
  const maxLen = asObj(asObj(p.value).data).max_length ?? 256;
  if (typeof maxLen === 'number' && info.maxPositions !== undefined && maxLen > info.maxPositions) {
    diag(out, p, asObj(asObj(p.value).data).max_length === undefined ? ['data'] : ['data', 'max_length'], `data.max_length (${maxLen}) must be at most ${info.maxPositions}, the model's maximum positions (config.json)`, 'cross-field');
  }
}

function checkBackend(out: Out, p: ParsedConfig, fs: FileProbe, configPath: string): void {
  if (asObj(p.value).backend !== 'tensorflow') return;
  const from = path.dirname(configPath);
  const gpu = fs.resolvePackage('@tensorflow/tfjs-node-gpu', from);
  if (gpu) return;
  const cpu = fs.resolvePackage('@tensorflow/tfjs-node', from);
  const msg = cpu
    ? 'backend tensorflow: @tensorflow/tfjs-node-gpu is not installed, so it runs on the CPU through @tensorflow/tfjs-node (no CUDA)'
    : 'backend tensorflow: neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed, so `orpo-lab train` will fail to load it; `backend: auto` would run on WebGPU with a hardware GPU adapter, otherwise on the native CPU backend (or wasm without the native kernels)';
  diag(out, p, ['backend'], msg, 'backend', 'warning');
}

/** Fewer eval pairs than this make eval metrics noise (one pair moves rewards/accuracies by over 6 points). */
export const MIN_EVAL_PAIRS = 16;

const num = (v: unknown, dflt: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : dflt);

/** "179 of 256 pairs exceed max_length 128": measured for the byte tokenizer, where lengths are exact. */
function checkLengths(out: Out, p: ParsedConfig, fs: FileProbe, trainFile: string): void {
  const root = asObj(p.value);
  if ((root.tokenizer ?? 'bytes') !== 'bytes' || !isScratch(p.value)) return; // other tokenizers: lengths are not bytes
  const stats = datasetStats(fs, trainFile);
  const data = asObj(root.data);
  const limit = typeof data.limit === 'number' && data.limit > 0 ? data.limit : Infinity;
  const total = stats?.total.slice(0, limit) ?? [];
  if (total.length === 0) return;
  const maxLength = num(data.max_length, 256);
  const maxPrompt = num(data.max_prompt_length, 128);
  const over = total.filter((t) => t > maxLength).length;
  if (over === 0) return;
  const sorted = [...total].sort((a, b) => a - b);
  const keyPath = data.max_length === undefined ? ['data'] : ['data', 'max_length'];
  const msg = `${over} of ${total.length} pairs exceed max_length ${maxLength} (byte tokenizer; median ${quantile(sorted, 0.5)}, 90th percentile ${quantile(sorted, 0.9)} bytes): `
    + `their prompts are cut from the left to max_prompt_length ${maxPrompt}, then the responses to ${Math.max(0, maxLength - maxPrompt)}`;
  // A warning when most pairs lose part of their text; otherwise a note (cutting a long tail is normal).
  diag(out, p, keyPath, msg, 'truncation', over > total.length / 2 ? 'warning' : 'info');
}

/** The eval split's size: the engine's round(n·fraction), at least 1 and at most n-1, or the eval file's pairs. */
function checkEvalSize(out: Out, p: ParsedConfig, fs: FileProbe, trainFile: string, evalFile: string | undefined): void {
  const data = asObj(asObj(p.value).data);
  let size: number | undefined;
  let how = '';
  if (typeof data.eval === 'number') {
    const pairs = countPairs(fs, trainFile);
    if (pairs === undefined || pairs < 2) return;
    const n = Math.min(pairs, typeof data.limit === 'number' && data.limit > 0 ? data.limit : pairs);
    size = Math.min(n - 1, Math.max(1, Math.round(n * data.eval)));
    const enough = Math.ceil((100 * MIN_EVAL_PAIRS) / n) / 100;
    how = enough < 0.5 ? `${data.eval} of ${n} pairs; eval: ${enough} gives ${MIN_EVAL_PAIRS}` : `${data.eval} of ${n} pairs; more data, or a separate eval file, gives a steadier eval`;
  } else if (evalFile) {
    size = countPairs(fs, evalFile);
    how = `${path.basename(evalFile)}`;
  }
  if (size === undefined || size >= MIN_EVAL_PAIRS) return;
  diag(out, p, ['data', 'eval'], `the eval split has ${size} pair${size === 1 ? '' : 's'} (${how}): eval metrics from fewer than ${MIN_EVAL_PAIRS} pairs are mostly noise`, 'eval-size', 'warning');
}

/** `chat_template:` as a .jinja file (it must exist) or an inline template: its Jinja must parse, as the engine requires. */
function checkChatTemplate(out: Out, p: ParsedConfig, fs: FileProbe, configPath: string): void {
  const v = asObj(p.value).chat_template;
  if (typeof v !== 'string' || v === '') return;
  const kind = chatTemplateKind(v);
  if (kind === 'name') return; // a name of the tokenizer's templates: checked when the run loads the tokenizer
  const file = kind === 'file' ? checkPath(out, p, fs, configPath, ['chat_template'], 'file') : undefined;
  if (kind === 'file' && !file) return;
  const parse = (src: string): string | undefined => {
    try {
      new Template(src);
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };
  const bad = file ? fs.memo('jinja', file, () => parse(Buffer.from(fs.readHead(file, 4 << 20) ?? new Uint8Array()).toString('utf8'))) : parse(v);
  if (bad) diag(out, p, ['chat_template'], `${file ?? 'chat_template'}: the chat template does not parse as Jinja: ${bad}`, 'chat-template');
}

export function fileDiagnostics(p: ParsedConfig, fs: FileProbe, configPath: string): ConfigDiagnostic[] {
  const out: Out = [];
  const root = asObj(p.value);
  const train = checkPath(out, p, fs, configPath, ['data', 'train'], 'file');
  if (train) checkDataset(out, p, fs, train, ['data', 'train'], configPath);
  let ev: string | undefined;
  if (typeof asObj(root.data).eval === 'string') {
    ev = checkPath(out, p, fs, configPath, ['data', 'eval'], 'file');
    if (ev) checkDataset(out, p, fs, ev, ['data', 'eval'], configPath);
  }
  if (train && !out.some((d) => d.code === 'data-file')) {
    checkLengths(out, p, fs, train);
    checkEvalSize(out, p, fs, train, ev);
  }
  if (typeof root.tokenizer === 'string' && root.tokenizer !== 'bytes') {
    const tok = checkPath(out, p, fs, configPath, ['tokenizer'], 'file');
    const head = tok ? Buffer.from(fs.readHead(tok, 64) ?? new Uint8Array()).toString('utf8').trimStart() : '{';
    if (!head.startsWith('{')) diag(out, p, ['tokenizer'], `tokenizer: ${tok} is not a tokenizer.json (a JSON object was expected)`, 'file');
  }
  checkModel(out, p, fs, configPath);
  checkChatTemplate(out, p, fs, configPath);
  const sysOut = outputDirProblem(resolveFrom(configPath, typeof root.output_dir === 'string' ? root.output_dir : 'runs'));
  if (sysOut) diag(out, p, ['output_dir'], `output_dir: ${sysOut}`, 'file');
  else if (typeof root.output_dir === 'string') {
    const abs = resolveFrom(configPath, root.output_dir);
    if (['file', 'other'].includes(fs.stat(abs).kind)) diag(out, p, ['output_dir'], `output_dir: ${abs} exists and is not a directory`, 'file');
  }
  checkBackend(out, p, fs, configPath);
  return out;
}

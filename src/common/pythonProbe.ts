// What a Python needs to run an experiment on Hugging Face TRL (issue 14): the pinned packages
// (`orpo-lab export trl`'s requirements.txt), one probe script that reports every missing module in one
// call (importlib.util.find_spec: nothing heavy is imported), its output parsed and validated, and the
// messages that name the exact pip command. Shared by the engine (`train --engine trl`) and the
// extension (Start ORPO Run's engine choice), which each run the script their own way.
import { canonicalize } from './aliases';
import { specAt } from './schema';

export const TRL_VERSION = '1.13.0';
export const TRANSFORMERS_VERSION = '5.18.0';
/** accelerate and datasets as the export was run with them (scripts/device/trl-check.sh). */
export const ACCELERATE_VERSION = '1.15.0';
export const DATASETS_VERSION = '5.0.1';
/** PEFT as our adapters were exchanged with it, on transformers 5.18.0 (test/fixtures/peft, provenance in peft_logits.json). */
export const PEFT_VERSION = '0.21.0';

/** The modules train.py imports: torch and TRL's stack, and peft for a LoRA experiment. */
export const TRL_MODULES = ['torch', 'transformers', 'trl', 'accelerate', 'datasets'] as const;
export const modulesFor = (lora: boolean): string[] => [...TRL_MODULES, ...(lora ? ['peft'] : [])];

/** A Python program that prints `{"version": "3.x.y", "missing": [...]}`: the modules of `modules` it cannot find. */
export const probeScript = (modules: readonly string[]): string =>
  `import importlib.util, json, sys; print(json.dumps({"version": sys.version.split()[0], "missing": [m for m in ${JSON.stringify(modules)} if importlib.util.find_spec(m) is None]}))`;

export interface ProbeInfo { version: string; missing: string[] }

/** The probe's last stdout line, validated (missing names only from `asked`); undefined when it is not the probe's output. */
export function parseProbe(stdout: string, asked: readonly string[]): ProbeInfo | undefined {
  let v: unknown;
  try {
    v = JSON.parse(stdout.trim().split('\n').pop() ?? '');
  } catch {
    return undefined;
  }
  const o = v as { version?: unknown; missing?: unknown };
  if (!v || typeof v !== 'object' || typeof o.version !== 'string' || !Array.isArray(o.missing)) return undefined;
  if (!o.missing.every((m): m is string => typeof m === 'string' && asked.includes(m))) return undefined;
  return { version: o.version, missing: o.missing };
}

/** The pip command that installs what the export's requirements.txt pins (peft for LoRA). */
export const installCommand = (python: string, lora = false): string =>
  `${python} -m pip install trl==${TRL_VERSION} transformers==${TRANSFORMERS_VERSION} accelerate==${ACCELERATE_VERSION} datasets==${DATASETS_VERSION} torch${lora ? ` peft==${PEFT_VERSION}` : ''}`;

/** The error for a Python that lacks modules: which, for what, and the install command. */
export const lacksMessage = (python: string, info: ProbeInfo, lora: boolean): string =>
  `${python} (Python ${info.version}) lacks ${info.missing.join(', ')}, needed by --engine trl${info.missing.includes('peft') ? ' (peft: the adapter: section trains LoRA)' : ''}. Install with: ${installCommand(python, lora)}`;

export const notFoundMessage = (python: string, lora: boolean): string =>
  `Python not found: "${python}". Install Python 3.10 or newer, then set the orpoLab.pythonPath setting (or --python) to it, and run: ${installCommand(python, lora)}`;

/** Whether a parsed config (YAML value) trains a LoRA adapter, TRL's use_peft included: train.py then needs peft. */
export function needsPeft(raw: unknown): boolean {
  const v = canonicalize(raw, (p) => specAt(p) !== undefined).value as { adapter?: unknown; model?: { adapter?: unknown } } | undefined;
  return (v?.adapter !== undefined && v.adapter !== null) || (v?.model?.adapter !== undefined && v.model.adapter !== null);
}

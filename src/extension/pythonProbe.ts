// Whether the configured Python (orpoLab.pythonPath, else python3) can run an experiment on TRL
// (issue 14): one probe call for every module train.py imports (torch, transformers, trl, accelerate,
// datasets, and peft for a LoRA experiment; src/common/pythonProbe.ts), then the decision Start ORPO
// Run makes from it: offer the TRL engine when trl is there, and when something else is missing say
// what, with the exact pip command, rather than start a run that fails. No vscode.
import { execFile } from 'node:child_process';
import { installCommand, lacksMessage, modulesFor, notFoundMessage, parseProbe, probeScript, type ProbeInfo } from '../common/pythonProbe';

export type PythonCheck =
  | { kind: 'absent' } // no such executable
  | { kind: 'broken'; detail: string } // it ran, but not as Python 3 with the probe's output
  | { kind: 'ok'; info: ProbeInfo };

/** Runs the probe once with `python`. Never rejects. */
export function probePython(python: string, lora: boolean, timeoutMs = 15_000): Promise<PythonCheck> {
  const modules = modulesFor(lora);
  return new Promise((resolve) => {
    execFile(python, ['-c', probeScript(modules)], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ kind: 'absent' });
      const info = parseProbe(stdout, modules);
      resolve(info ? { kind: 'ok', info } : { kind: 'broken', detail: (stderr || stdout || (err?.message ?? '')).trim().slice(0, 300) });
    });
  });
}

export type TrlChoice =
  | { offer: false; why: string } // ORPO Lab's engine only, without asking
  | { offer: true; missing: string[]; problem?: string; install: string };

/** What Start ORPO Run offers for this probe: the TRL engine when trl is found, with what else is missing. */
export function trlChoice(check: PythonCheck, python: string, lora: boolean): TrlChoice {
  const install = installCommand(python, lora);
  switch (check.kind) {
    case 'absent':
      return { offer: false, why: notFoundMessage(python, lora) };
    case 'broken':
      return { offer: false, why: `"${python}" did not run as Python 3: ${check.detail}` };
    case 'ok': {
      const { missing } = check.info;
      if (missing.includes('trl')) return { offer: false, why: lacksMessage(python, check.info, lora) };
      return missing.length ? { offer: true, missing, problem: lacksMessage(python, check.info, lora), install } : { offer: true, missing, install };
    }
    default: {
      const never: never = check;
      throw new Error(`unhandled probe ${JSON.stringify(never)}`);
    }
  }
}

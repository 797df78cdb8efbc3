// Whether a Python can run `orpo-lab train --engine trl` (issue 14): "Start ORPO Run" offers the TRL
// engine only when the configured Python (orpoLab.pythonPath, else python3) has trl and accelerate.
// The same probe the engine runs (importlib.util.find_spec, no import of the heavy packages). No vscode.
import { execFile } from 'node:child_process';

const PROBE = 'import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in ("trl", "accelerate", "transformers", "torch")) else 3)';

/** Resolves true when `python` runs and finds trl, accelerate, transformers and torch. Never rejects. */
export function hasTrl(python: string, timeoutMs = 15_000): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ['-c', PROBE], { timeout: timeoutMs }, (err) => resolve(!err));
  });
}

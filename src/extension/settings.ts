// The extension's settings (package.json contributes.configuration, section "orpoLab") and the
// engine launcher built from them.
import * as vscode from 'vscode';
import { engineLauncher } from './launcher';
import type { EngineLauncher } from './runManager';

export interface LabSettings {
  nodePath: string;
  /** Python for `--engine trl`; '' = python3. */
  pythonPath: string;
  runsDirectories: string[];
  /** The --backend override; empty: use the config's. */
  backend: string;
  stopTimeoutSeconds: number;
}

export function readSettings(): LabSettings {
  const c = vscode.workspace.getConfiguration('orpoLab');
  return {
    nodePath: c.get<string>('nodePath', '').trim(),
    pythonPath: c.get<string>('pythonPath', '').trim(),
    runsDirectories: c.get<string[]>('runsDirectories', []).filter((s) => typeof s === 'string' && s.trim() !== ''),
    // `config` (and the empty string older settings may hold) means: use the config's own backend.
    backend: ['config', ''].includes(c.get<string>('backend', 'config').trim()) ? '' : c.get<string>('backend', 'config').trim(),
    stopTimeoutSeconds: Math.max(1, c.get<number>('stopTimeoutSeconds', 60)),
  };
}

/** The engine bundle inside the installed extension. */
export function enginePath(context: vscode.ExtensionContext): string {
  return context.asAbsolutePath('dist/engine/cli.js');
}

/** A launcher reading the settings at each start, so a changed node path applies to the next run. */
export function settingsLauncher(context: vscode.ExtensionContext): EngineLauncher {
  return (args, cwd) => {
    const s = readSettings();
    return engineLauncher({ enginePath: enginePath(context), ...(s.nodePath ? { nodePath: s.nodePath } : {}) })(args, cwd);
  };
}

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
  backend: string;
  stopTimeoutSeconds: number;
}

export function readSettings(): LabSettings {
  const c = vscode.workspace.getConfiguration('orpoLab');
  return {
    nodePath: c.get<string>('nodePath', '').trim(),
    pythonPath: c.get<string>('pythonPath', '').trim(),
    runsDirectories: c.get<string[]>('runsDirectories', []).filter((s) => typeof s === 'string' && s.trim() !== ''),
    backend: c.get<string>('backend', ''),
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

// The extension's settings (package.json contributes.configuration, section "orpoLab") and the
// engine launcher built from them.
import * as vscode from 'vscode';
import { join } from 'node:path';
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

/** Where "Install CUDA Backend" installs @tensorflow/tfjs-node-gpu (npm install --prefix). */
export function cudaFolder(context: vscode.ExtensionContext): string {
  return join(context.globalStorageUri.fsPath, 'cuda');
}

/** What the engine is told: the CUDA backend's folder, and where `auto` caches its timings. */
export function engineEnv(context: vscode.ExtensionContext): Record<string, string> {
  return { ORPO_LAB_CUDA_DIR: cudaFolder(context), ORPO_LAB_CACHE_DIR: context.globalStorageUri.fsPath };
}

/** A launcher reading the settings at each start, so a changed node path applies to the next run. */
export function settingsLauncher(context: vscode.ExtensionContext): EngineLauncher {
  return (args, cwd) => {
    const s = readSettings();
    return engineLauncher({ enginePath: enginePath(context), env: engineEnv(context), ...(s.nodePath ? { nodePath: s.nodePath } : {}) })(args, cwd);
  };
}

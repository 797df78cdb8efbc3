// "ORPO Lab: Install CUDA Backend" (issue 11 §6): @tensorflow/tfjs-node-gpu into the extension's global
// storage with the user's npm (cudaInstall.ts), with a progress notification, then one engine step on
// it to say whether libtensorflow really uses the GPU. Runs pass the folder to the engine (settings.ts).
import * as vscode from 'vscode';
import { mkdirSync } from 'node:fs';
import { runEngineOnce } from './launcher';
import type { EngineLauncher } from './runManager';
import { afterInstall, CHECK_ARGS, CUDA_PACKAGE, CUDA_VERSION, findNpm, installCuda, parseCheck } from './cudaInstall';
import { cudaFolder, readSettings } from './settings';

export function registerCudaCommand(context: vscode.ExtensionContext, launch: EngineLauncher, log: vscode.OutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand('orpoLab.installCudaBackend', () => vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Installing ${CUDA_PACKAGE}@${CUDA_VERSION}`, cancellable: false },
    async (progress) => {
      const dir = cudaFolder(context);
      mkdirSync(dir, { recursive: true });
      const npm = findNpm(readSettings().nodePath);
      log.appendLine(`[cuda] installing ${CUDA_PACKAGE}@${CUDA_VERSION} into ${dir} with ${npm?.what ?? 'no npm'}`);
      progress.report({ message: 'npm install (libtensorflow is about 400 MB)…' });
      const r = await installCuda(npm, dir, (line) => {
        log.appendLine(`[cuda] ${line}`);
        progress.report({ message: line.slice(0, 100) });
      });
      if (!r.ok) {
        log.appendLine(`[cuda] ${r.message}`);
        void vscode.window.showErrorMessage(r.message, 'Show Log').then((a) => { if (a) log.show(); });
        return;
      }
      progress.report({ message: 'checking that libtensorflow uses the GPU…' });
      let check: { device?: string; error?: string };
      try {
        check = parseCheck(await runEngineOnce(launch, CHECK_ARGS, dir, 300_000));
      } catch (e) {
        check = { error: e instanceof Error ? e.message : String(e) };
      }
      const after = afterInstall(check.device, check.error);
      log.appendLine(`[cuda] ${after.message}`);
      if (after.ok) void vscode.window.showInformationMessage(after.message);
      else void vscode.window.showWarningMessage(after.message, 'Show Log').then((a) => { if (a) log.show(); });
    },
  ));
}

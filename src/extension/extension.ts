// The ORPO Lab extension's entry point (VS Code Extension API: activate/deactivate). Wires the run
// manager (engine child processes), the Runs view, run feedback, the commands, the dashboard and the
// language client for *.orpo.yaml. Activation is lazy (package.json activationEvents plus the implicit
// command/view events) and timed: the time is logged, kept for the "Show ORPO Lab activation time"
// command, and appended as JSON to $ORPO_LAB_ACTIVATION_LOG when that is set (for benchmarks and e2e).
import * as vscode from 'vscode';
import { appendFileSync } from 'node:fs';
import { registerDashboard } from './dashboard/index';
import { RunFeedback } from './feedback';
import { SectionedLog } from './runLog';
import { startLanguageClient } from './languageClient';
import { registerRunCommands, type Dashboard } from './runCommands';
import { RunManager } from './runManager';
import { OutcomeStore, RunsTreeProvider, type RunNode } from './runsView';
import { readSettings, settingsLauncher } from './settings';
import { resumeRun } from './startRun';
import { registerSweepCommands } from './sweep';
import { registerTasks } from './tasks';
import { openExample } from './example';
import { pickFile } from './pickFile';
import { registerCudaCommand } from './cudaCommand';

// performance.now() counts from the extension host's start; this marks when this bundle was evaluated.
const moduleLoadedAt = performance.now();
let manager: RunManager | undefined;
let activation: { activateMs: number; sinceModuleLoadMs: number; hostUptimeMs: number } | undefined;

export function activate(context: vscode.ExtensionContext): { activationTime: () => typeof activation } {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('ORPO Lab');
  context.subscriptions.push(log);

  const launch = settingsLauncher(context);
  manager = new RunManager({ launch, stopGraceMs: readSettings().stopTimeoutSeconds * 1000 });
  const m = manager;
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('orpoLab.stopTimeoutSeconds')) log.appendLine('orpoLab.stopTimeoutSeconds applies after a window reload.');
  }));

  const outcomes = new OutcomeStore(context.workspaceState);
  const runs = new RunsTreeProvider(m, outcomes);
  const view = vscode.window.createTreeView('orpoLab.runs', { treeDataProvider: runs, canSelectMany: true, showCollapseAll: false });
  runs.setVisible(view.visible);
  context.subscriptions.push(runs, view);
  context.subscriptions.push(view.onDidChangeVisibility((e) => {
    runs.setVisible(e.visible);
    if (e.visible) runs.scheduleRefresh(0);
  }));

  const problems = vscode.languages.createDiagnosticCollection('orpo-lab-validate');
  context.subscriptions.push(problems);
  // Engine problems shown for a config go stale as soon as it changes; the language server takes over.
  context.subscriptions.push(vscode.workspace.onDidChangeTextDocument((e) => problems.delete(e.document.uri)));

  // A dashboard that finds its run's folder gone has the Runs view look again (it drops the folder).
  const dashboard: Dashboard = registerDashboard(context, (dir) => runs.dropGone(dir));
  const startDeps = { manager: m, launch, log, problems };
  const feedback = new RunFeedback(m, outcomes, {
    openDashboard: (dirs) => dashboard.show(dirs),
    resume: async (run) => { if (run.runDir) await resumeRun(startDeps, run.runDir, run.started?.config ?? (run.configPath.endsWith('config.yaml') ? undefined : run.configPath)); },
  }, new SectionedLog(log));
  context.subscriptions.push(feedback);
  // The side-bar dashboard follows the newest run as soon as it starts.
  const follow = m.subscribe({ event: (_run, e) => { if (e.type === 'started') dashboard.show([e.run_dir]); } });
  context.subscriptions.push({ dispose: follow });
  context.subscriptions.push(...registerRunCommands({ ...startDeps, runs, feedback, dashboard, view: view as vscode.TreeView<RunNode> }));
  context.subscriptions.push(...registerSweepCommands(context, { ...startDeps, changed: () => runs.scheduleRefresh(300) }));
  context.subscriptions.push(vscode.commands.registerCommand('orpoLab.showActivationTime', () => {
    const a = activation;
    const text = a ? `ORPO Lab activated in ${a.activateMs.toFixed(1)} ms (activate()), ${a.sinceModuleLoadMs.toFixed(1)} ms since the bundle was evaluated.` : 'ORPO Lab is still activating.';
    void vscode.window.showInformationMessage(text);
    return a;
  }));

  context.subscriptions.push(registerTasks(context));
  context.subscriptions.push(registerCudaCommand(context, launch, log));
  context.subscriptions.push(vscode.commands.registerCommand('orpoLab.openExample', (which: unknown) => openExample(context, which)));
  context.subscriptions.push(vscode.commands.registerCommand('orpoLab.pickFile', (uri: unknown, arg: unknown) => pickFile(uri, arg)));
  // The language server starts in the background: activation does not wait for it.
  startLanguageClient(context, log).catch((e: unknown) => log.appendLine(`language client failed to start: ${e instanceof Error ? e.message : String(e)}`));
  runs.scheduleRefresh(0);

  const t1 = performance.now();
  activation = { activateMs: t1 - t0, sinceModuleLoadMs: t1 - moduleLoadedAt, hostUptimeMs: t1 };
  log.appendLine(`ORPO Lab activated in ${activation.activateMs.toFixed(1)} ms (${activation.sinceModuleLoadMs.toFixed(1)} ms since the bundle was evaluated)`);
  const file = process.env.ORPO_LAB_ACTIVATION_LOG;
  if (file) {
    try {
      appendFileSync(file, JSON.stringify({ ...activation, time: new Date().toISOString(), vscode: vscode.version }) + '\n');
    } catch (e) {
      log.appendLine(`could not write ${file}: ${String(e)}`);
    }
  }
  return { activationTime: () => activation };
}

/** Asks live runs to stop (each checkpoints) so closing VS Code loses no training. */
export async function deactivate(): Promise<void> {
  await manager?.stopAll();
}

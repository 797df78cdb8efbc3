// The commands that act on runs (palette and the Runs view's context menu): stop, resume, open
// dashboard, compare, open config, reveal checkpoint, delete (runDelete.ts), show log, refresh, and
// "New ORPO experiment". Each takes a Runs view row, a run folder, or nothing (then it asks; resume
// and delete always ask with a quick pick, even for one candidate).
import * as vscode from 'vscode';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { RunManager } from './runManager';
import { deleteRunFolder } from './runDelete';
import { deletable, liveRow as liveNode, progressText, resumable } from './runRows';
import type { RunFeedback } from './feedback';
import type { RunNode, RunsTreeProvider } from './runsView';
import { resumeRun, startRun, type StartDeps } from './startRun';
import { measureData } from './dataStats';
import { experimentName, experimentTemplate } from './template';

export interface Dashboard {
  show(runDirs: string[], opts?: { panel?: boolean }): void;
}

export interface CommandDeps extends StartDeps {
  manager: RunManager;
  runs: RunsTreeProvider;
  feedback: RunFeedback;
  dashboard: Dashboard;
  view: vscode.TreeView<RunNode>;
}

function isNode(v: unknown): v is RunNode {
  return typeof v === 'object' && v !== null && 'key' in v && 'status' in v;
}

function pickItem(n: RunNode) {
  return { label: n.name, description: `${n.status} · ${progressText(n)}`, detail: n.dir, n };
}

/**
 * A row from the argument (a row, or a run folder), else from a quick pick over `filter`. With
 * `alwaysAsk` the quick pick shows even for a single candidate: the palette never picks silently.
 */
async function nodeFor(deps: CommandDeps, arg: unknown, title: string, filter: (n: RunNode) => boolean, alwaysAsk = false): Promise<RunNode | undefined> {
  if (isNode(arg)) return arg;
  if (typeof arg === 'string') return deps.runs.rowOf(arg);
  await deps.runs.refresh();
  const candidates = deps.runs.list().filter(filter);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`${title}: no matching ORPO run.`);
    return undefined;
  }
  if (candidates.length === 1 && !alwaysAsk) return candidates[0];
  const pick = await vscode.window.showQuickPick(candidates.map(pickItem), { title, placeHolder: 'Pick a run folder' });
  return pick?.n;
}

export function registerRunCommands(deps: CommandDeps): vscode.Disposable[] {
  const reg = (id: string, f: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(id, f);
  return [
    reg('orpoLab.startRun', (arg) => startRun(deps, arg)),
    reg('orpoLab.stopRun', async (arg) => {
      const n = await nodeFor(deps, arg, 'Stop ORPO run', liveNode);
      if (n?.live && liveNode(n)) deps.manager.stop(n.live.id);
    }),
    reg('orpoLab.resumeRun', async (arg) => {
      // resumeRun checks the folder again against the disk and the manager: a row may be older than the run.
      const n = await nodeFor(deps, arg, 'Resume ORPO run', resumable, true);
      const dir = n?.dir ?? (typeof arg === 'string' ? arg : undefined);
      if (dir) await resumeRun(deps, dir, n ? deps.runs.sourceConfigFor(n) : undefined);
      else if (n) void vscode.window.showInformationMessage(`Not resuming ${n.name}: it has no run folder yet.`);
    }),
    reg('orpoLab.openDashboard', async (arg) => {
      // "Open ORPO dashboard" opens the side view's dashboard as an editor panel, for room.
      if (typeof arg === 'string') return deps.dashboard.show([arg], { panel: true });
      if (isNode(arg)) return deps.dashboard.show(arg.dir ? [arg.dir] : [], { panel: true });
      await deps.runs.refresh();
      const all = deps.runs.list().filter((n) => n.dir);
      const live = all.filter(liveNode);
      deps.dashboard.show((live.length > 0 ? live : all.slice(0, 1)).map((n) => n.dir as string), { panel: true });
    }),
    reg('orpoLab.compareRuns', async (arg, selected) => {
      const chosen = Array.isArray(selected) ? selected.filter(isNode) : [];
      if (chosen.length < 2) {
        await deps.runs.refresh();
        const items = deps.runs.list().filter((n) => n.dir).map((n) => ({ label: n.name, description: n.status, detail: n.dir, n, picked: isNode(arg) && arg.key === n.key }));
        const picks = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Compare ORPO runs', placeHolder: 'Pick two or more runs' });
        if (!picks || picks.length === 0) return;
        chosen.splice(0, chosen.length, ...picks.map((p) => p.n));
      }
      deps.dashboard.show(chosen.map((n) => n.dir).filter((d): d is string => d !== undefined), { panel: true });
    }),
    reg('orpoLab.openConfig', async (arg) => {
      const n = await nodeFor(deps, arg, 'Open run config', (x) => x.dir !== undefined);
      const file = n?.live?.started?.config ?? (n?.dir ? join(n.dir, 'config.yaml') : undefined);
      if (file) await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    }),
    reg('orpoLab.revealCheckpoint', async (arg) => {
      const n = await nodeFor(deps, arg, 'Reveal latest checkpoint', (x) => (x.past?.checkpoints.length ?? 0) > 0);
      const path = n?.past?.checkpoints.at(-1)?.path ?? n?.live?.lastCheckpoint;
      if (!path) { void vscode.window.showInformationMessage('This run has no checkpoint yet.'); return; }
      const uri = vscode.Uri.file(path);
      // Inside the workspace the Explorer can show it (also in code-server); elsewhere the OS file manager.
      const inside = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
      await vscode.commands.executeCommand(inside ? 'revealInExplorer' : 'revealFileInOS', uri);
    }),
    reg('orpoLab.deleteRun', async (arg) => {
      const n = await nodeFor(deps, arg, 'Delete ORPO run', deletable, true);
      if (n?.dir) await deleteRunFolder(deps, n.dir);
    }),
    reg('orpoLab.showRunLog', (arg) => {
      if (isNode(arg) && arg.live && deps.feedback.showLog(arg.live.id)) return;
      deps.log.show(true);
    }),
    reg('orpoLab.refreshRuns', () => deps.runs.refresh()),
    reg('orpoLab.newExperiment', () => newExperiment()),
  ];
}

/** Scaffolds `<name>.orpo.yaml` next to the workspace root (or the data file), pointing at the picked data. */
async function newExperiment(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const data = await vscode.window.showOpenDialog({
    title: 'New ORPO experiment: pick the preference data',
    canSelectMany: false,
    openLabel: 'Use this data',
    filters: { 'Preference pairs': ['jsonl', 'json', 'gz', 'parquet'], 'All files': ['*'] },
    ...(folder ? { defaultUri: folder.uri } : {}),
  });
  const dataUri = data?.[0];
  if (!dataUri) return;
  const targetDir = folder && !relative(folder.uri.fsPath, dataUri.fsPath).startsWith('..') ? folder.uri.fsPath : dirname(dataUri.fsPath);
  const name = await vscode.window.showInputBox({
    title: 'New ORPO experiment',
    prompt: 'Experiment name (the config is <name>.orpo.yaml; runs are called <name>-<timestamp>)',
    value: experimentName(basename(dataUri.fsPath)),
    validateInput: (v) => (/^[A-Za-z0-9._-]+$/.test(v) ? undefined : 'Use letters, digits, dot, dash and underscore.'),
  });
  if (!name) return;
  const target = vscode.Uri.file(join(targetDir, `${name}.orpo.yaml`));
  const exists = await vscode.workspace.fs.stat(target).then(() => true, () => false);
  if (exists) {
    const ok = await vscode.window.showWarningMessage(`${basename(target.fsPath)} exists. Overwrite it?`, { modal: true }, 'Overwrite');
    if (ok !== 'Overwrite') return;
  }
  const dataPath = relative(targetDir, dataUri.fsPath).split(sep).join('/');
  const stats = measureData(dataUri.fsPath);
  await vscode.workspace.fs.writeFile(target, Buffer.from(experimentTemplate({ name, dataPath, ...(stats ? { stats } : {}) }), 'utf8'));
  await vscode.window.showTextDocument(target, { preview: false });
}

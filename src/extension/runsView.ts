// The Runs view (tree view `orpoLab.runs` in the ORPO Lab activity-bar container): every run under the
// runs directories, live and past, with its status, progress and key metrics in the tooltip. Live
// state comes from the run manager, past runs from run discovery. Follows VS Code's TreeDataProvider API
// (https://code.visualstudio.com/api/extension-guides/tree-view).
import * as vscode from 'vscode';
import { dirname, isAbsolute, join } from 'node:path';
import { configNameOf, discoverRuns, formatNumber, keyMetricLines, outputDirOf, type PastStatus, type RunSummary } from './runDiscovery';
import { isLive, type RunManager, type RunState, type RunStatus } from './runManager';
import { readSettings } from './settings';

/** One row of the view: a live run (maybe without a directory yet), a past run, or both merged. */
export interface RunNode {
  key: string;
  name: string;
  dir?: string;
  status: RunStatus | PastStatus;
  live?: RunState;
  past?: RunSummary;
}

/** Outcomes of runs that ended while VS Code watched them, kept in workspace state. */
export class OutcomeStore {
  private static readonly KEY = 'orpoLab.outcomes';
  constructor(private readonly memento: vscode.Memento) {}
  get(dir: string): PastStatus | undefined {
    return this.all()[dir];
  }
  all(): Record<string, PastStatus> {
    return this.memento.get<Record<string, PastStatus>>(OutcomeStore.KEY, {});
  }
  async set(dir: string, status: PastStatus | undefined): Promise<void> {
    const next = { ...this.all() };
    if (status) next[dir] = status;
    else delete next[dir];
    await this.memento.update(OutcomeStore.KEY, next);
  }
}

const ICONS: Record<RunNode['status'], [string, string?]> = {
  starting: ['loading~spin'],
  running: ['sync~spin', 'charts.blue'],
  stopping: ['loading~spin', 'charts.yellow'],
  completed: ['pass', 'charts.green'],
  stopped: ['debug-pause', 'charts.yellow'],
  failed: ['error', 'charts.red'],
  incomplete: ['circle-large-outline'],
};

export class RunsTreeProvider implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private nodes: RunNode[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Workspace configs by the runs directory they write into (from the last refresh). */
  private configsByOutput = new Map<string, { path: string; name?: string }[]>();

  constructor(private readonly manager: RunManager, private readonly outcomes: OutcomeStore) {
    this.disposables.push(this.changed);
    const off = manager.subscribe({ change: () => this.scheduleRefresh(500), exit: () => this.scheduleRefresh(0) });
    this.disposables.push({ dispose: off });
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{orpo.yaml,orpo.yml}');
    watcher.onDidCreate(() => this.scheduleRefresh(200));
    watcher.onDidDelete(() => this.scheduleRefresh(200));
    this.disposables.push(watcher);
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('orpoLab.runsDirectories')) this.scheduleRefresh(0); }));
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.disposables.forEach((d) => { d.dispose(); });
  }

  /** The current rows (after the last refresh). */
  list(): readonly RunNode[] {
    return this.nodes;
  }

  scheduleRefresh(delayMs: number): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh().catch((e: unknown) => console.error('orpo-lab: refreshing runs failed', e));
    }, delayMs);
  }

  async refresh(): Promise<void> {
    const past = await discoverRuns(await this.runsDirectories(), (d) => this.outcomes.get(d));
    const nodes: RunNode[] = [];
    const byDir = new Map<string, RunNode>();
    for (const live of this.manager.list()) {
      const node: RunNode = { key: live.id, name: live.name ?? live.configPath.replace(/^.*[\\/]/, ''), status: live.status, live };
      if (live.runDir) { node.dir = live.runDir; byDir.set(live.runDir, node); }
      nodes.push(node);
    }
    for (const p of past) {
      const merged = byDir.get(p.dir);
      if (merged) { merged.past = p; continue; }
      nodes.push({ key: p.dir, name: p.dir.replace(/^.*[\\/]/, ''), dir: p.dir, status: p.status, past: p });
    }
    // Live ones first, then the newest past runs.
    for (const n of nodes) if (n.dir && n.live) n.name = n.dir.replace(/^.*[\\/]/, '');
    this.nodes = [...nodes.filter((n) => n.live && isLive(n.live)), ...nodes.filter((n) => !(n.live && isLive(n.live)))];
    this.changed.fire(undefined);
  }

  /** The configured folders, each config's output_dir, and the parents of known runs. */
  async runsDirectories(): Promise<string[]> {
    const dirs = new Set<string>();
    const settings = readSettings();
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      for (const d of settings.runsDirectories) dirs.add(isAbsolute(d) ? d : join(f.uri.fsPath, d));
    }
    const configs = await vscode.workspace.findFiles('**/*.{orpo.yaml,orpo.yml}', '**/node_modules/**', 500);
    const byOutput = new Map<string, { path: string; name?: string }[]>();
    for (const uri of configs) {
      const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
      const out = outputDirOf(uri.fsPath, text);
      dirs.add(out);
      const name = configNameOf(text);
      byOutput.set(out, [...(byOutput.get(out) ?? []), { path: uri.fsPath, ...(name ? { name } : {}) }]);
    }
    this.configsByOutput = byOutput;
    for (const r of this.manager.list()) if (r.runDir) dirs.add(dirname(r.runDir));
    for (const d of Object.keys(this.outcomes.all())) dirs.add(dirname(d));
    return [...dirs];
  }

  /**
   * The config a run came from, for resuming: the one the engine reported, else a workspace config with
   * the run's name writing into the run's parent directory. The run's own config.yaml keeps paths
   * relative to the original config, so it is only the last resort.
   */
  sourceConfigFor(n: RunNode): string | undefined {
    if (n.live?.started?.config) return n.live.started.config;
    if (!n.dir) return undefined;
    const candidates = this.configsByOutput.get(dirname(n.dir)) ?? [];
    return (candidates.find((c) => c.name !== undefined && c.name === n.past?.name) ?? (candidates.length === 1 ? candidates[0] : undefined))?.path;
  }

  getChildren(element?: RunNode): RunNode[] {
    return element ? [] : this.nodes;
  }

  getTreeItem(n: RunNode): vscode.TreeItem {
    const item = new vscode.TreeItem(n.name, vscode.TreeItemCollapsibleState.None);
    item.id = n.key;
    const step = n.live?.step ?? n.past?.lastStep ?? 0;
    const total = n.live?.totalSteps ?? n.past?.totalSteps;
    item.description = `${n.status} · ${total ? `${step}/${total}` : `step ${step}`}`;
    const [icon, color] = ICONS[n.status];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.tooltip = tooltip(n);
    item.contextValue = contextValue(n);
    if (n.dir) {
      item.resourceUri = vscode.Uri.file(n.dir);
      item.command = { command: 'orpoLab.openDashboard', title: 'Open ORPO dashboard', arguments: [n] };
    }
    return item;
  }
}

/** Flags the package.json menus test with `viewItem =~ /\bflag\b/`. */
export function contextValue(n: RunNode): string {
  const flags = ['orpoRun'];
  const live = n.live !== undefined && isLive(n.live);
  flags.push(live ? 'live' : 'past');
  const checkpoints = n.past?.checkpoints.length ?? 0;
  if (checkpoints > 0 || n.live?.lastCheckpoint) flags.push('checkpoint');
  if (!live && n.dir && checkpoints > 0 && n.status !== 'completed') flags.push('resumable');
  if (n.live) flags.push('haslog');
  return flags.join(' ');
}

function tooltip(n: RunNode): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${n.name}** — ${n.status}\n\n`);
  const method = n.live?.started?.method ?? n.past?.method;
  const step = n.live?.step ?? n.past?.lastStep ?? 0;
  const total = n.live?.totalSteps ?? n.past?.totalSteps;
  const lines = [`step ${step}${total ? ` of ${total}` : ''}${method ? ` · ${method}` : ''}`];
  if (n.live?.started) lines.push(`backend ${n.live.started.backend} (${n.live.started.device})`);
  lines.push(...keyMetricLines(n.live?.lastTrain ?? n.past?.lastTrain, n.live?.lastEval ?? n.past?.lastEval));
  const ck = n.past?.checkpoints.at(-1);
  if (ck) lines.push(`last checkpoint: step ${ck.step}`);
  if (n.live?.finished) lines.push(`wall time ${formatNumber(n.live.finished.wall_s)} s`);
  if (n.live?.failure) lines.push(`failure: ${n.live.failure.split('\n')[0] ?? ''}`);
  if (n.dir) lines.push(n.dir);
  md.appendCodeblock(lines.join('\n'), 'text');
  return md;
}

// The Runs view (tree view `orpoLab.runs` in the ORPO Lab activity-bar container): every run folder
// under the runs directories, live and past, with its status, progress and key metrics in the tooltip.
// One row per folder (runRows.ts merges the run manager's latest state for a folder into it), live
// runs first, then newest first. A sweep's variants sit under one collapsible sweep row with its
// overall progress (sweepRows.ts). Follows VS Code's TreeDataProvider API
// (https://code.visualstudio.com/api/extension-guides/tree-view).
import * as vscode from 'vscode';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { configNameOf, discoverRuns, formatNumber, keyMetricLines, outputDirOf, type PastStatus } from './runDiscovery';
import { isLive, type RunManager } from './runManager';
import { discoverSweeps, groupSweeps, isSweepGroup, sweepProgress, type SweepGroup, type TreeRow } from './sweepRows';
import { contextValue, progressText, runRows, type RunNode } from './runRows';
import { readSettings } from './settings';

export { contextValue, type RunNode };

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

/** How often a visible Runs view reads the runs directories again. */
const RUNS_POLL_MS = 5000;

const ICONS: Record<RunNode['status'], [string, string?]> = {
  starting: ['loading~spin'],
  running: ['sync~spin', 'charts.blue'],
  stopping: ['loading~spin', 'charts.yellow'],
  completed: ['pass', 'charts.green'],
  stopped: ['debug-pause', 'charts.yellow'],
  failed: ['error', 'charts.red'],
  incomplete: ['circle-large-outline'],
};

export class RunsTreeProvider implements vscode.TreeDataProvider<TreeRow>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeRow | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private nodes: RunNode[] = [];
  /** The top level: runs, and sweeps holding their variants' rows. */
  private roots: TreeRow[] = [];
  /** signature() of the rows VS Code was last told about. */
  private shown = '';
  private generation = 0;
  private latest: Promise<void> = Promise.resolve();
  private refreshTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
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
    // A shown run folder deleted outside VS Code (a terminal, the Explorer) leaves the view at once.
    const deletions = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
    deletions.onDidDelete((uri) => { if (this.shows(uri.fsPath)) this.scheduleRefresh(200); });
    this.disposables.push(deletions);
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('orpoLab.runsDirectories')) this.scheduleRefresh(0); }));
  }

  /**
   * While the view is visible the disk is read again every few seconds: runs that other processes or
   * machines write (a TRL run on a cluster, into a mounted or synced folder) appear and advance though
   * nothing here reports them. Hidden, the view costs nothing.
   */
  setVisible(visible: boolean): void {
    if (visible && !this.pollTimer) this.pollTimer = setInterval(() => this.scheduleRefresh(0), RUNS_POLL_MS);
    else if (!visible && this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.setVisible(false);
    this.disposables.forEach((d) => { d.dispose(); });
  }

  /** A folder found gone (e.g. by a dashboard): looks again if a row still shows it. */
  dropGone(dir: string): void {
    if (this.shows(dir)) this.scheduleRefresh(0);
  }

  /** Whether a row's folder is `path` or lies under it. */
  private shows(path: string): boolean {
    const p = resolve(path);
    return this.nodes.some((n) => n.dir !== undefined && (n.dir === p || n.dir.startsWith(p + sep)));
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

  /**
   * Reads the disk and the manager again. Refreshes may overlap (a timer and a command): only the one
   * started last applies its rows, and an older one resolves when that one has, so an answer read
   * before a delete can never bring the deleted folder back.
   */
  refresh(): Promise<void> {
    const generation = ++this.generation;
    this.latest = this.load(generation);
    return this.latest;
  }

  private async load(generation: number): Promise<void> {
    const dirs = await this.runsDirectories();
    const sweeps = await discoverSweeps(dirs);
    const past = await discoverRuns(dirs, (d) => this.outcomes.get(d), sweeps.flatMap((s) => s.runDirs));
    if (generation !== this.generation) return this.latest;
    this.nodes = runRows(this.manager.list(), past);
    this.roots = groupSweeps(this.nodes, sweeps);
    // Tell VS Code only when what the view shows changed: the poll and the watchers refresh often, and a
    // burst of onDidChangeTreeData events can leave the workbench's tree showing an item twice for a
    // moment (microsoft/vscode#50336), which the e2e test once caught right after a delete.
    const shown = this.signature();
    if (shown === this.shown) return;
    this.shown = shown;
    this.changed.fire(undefined);
  }

  /** Everything the rows show (labels, descriptions, icons, tooltips, menus), in order, as one string. */
  private signature(): string {
    const all = this.roots.flatMap((r) => [r, ...(isSweepGroup(r) ? r.children : [])]);
    return JSON.stringify(all.map((r) => {
      const i = this.getTreeItem(r);
      const tip = i.tooltip instanceof vscode.MarkdownString ? i.tooltip.value : i.tooltip;
      return [i.id, i.label, i.description, i.contextValue, tip, i.iconPath instanceof vscode.ThemeIcon ? i.iconPath.id : '', i.collapsibleState];
    }));
  }

  /** The row of a folder after a fresh look at the disk and the manager. */
  async rowOf(dir: string): Promise<RunNode | undefined> {
    await this.refresh();
    const k = resolve(dir);
    return this.nodes.find((n) => n.key === k);
  }

  /** Drops what the window remembers of a deleted folder (manager states, recorded outcome). */
  async forget(dir: string): Promise<void> {
    this.manager.forgetDir(dir);
    await this.outcomes.set(dir, undefined);
    await this.refresh();
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

  getChildren(element?: TreeRow): TreeRow[] {
    if (!element) return this.roots;
    return isSweepGroup(element) ? element.children : [];
  }

  getTreeItem(n: TreeRow): vscode.TreeItem {
    if (isSweepGroup(n)) return sweepItem(n);
    const item = new vscode.TreeItem(n.name, vscode.TreeItemCollapsibleState.None);
    item.id = n.key;
    item.description = `${n.status} · ${progressText(n)}`;
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

/** A sweep's row: collapsible, its overall progress, "Open ORPO sweep view" on click. */
function sweepItem(g: SweepGroup): vscode.TreeItem {
  const item = new vscode.TreeItem(g.name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = g.key;
  item.description = `sweep · ${sweepProgress(g.sweep)}`;
  item.iconPath = new vscode.ThemeIcon(g.children.some((c) => c.live && isLive(c.live)) ? 'sync~spin' : 'list-tree');
  item.tooltip = `${g.dir}\n${sweepProgress(g.sweep)}`;
  item.contextValue = 'orpoSweep';
  item.resourceUri = vscode.Uri.file(g.dir);
  item.command = { command: 'orpoLab.openSweep', title: 'Open ORPO sweep view', arguments: [g.dir] };
  return item;
}

function tooltip(n: RunNode): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${n.name}** — ${n.status}\n\n`);
  const method = n.live?.started?.method ?? n.past?.method;
  const lines = [`${progressText(n).replace('/', ' of ').replace(/^(\d)/, 'step $1')}${method ? ` · ${method}` : ''}`];
  if (n.live?.started) lines.push(`backend ${n.live.started.backend} (${n.live.started.device})`);
  lines.push(...keyMetricLines(n.live?.lastTrain ?? n.past?.lastTrain, n.live?.lastEval ?? n.past?.lastEval));
  const ck = n.past?.checkpoints.at(-1);
  if (ck) lines.push(`last checkpoint: step ${ck.step}`);
  const final = n.live?.finished?.model_dir ?? n.past?.finalModel;
  if (final) lines.push(`final model (for model.from): ${final}`);
  if (n.live?.finished) lines.push(`wall time ${formatNumber(n.live.finished.wall_s)} s`);
  if (n.live?.failure) lines.push(`failure: ${n.live.failure.split('\n')[0] ?? ''}`);
  if (n.dir) lines.push(n.dir);
  md.appendCodeblock(lines.join('\n'), 'text');
  return md;
}

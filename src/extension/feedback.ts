// What a user sees while runs go: a cancellable progress notification per run (step/total, loss, ETA;
// cancelling stops the run, which checkpoints), a status bar item per running run, a section of the
// "ORPO Lab" output channel per run (named after its folder) carrying the engine's stderr, and a
// notification when a run ends (summary and "Open dashboard", or on a crash "Show log" and "Resume").
// VS Code UX guidelines for notifications and the status bar: https://code.visualstudio.com/api/ux-guidelines/overview
import * as vscode from 'vscode';
import { formatNumber } from './runDiscovery';
// Notifications and status bar items name the run folder (issue 12), or the config file before it exists.
import { runLabel } from './runRows';
import { etaSeconds, isLive, type RunManager, type RunState } from './runManager';
import type { SectionedLog, RunSection } from './runLog';
import type { OutcomeStore } from './runsView';

export interface FeedbackActions {
  openDashboard(runDirs: string[]): void;
  resume(run: RunState): Promise<void>;
}

interface RunUi {
  channel: RunSection;
  status?: vscode.StatusBarItem;
  progress?: vscode.Progress<{ message?: string; increment?: number }>;
  reported: number;
  resolveProgress?: () => void;
  /** What the progress notification's title calls the run (its title cannot change later). */
  titled?: string;
}

export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

export class RunFeedback implements vscode.Disposable {
  private readonly ui = new Map<string, RunUi>();
  private readonly unsubscribe: () => void;

  constructor(private readonly manager: RunManager, private readonly outcomes: OutcomeStore, private readonly actions: FeedbackActions, private readonly log: SectionedLog) {
    this.unsubscribe = manager.subscribe({
      change: (run) => this.update(run),
      stderr: (run, text) => this.get(run).channel.append(text),
      malformed: (run, line, error) => this.get(run).channel.appendLine(`[orpo-lab] skipped a stdout line that is not an event (${error}): ${line.slice(0, 200)}`),
      event: (run, e) => {
        const ch = this.get(run).channel;
        if (e.type === 'started') ch.appendLine(`[orpo-lab] ${e.name}: ${e.method} on ${e.backend} (${e.device}), steps ${e.start_step}..${e.total_steps}, run directory ${e.run_dir}`);
        else if (e.type === 'warning') ch.appendLine(`[orpo-lab] warning: ${e.message}`);
        else if (e.type === 'checkpoint') ch.appendLine(`[orpo-lab] checkpoint at step ${e.step}: ${e.path}`);
        else if (e.type === 'error') ch.appendLine(`[orpo-lab] error: ${e.message}`);
      },
      exit: (run) => { void this.ended(run); },
    });
  }

  dispose(): void {
    this.unsubscribe();
    for (const u of this.ui.values()) {
      u.status?.dispose();
      u.resolveProgress?.();
      u.channel.dispose();
    }
    this.ui.clear();
  }

  /** Shows the run's output channel, if this window started it. */
  showLog(runId: string): boolean {
    const u = this.ui.get(runId);
    u?.channel.show(true);
    return u !== undefined;
  }

  private get(run: RunState): RunUi {
    let u = this.ui.get(run.id);
    if (!u) {
      const label = run.configPath.replace(/^.*[\\/]/, '');
      u = { channel: this.log.section(() => run.runDir?.replace(/^.*[\\/]/, '') ?? label), reported: 0 };
      this.ui.set(run.id, u);
      u.channel.appendLine(`[orpo-lab] starting ${run.configPath}${run.runDir ? `, resuming ${run.runDir}` : ''}`);
      this.startProgress(run, u);
    }
    return u;
  }

  private startProgress(run: RunState, u: RunUi): void {
    u.titled = runLabel(run);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `ORPO run ${u.titled}`, cancellable: true },
      (progress, token) => new Promise<void>((resolve) => {
        u.progress = progress;
        u.resolveProgress = resolve;
        token.onCancellationRequested(() => this.manager.stop(run.id));
        if (!isLive(run)) resolve();
      }),
    );
  }

  private update(run: RunState): void {
    const u = this.get(run);
    if (!isLive(run)) {
      u.status?.dispose();
      u.status = undefined;
      u.resolveProgress?.();
      return;
    }
    const name = runLabel(run);
    const total = run.totalSteps;
    const loss = run.lastTrain?.loss;
    const eta = formatEta(etaSeconds(run));
    const parts = [total ? `step ${run.step}/${total}` : run.status];
    // A new run's folder is known only once the engine started: then the message names it.
    const folder = run.runDir && u.titled !== name ? `${name} · ` : '';
    if (typeof loss === 'number') parts.push(`loss ${formatNumber(loss)}`);
    if (eta) parts.push(`ETA ${eta}`);
    if (run.status === 'stopping') parts.push('stopping: writing a checkpoint…');
    let increment: number | undefined;
    if (total && total > 0) {
      const pct = Math.min(100, (100 * run.step) / total);
      increment = pct - u.reported;
      u.reported = pct;
    }
    u.progress?.report({ message: folder + parts.join(' · '), ...(increment !== undefined && increment > 0 ? { increment } : {}) });
    u.status ??= vscode.window.createStatusBarItem(`orpoLab.run.${run.id}`, vscode.StatusBarAlignment.Left, 50);
    u.status.name = `ORPO run ${name}`;
    u.status.text = `$(sync~spin) ${name} ${total ? `${run.step}/${total}` : run.status}`;
    u.status.tooltip = `ORPO run ${name}: ${parts.join(', ')}\nClick to open the dashboard.`;
    u.status.command = run.runDir ? { command: 'orpoLab.openDashboard', title: 'Open ORPO dashboard', arguments: [run.runDir] } : undefined;
    u.status.show();
  }

  private async ended(run: RunState): Promise<void> {
    const u = this.get(run);
    u.channel.appendLine(`[orpo-lab] ${run.status}${run.failure ? `: ${run.failure}` : ''}`);
    if (run.runDir && (run.status === 'completed' || run.status === 'stopped' || run.status === 'failed')) await this.outcomes.set(run.runDir, run.status);
    const name = runLabel(run);
    if (run.status === 'completed' || run.status === 'stopped') {
      const s = run.finished?.summary ?? {};
      const keys = ['loss', 'rewards/accuracies', 'rewards/margins', 'eval/loss'].filter((k) => typeof s[k] === 'number');
      const summary = keys.map((k) => `${k} ${formatNumber(s[k] as number)}`).join(', ');
      const verb = run.status === 'completed' ? 'finished' : 'stopped (checkpoint saved)';
      const choices = run.status === 'stopped' ? ['Open dashboard', 'Resume'] : ['Open dashboard'];
      const pick = await vscode.window.showInformationMessage(`ORPO run ${name} ${verb} at step ${run.step}${summary ? `: ${summary}` : ''}.`, ...choices);
      if (pick === 'Open dashboard' && run.runDir) this.actions.openDashboard([run.runDir]);
      if (pick === 'Resume') await this.actions.resume(run);
      return;
    }
    const canResume = run.runDir !== undefined && (run.lastCheckpoint !== undefined || run.step > 0);
    const first = (run.failure ?? 'the engine stopped unexpectedly').split('\n')[0];
    const pick = await vscode.window.showErrorMessage(`ORPO run ${name} failed: ${first}`, 'Show log', ...(canResume ? ['Resume'] : []));
    if (pick === 'Show log') u.channel.show(true);
    if (pick === 'Resume') await this.actions.resume(run);
  }
}

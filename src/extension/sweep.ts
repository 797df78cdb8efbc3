// Sweeps in VS Code (issue 15): "Start ORPO Sweep" (palette, and the language server's code lens on
// `sweep:`) validates the config like a run, then spawns `orpo-lab sweep CONFIG [--parallel N]` and shows
// its progress in a cancellable notification (cancel = a stop line: every variant checkpoints); "Open
// ORPO sweep view" shows a sweep directory's table, factor charts and ridgelines in a webview panel
// (webview-ui/sweep). Resume is `orpo-lab sweep --resume SWEEP_DIR`, offered when a sweep stopped. Each
// sweep event refreshes the Runs view, whose sweep row shows the overall progress.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseSweepEvent, SWEEP_INDEX, type SweepEvent } from '../common/sweepIndex';
import { sweepPayloadOf } from '../common/sweepPayload';
import { dashboardPage, makeNonce } from '../../webview-ui/page';
import { webviewOptions, webviewRoot } from './dashboard/session';
import { LineSplitter } from './engineCli';
import { requireTrust, toUri, validateBeforeRun, CONFIG_GLOB, type StartDeps } from './startRun';
import { START_SWEEP } from './sweepChoice';

export { START_SWEEP };
export const OPEN_SWEEP = 'orpoLab.openSweep';
const SWEEP_LINE = /^sweep\s*:/m;

async function pickSweepConfig(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active && SWEEP_LINE.test(active.getText()) && /\.orpo\.ya?ml$/i.test(active.fileName)) return active.uri;
  const found = await vscode.workspace.findFiles(CONFIG_GLOB, '**/node_modules/**', 500);
  const withSweep: vscode.Uri[] = [];
  for (const uri of found) if (SWEEP_LINE.test(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'))) withSweep.push(uri);
  if (!withSweep.length) {
    void vscode.window.showInformationMessage('No *.orpo.yaml config with a sweep: section in this workspace. Add one, e.g. sweep: {lambda: [0.1, 0.5, 1.0]}.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(withSweep.map((uri) => ({ label: vscode.workspace.asRelativePath(uri, false), uri })), { title: 'Start ORPO Sweep', placeHolder: 'Pick a config with sweep:' });
  return pick?.uri;
}

/** One sweep process followed to its end; resolves with its sweep directory (undefined if it never started). */
function follow(deps: SweepDeps, args: string[], cwd: string, title: string): Promise<{ dir?: string; code: number | null; stopped: boolean }> {
  return new Promise((resolve) => {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, cancel) => new Promise<void>((done) => {
      const child = deps.launch(args, cwd);
      const lines = new LineSplitter();
      let dir: string | undefined;
      let total = 0;
      let stopped = false;
      const finished = new Set<string>();
      cancel.onCancellationRequested(() => {
        stopped = true;
        child.stdin?.write('{"type":"stop"}\n');
        progress.report({ message: 'stopping: every running variant checkpoints…' });
      });
      const onEvent = (e: SweepEvent) => {
        deps.changed();
        switch (e.type) {
          case 'sweep-started':
            dir = e.sweep_dir;
            total = e.variants;
            progress.report({ message: `${total} variants, ${e.parallel} at a time` });
            return;
          case 'variant':
            if (e.status === 'completed' || e.status === 'crashed') {
              if (!finished.has(e.name)) progress.report({ increment: 100 / Math.max(1, total) });
              finished.add(e.name);
            }
            progress.report({ message: `${finished.size}/${total} done · ${e.name}: ${e.status}${e.step !== undefined && e.total_steps ? ` (step ${e.step}/${e.total_steps})` : ''}` });
            if (e.status === 'crashed') deps.log.appendLine(`sweep variant ${e.name} crashed: ${e.error ?? ''}`);
            return;
          case 'sweep-finished':
            return;
          default: {
            const never: never = e;
            deps.log.appendLine(`unexpected sweep event ${JSON.stringify(never)}`);
          }
        }
      };
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (d: string) => {
        for (const line of lines.push(d)) {
          const e = parseSweepEvent(line);
          if (e) onEvent(e);
          else if (line.trim()) deps.log.appendLine(`sweep: unexpected stdout line: ${line.slice(0, 200)}`);
        }
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (d: string) => deps.log.append(d));
      child.on('error', (e) => deps.log.appendLine(`sweep: ${e.message}`));
      child.on('close', (code) => {
        deps.changed();
        done();
        resolve({ ...(dir ? { dir } : {}), code, stopped });
      });
    }));
  });
}

async function finish(deps: StartDeps, r: { dir?: string; code: number | null; stopped: boolean }, show: (dir: string) => void, resume: (dir: string) => Promise<void>): Promise<void> {
  if (!r.dir) {
    const pick = await vscode.window.showErrorMessage(r.code === 2 ? 'The sweep did not start: the config has errors (see the ORPO Lab output).' : `The sweep did not start (exit ${String(r.code)}).`, 'Show log');
    if (pick) deps.log.show(true);
    return;
  }
  const dir = r.dir;
  const actions = r.stopped ? ['Open sweep view', 'Resume sweep'] : ['Open sweep view'];
  const msg = r.stopped ? `Sweep stopped: ${dir}` : r.code === 0 ? `Sweep finished: ${dir}` : `Sweep finished with crashed variants (see sweep.json): ${dir}`;
  const pick = await (r.code === 0 ? vscode.window.showInformationMessage(msg, ...actions) : vscode.window.showWarningMessage(msg, ...actions));
  if (pick === 'Open sweep view') show(dir);
  if (pick === 'Resume sweep') await resume(dir);
}

function showSweepView(context: vscode.ExtensionContext, dir: string, log: vscode.OutputChannel): void {
  let payload;
  try {
    payload = sweepPayloadOf(dir, (f) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined));
  } catch (e) {
    void vscode.window.showErrorMessage(`Cannot open the sweep ${dir}: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const panel = vscode.window.createWebviewPanel('orpoLab.sweepPanel', `ORPO sweep: ${payload.name}`, vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
  const root = webviewRoot(context.extensionUri);
  const w = panel.webview;
  w.onDidReceiveMessage((m: unknown) => {
    const msg = m as { type?: unknown; message?: unknown };
    if (msg?.type === 'ready') void w.postMessage(payload);
    else if (msg?.type === 'error' && typeof msg.message === 'string') log.appendLine(msg.message);
  });
  w.html = dashboardPage({
    title: `ORPO sweep ${payload.name}`,
    nonce: makeNonce((n) => randomBytes(n)),
    cspSource: w.cspSource,
    script: { src: w.asWebviewUri(vscode.Uri.joinPath(root, 'sweep.js')).toString() },
    style: { href: w.asWebviewUri(vscode.Uri.joinPath(root, 'sweep.css')).toString() },
  });
}

/** What the sweep commands need: the run-start dependencies, and `changed` to refresh the Runs view. */
export interface SweepDeps extends StartDeps {
  changed: () => void;
}

export function registerSweepCommands(context: vscode.ExtensionContext, deps: SweepDeps): vscode.Disposable[] {
  const show = (dir: string) => showSweepView(context, dir, deps.log);
  const resume = async (dir: string): Promise<void> => {
    if (!(await requireTrust('resume sweeps'))) return;
    await finish(deps, await follow(deps, ['sweep', '--resume', dir], dir, `Resuming ORPO sweep ${dir}`), show, resume);
  };
  return [
    vscode.commands.registerCommand(START_SWEEP, async (arg?: unknown, parallelArg?: unknown) => {
      if (!(await requireTrust('start sweeps'))) return undefined;
      const uri = toUri(arg) ?? (await pickSweepConfig());
      if (!uri) return undefined;
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (doc?.isDirty) await doc.save();
      if (!(await validateBeforeRun(deps, uri))) return undefined;
      let parallel = typeof parallelArg === 'number' && parallelArg >= 1 ? Math.floor(parallelArg) : undefined;
      if (parallel === undefined) {
        const pick = await vscode.window.showQuickPick(['1', '2', '4'].map((n) => ({ label: n === '1' ? 'One variant at a time' : `${n} variants in parallel`, description: n === '1' ? 'all threads to each' : 'the threads divided among them', n: Number(n) })), { title: 'Start ORPO Sweep: how many variants at a time?' });
        if (!pick) return undefined;
        parallel = pick.n;
      }
      const r = await follow(deps, ['sweep', uri.fsPath, '--parallel', String(parallel)], dirname(uri.fsPath), `ORPO sweep ${vscode.workspace.asRelativePath(uri)}`);
      await finish(deps, r, show, resume);
      return r.dir;
    }),
    vscode.commands.registerCommand(OPEN_SWEEP, async (arg?: unknown) => {
      let dir = toUri(arg)?.fsPath;
      if (!dir) {
        const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Open sweep', title: 'Pick a sweep directory (with sweep.json)' });
        dir = picked?.[0]?.fsPath;
      }
      if (!dir) return;
      if (!existsSync(join(dir, SWEEP_INDEX))) {
        void vscode.window.showErrorMessage(`${dir} is not a sweep directory: it has no ${SWEEP_INDEX}.`);
        return;
      }
      show(dir);
    }),
    vscode.commands.registerCommand('orpoLab.resumeSweep', async (arg?: unknown) => {
      const dir = toUri(arg)?.fsPath;
      if (dir && existsSync(join(dir, SWEEP_INDEX))) await resume(dir);
      else void vscode.window.showErrorMessage('Resume ORPO sweep needs a sweep directory (with sweep.json).');
    }),
  ];
}

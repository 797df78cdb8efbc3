// One dashboard webview (the side-bar view or the editor panel) bound to a set of run directories:
// serves the page (strict nonce CSP, scripts only from dist/webview), answers the webview's "ready"
// with every run read from disk, then forwards new rows as the run watchers batch them. Messages
// both ways follow src/common/webviewProtocol.ts and are validated on receipt.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { dashboardPage, makeNonce } from '../../../webview-ui/page';
import { runInfoFromConfig } from '../../common/runInfo';
import { parseViewMessage, type HostMessage, type RunInfo, type RunPayload, type ViewMessage } from '../../common/webviewProtocol';
import { RunWatcher } from './runWatcher';

export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [webviewRoot(extensionUri)] };
}

async function readInfo(dir: string): Promise<{ info: RunInfo; problems: string[] }> {
  const path = join(dir, 'config.yaml');
  try {
    return { info: runInfoFromConfig(parseYaml(await readFile(path, 'utf8')), dir), problems: [] };
  } catch (e) {
    return { info: runInfoFromConfig({}, dir), problems: [`${path}: ${e instanceof Error ? e.message : String(e)}`] };
  }
}

export class DashboardSession implements vscode.Disposable {
  private watchers: RunWatcher[] = [];
  private readonly subs: vscode.Disposable[] = [];
  private generation = 0;

  constructor(private readonly webview: vscode.Webview, extensionUri: vscode.Uri, private runDirs: string[], private readonly log: (msg: string) => void) {
    const root = webviewRoot(extensionUri);
    webview.options = webviewOptions(extensionUri);
    webview.html = dashboardPage({
      title: 'ORPO Lab dashboard',
      nonce: makeNonce((n) => randomBytes(n)),
      cspSource: webview.cspSource,
      script: { src: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString() },
      style: { href: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString() },
    });
    this.subs.push(webview.onDidReceiveMessage((m: unknown) => this.receive(m)));
  }

  get dirs(): readonly string[] {
    return this.runDirs;
  }

  /** Shows other runs: the webview gets them whole, replacing what it showed. */
  setRuns(dirs: string[]): void {
    this.runDirs = dirs.map((d) => resolve(d));
    void this.load();
  }

  private post(m: HostMessage): void {
    void this.webview.postMessage(m);
  }

  private receive(data: unknown): void {
    const m = parseViewMessage(data);
    if (!m.ok) {
      this.log(`dashboard: ignored a webview message: ${m.error}`);
      return;
    }
    void this.handle(m.value);
  }

  private async handle(m: ViewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.load();
        return;
      case 'save': {
        const base = this.runDirs[0] ? vscode.Uri.file(this.runDirs[0]) : vscode.workspace.workspaceFolders?.[0]?.uri;
        const uri = await vscode.window.showSaveDialog({
          ...(base ? { defaultUri: vscode.Uri.joinPath(base, m.filename) } : {}),
          filters: m.kind === 'png' ? { 'PNG image': ['png'] } : { CSV: ['csv'] },
        });
        if (!uri) return;
        await vscode.workspace.fs.writeFile(uri, m.kind === 'png' ? Buffer.from(m.data, 'base64') : Buffer.from(m.data, 'utf8'));
        return;
      }
      case 'error':
        this.log(`dashboard webview: ${m.message}`);
        return;
      default: {
        const never: never = m;
        this.log(`dashboard: unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  /** (Re)reads every run from disk, posts them whole, then streams new rows. */
  private async load(): Promise<void> {
    const gen = ++this.generation;
    this.stopWatching();
    const watchers = this.runDirs.map((dir) => new RunWatcher(dir, (b) => {
      if (gen !== this.generation) return;
      if (b.reset) this.post({ type: 'reset', runId: dir });
      this.post({ type: 'append', runId: dir, metrics: b.metrics, distributions: b.distributions, samples: b.samples, problems: b.problems });
    }, (e) => this.log(`dashboard: reading ${dir}: ${e instanceof Error ? e.message : String(e)}`)));
    this.watchers = watchers;
    const runs: RunPayload[] = await Promise.all(watchers.map(async (w) => {
      const [{ info, problems }, first] = await Promise.all([readInfo(w.dir), w.start()]);
      return { info, metrics: first.metrics, distributions: first.distributions, samples: first.samples, problems: [...problems, ...first.problems] };
    }));
    if (gen !== this.generation) return;
    this.post({ type: 'runs', runs });
  }

  private stopWatching(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
  }

  dispose(): void {
    this.generation++;
    this.stopWatching();
    for (const s of this.subs) s.dispose();
  }
}

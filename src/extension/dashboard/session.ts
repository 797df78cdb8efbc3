// One dashboard webview (the side-bar view or the editor panel) bound to a set of run directories:
// serves the page (strict nonce CSP, scripts only from dist/webview), answers the webview's "ready"
// with every run read from disk and then new rows (feed.ts), and saves exports where the user says
// (exportSave.ts). Messages both ways follow src/common/webviewProtocol.ts and are validated on receipt.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { dashboardPage, makeNonce } from '../../../webview-ui/page';
import { parseViewMessage, type HostMessage, type ViewMessage } from '../../common/webviewProtocol';
import { saveExport } from './exportSave';
import { DashboardFeed } from './feed';

export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [webviewRoot(extensionUri)] };
}

export interface SessionHooks {
  log(msg: string): void;
  /** A shown run's folder no longer exists (the Runs view drops it). */
  gone(dir: string): void;
}

export class DashboardSession implements vscode.Disposable {
  private readonly feed: DashboardFeed;
  private readonly subs: vscode.Disposable[] = [];
  private readonly log: (msg: string) => void;

  /** `place`: the side bar's view or an editor panel (the page's background follows it). */
  constructor(private readonly webview: vscode.Webview, extensionUri: vscode.Uri, private runDirs: string[], hooks: SessionHooks, place: 'editor' | 'sidebar' = 'editor') {
    this.log = hooks.log;
    this.feed = new DashboardFeed({ post: (m) => this.post(m), log: hooks.log, gone: hooks.gone });
    const root = webviewRoot(extensionUri);
    webview.options = webviewOptions(extensionUri);
    webview.html = dashboardPage({
      title: 'ORPO Lab dashboard',
      nonce: makeNonce((n) => randomBytes(n)),
      cspSource: webview.cspSource,
      script: { src: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString() },
      style: { href: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString() },
      place,
    });
    this.subs.push(webview.onDidReceiveMessage((m: unknown) => this.receive(m)));
  }

  get dirs(): readonly string[] {
    return this.runDirs;
  }

  /** Shows other runs: the webview gets them whole, replacing what it showed. */
  setRuns(dirs: string[]): void {
    this.runDirs = dirs.map((d) => resolve(d));
    void this.feed.load(this.runDirs);
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
        await this.feed.load(this.runDirs);
        return;
      case 'save': {
        const r = await saveExport(m, this.runDirs[0] ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, {
          ask: async (d) => vscode.window.showSaveDialog({ ...(d.defaultPath ? { defaultUri: vscode.Uri.file(d.defaultPath) } : {}), filters: d.filters }),
          write: async (uri, bytes) => vscode.workspace.fs.writeFile(uri, bytes),
          name: (uri) => (uri.scheme === 'file' ? uri.fsPath : uri.toString()),
        });
        if (r.kind === 'failed') void vscode.window.showErrorMessage(r.message);
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

  dispose(): void {
    this.feed.dispose();
    for (const s of this.subs) s.dispose();
  }
}

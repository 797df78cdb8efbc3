// The dashboard in VS Code: a webview view in the ORPO side bar (view id orpoLab.dashboard) and, for
// room or comparisons, one editor panel (orpoLab.dashboardPanel). Both keep their context when hidden
// and restore their runs after a reload (the view from workspace state, the panel through a webview
// panel serializer and the webview's saved state). References: VS Code Webview API and Webview View
// API guides (registerWebviewViewProvider, createWebviewPanel, registerWebviewPanelSerializer).
import * as vscode from 'vscode';
import { resolve } from 'node:path';
import { restoreState } from '../../../webview-ui/model/state';
import { DashboardSession, webviewOptions } from './session';

export const VIEW_ID = 'orpoLab.dashboard';
export const PANEL_TYPE = 'orpoLab.dashboardPanel';
const RUNS_KEY = 'orpoLab.dashboard.runDirs';

export interface DashboardHandle {
  show(runDirs: string[], opts?: { panel?: boolean }): void;
}

/** `gone`: a shown run's folder no longer exists (also in a panel restored after a reload). */
export function registerDashboard(context: vscode.ExtensionContext, onGone: (dir: string) => void): DashboardHandle {
  const hooks = { log: (m: string) => console.warn(m), gone: onGone };
  let viewSession: DashboardSession | undefined;
  let panel: { panel: vscode.WebviewPanel; session: DashboardSession } | undefined;
  const savedDirs = () => context.workspaceState.get<string[]>(RUNS_KEY, []);

  context.subscriptions.push(vscode.window.registerWebviewViewProvider(VIEW_ID, {
    resolveWebviewView(view) {
      viewSession?.dispose();
      const session = new DashboardSession(view.webview, context.extensionUri, savedDirs(), hooks, 'sidebar');
      viewSession = session;
      view.onDidDispose(() => {
        session.dispose();
        if (viewSession === session) viewSession = undefined;
      });
    },
  }, { webviewOptions: { retainContextWhenHidden: true } }));

  const adoptPanel = (p: vscode.WebviewPanel, dirs: string[]) => {
    const session = new DashboardSession(p.webview, context.extensionUri, dirs, hooks);
    const entry = { panel: p, session };
    panel = entry;
    p.onDidDispose(() => {
      session.dispose();
      if (panel === entry) panel = undefined;
    });
    return entry;
  };

  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(PANEL_TYPE, {
    async deserializeWebviewPanel(p, state: unknown) {
      p.webview.options = webviewOptions(context.extensionUri);
      adoptPanel(p, restoreState(state).runDirs);
    },
  }));

  return {
    show(runDirs, opts) {
      const dirs = runDirs.map((d) => resolve(d));
      if (opts?.panel) {
        const title = dirs.length > 1 ? `ORPO: compare ${dirs.length} runs` : 'ORPO dashboard';
        if (panel) {
          panel.panel.title = title;
          panel.session.setRuns(dirs);
          panel.panel.reveal();
          return;
        }
        const p = vscode.window.createWebviewPanel(PANEL_TYPE, title, vscode.ViewColumn.Active, { ...webviewOptions(context.extensionUri), retainContextWhenHidden: true });
        p.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'orpo.svg');
        adoptPanel(p, dirs);
        return;
      }
      void context.workspaceState.update(RUNS_KEY, dirs);
      viewSession?.setRuns(dirs);
      // Reveals the view; VS Code resolves it (with the saved dirs) if it was never shown.
      void vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    },
  };
}

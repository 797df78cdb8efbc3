// Saving a dashboard export (metrics CSV, chart PNG) from the webview's `save` message (issue 12 §3:
// "CSV export asks where to save"): a save dialog opens in the run's folder with the suggested file
// name and a filter for the kind; nothing is written when it is cancelled; a write that fails is
// reported with the file named. The dialog and the write are injected (VS Code's showSaveDialog and
// workspace.fs in session.ts), so Node tests cover the flow without vscode.
import { join } from 'node:path';
import type { ViewMessage } from '../../common/webviewProtocol';

export type SaveMessage = Extract<ViewMessage, { type: 'save' }>;

export interface SaveDialog {
  /** Where to start, e.g. /runs/r1/metrics.csv. */
  defaultPath?: string;
  filters: Record<string, string[]>;
}

export interface SaveDeps<T> {
  /** Asks where to save; undefined when the user cancels. */
  ask(d: SaveDialog): Promise<T | undefined>;
  write(target: T, bytes: Uint8Array): Promise<void>;
  /** How to name a target in a message. */
  name(target: T): string;
}

export type SaveResult<T> = { kind: 'saved'; target: T } | { kind: 'cancelled' } | { kind: 'failed'; message: string };

/** The bytes of an export: CSV is UTF-8 text, PNG arrives base64-encoded. */
export function exportBytes(m: SaveMessage): Uint8Array {
  return m.kind === 'png' ? Buffer.from(m.data, 'base64') : Buffer.from(m.data, 'utf8');
}

export function saveDialogFor(m: SaveMessage, baseDir: string | undefined): SaveDialog {
  return {
    ...(baseDir ? { defaultPath: join(baseDir, m.filename) } : {}),
    filters: m.kind === 'png' ? { 'PNG image': ['png'] } : { CSV: ['csv'] },
  };
}

export async function saveExport<T>(m: SaveMessage, baseDir: string | undefined, deps: SaveDeps<T>): Promise<SaveResult<T>> {
  const target = await deps.ask(saveDialogFor(m, baseDir));
  if (target === undefined) return { kind: 'cancelled' };
  try {
    await deps.write(target, exportBytes(m));
    return { kind: 'saved', target };
  } catch (e) {
    return { kind: 'failed', message: `Could not save ${deps.name(target)}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

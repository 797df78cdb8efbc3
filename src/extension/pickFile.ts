// `orpoLab.pickFile`: the client half of the language server's "Choose a file…" quick fix
// (src/server/service/fixes.ts pickFileFix). Shows an open dialog next to the config and writes the
// chosen path, relative to the config, into the value's range. Its arguments cross the LSP boundary,
// so they are checked before use.
import * as vscode from 'vscode';
import { dirname, relative, sep } from 'node:path';

interface PickArgs { range: vscode.Range; kind: 'file' | 'dir' }

function position(v: unknown): vscode.Position | undefined {
  const o = v as { line?: unknown; character?: unknown } | null;
  return o && Number.isInteger(o.line) && Number.isInteger(o.character) && (o.line as number) >= 0 && (o.character as number) >= 0
    ? new vscode.Position(o.line as number, o.character as number) : undefined;
}

export function parsePickArgs(arg: unknown): PickArgs | undefined {
  const o = arg as { range?: { start?: unknown; end?: unknown }; kind?: unknown } | null;
  const start = position(o?.range?.start);
  const end = position(o?.range?.end);
  if (!start || !end || (o?.kind !== 'file' && o?.kind !== 'dir')) return undefined;
  return { range: new vscode.Range(start, end), kind: o.kind };
}

/** A YAML plain scalar when safe, else a double-quoted one. */
export function yamlPath(p: string): string {
  return /^[\w./-]+$/.test(p) && !/^[-.\d]/.test(p) ? p : JSON.stringify(p);
}

export async function pickFile(docUri: unknown, arg: unknown): Promise<void> {
  const args = parsePickArgs(arg);
  if (typeof docUri !== 'string' || !args) return;
  const uri = vscode.Uri.parse(docUri);
  const picked = await vscode.window.showOpenDialog({
    title: args.kind === 'dir' ? 'Choose the model folder' : 'Choose the file',
    canSelectFiles: args.kind === 'file',
    canSelectFolders: args.kind === 'dir',
    canSelectMany: false,
    ...(uri.scheme === 'file' ? { defaultUri: vscode.Uri.file(dirname(uri.fsPath)) } : {}),
  });
  const chosen = picked?.[0];
  if (!chosen) return;
  const rel = uri.scheme === 'file' ? relative(dirname(uri.fsPath), chosen.fsPath).split(sep).join('/') : chosen.fsPath;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, args.range, yamlPath(rel || '.'));
  await vscode.workspace.applyEdit(edit);
}

// "Open Example Experiment" (walkthrough step 1 and 5): copies the shipped HH-RLHF example (the ORPO
// config, its SFT baseline and the 256-pair data slice with its licence, all inside the .vsix) into
// `orpo-example/` of the first workspace folder, without overwriting a file the user already has,
// and opens the ORPO config, or with the argument "sft" the SFT baseline.
import * as vscode from 'vscode';

export const EXAMPLE_FILES = [
  'hh-rlhf-tiny.orpo.yaml',
  'hh-rlhf-tiny-sft.orpo.yaml',
  'data/hh-rlhf-tiny.jsonl.gz',
  'data/LICENSE-hh-rlhf',
  'data/README.md',
] as const;

export async function openExample(context: vscode.ExtensionContext, which: unknown): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    const pick = await vscode.window.showInformationMessage('The example is copied into a workspace folder: open a folder first.', 'Open Folder');
    if (pick) await vscode.commands.executeCommand('workbench.action.files.openFolder');
    return;
  }
  const target = vscode.Uri.joinPath(folder.uri, 'orpo-example');
  for (const f of EXAMPLE_FILES) {
    const dest = vscode.Uri.joinPath(target, f);
    const exists = await vscode.workspace.fs.stat(dest).then(() => true, () => false);
    if (!exists) await vscode.workspace.fs.copy(vscode.Uri.joinPath(context.extensionUri, 'examples', f), dest);
  }
  const config = which === 'sft' ? EXAMPLE_FILES[1] : EXAMPLE_FILES[0];
  await vscode.window.showTextDocument(vscode.Uri.joinPath(target, config), { preview: false });
}

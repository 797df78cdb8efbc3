// "Delete run": moves exactly one run folder to the trash, after a modal dialog that names it
// (issue 12, point 1). The folder is checked against the disk and the run manager before asking and
// again at the moment of deleting (runRows.deleteRefusal): no live process may write there, whether this
// window started it or another one did (its run.lock, src/common/runLockFile.ts). Where the
// file system has no trash (a remote such as code-server), it says so and asks again, explicitly, for a
// permanent delete of that folder; it never deletes permanently without that answer.
// API: vscode.workspace.fs.delete(uri, { recursive, useTrash }).
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { isRunDir, lockHolder } from './runDiscovery';
import type { RunManager } from './runManager';
import { deleteRefusal } from './runRows';
import type { RunsTreeProvider } from './runsView';

export interface DeleteDeps {
  manager: RunManager;
  runs: RunsTreeProvider;
}

export const MOVE_TO_TRASH = 'Move to Trash';
export const DELETE_PERMANENTLY = 'Delete Permanently';

/** Undefined when the folder may be deleted now; else why not. */
async function refusalNow(deps: DeleteDeps, dir: string): Promise<string | undefined> {
  return deleteRefusal(dir, deps.manager.list(), await isRunDir(dir), await lockHolder(dir));
}

async function refused(deps: DeleteDeps, dir: string): Promise<boolean> {
  const why = await refusalNow(deps, dir);
  if (why === undefined) return false;
  void vscode.window.showWarningMessage(`Not deleting run ${basename(dir)}: ${why}.`);
  await deps.runs.refresh();
  return true;
}

function message(e: unknown): string {
  return ((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '').replace(/\.+$/, '');
}

/** Deletes one run folder (to the trash when the file system has one); true when it is gone. */
export async function deleteRunFolder(deps: DeleteDeps, dir: string): Promise<boolean> {
  const name = basename(dir);
  if (await refused(deps, dir)) return false;
  const ok = await vscode.window.showWarningMessage(
    `Move the run folder "${name}" to the trash?`,
    { modal: true, detail: `${dir}\nIts metrics, samples and checkpoints go with it. Nothing else is deleted.` },
    MOVE_TO_TRASH,
  );
  if (ok !== MOVE_TO_TRASH || (await refused(deps, dir))) return false;
  const uri = vscode.Uri.file(dir);
  let how = 'moved to the trash';
  try {
    await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: true });
  } catch (e) {
    const again = await vscode.window.showWarningMessage(
      `The run folder "${name}" could not be moved to the trash: ${message(e)}. Delete it permanently instead?`,
      { modal: true, detail: `${dir}\nThis cannot be undone.` },
      DELETE_PERMANENTLY,
    );
    if (again !== DELETE_PERMANENTLY || (await refused(deps, dir))) return false;
    try {
      await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false });
    } catch (e2) {
      void vscode.window.showErrorMessage(`Could not delete the run folder ${dir}: ${message(e2)}`);
      await deps.runs.refresh();
      return false;
    }
    how = 'deleted permanently';
  }
  await deps.runs.forget(dir);
  void vscode.window.showInformationMessage(`Run folder ${name} ${how}.`);
  return true;
}

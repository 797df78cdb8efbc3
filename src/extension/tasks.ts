// The `orpo-lab` task type (package.json contributes.taskDefinitions): "orpo-lab: validate X" and
// "orpo-lab: train X" for each *.orpo.yaml, running the bundled engine CLI, with the `$orpo-lab`
// problem matcher reading `file:line:col: severity: message` lines into the Problems panel.
// VS Code Task Provider API: https://code.visualstudio.com/api/extension-guides/task-provider
import * as vscode from 'vscode';
import { engineEnv, enginePath, readSettings } from './settings';

export const TASK_TYPE = 'orpo-lab';

interface OrpoTaskDefinition extends vscode.TaskDefinition {
  command: 'validate' | 'train';
  config: string;
}

function isDefinition(d: vscode.TaskDefinition): d is OrpoTaskDefinition {
  const o = d as Partial<OrpoTaskDefinition>;
  return (o.command === 'validate' || o.command === 'train') && typeof o.config === 'string' && o.config.trim() !== '';
}

function taskFor(context: vscode.ExtensionContext, def: OrpoTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope.Workspace): vscode.Task {
  const s = readSettings();
  // Desktop VS Code runs on Electron: ELECTRON_RUN_AS_NODE makes it a Node.js runtime (code-server runs on Node).
  const exec = new vscode.ProcessExecution(s.nodePath || process.execPath, [enginePath(context), def.command, def.config, ...(def.command === 'train' && s.backend ? ['--backend', s.backend] : [])], {
    ...(typeof scope === 'object' ? { cwd: scope.uri.fsPath } : {}),
    env: { ELECTRON_RUN_AS_NODE: '1', ...engineEnv(context) },
  });
  const task = new vscode.Task(def, scope, `${def.command} ${def.config}`, TASK_TYPE, exec, ['$orpo-lab']);
  if (def.command === 'train') task.group = vscode.TaskGroup.Build;
  return task;
}

export function registerTasks(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.tasks.registerTaskProvider(TASK_TYPE, {
    async provideTasks() {
      const files = await vscode.workspace.findFiles('**/*.orpo.{yaml,yml}', '**/node_modules/**', 50);
      const tasks: vscode.Task[] = [];
      for (const uri of files) {
        const folder = vscode.workspace.getWorkspaceFolder(uri);
        if (!folder) continue;
        const config = vscode.workspace.asRelativePath(uri, false);
        for (const command of ['validate', 'train'] as const) tasks.push(taskFor(context, { type: TASK_TYPE, command, config }, folder));
      }
      return tasks;
    },
    resolveTask(task) {
      const def = task.definition;
      if (!isDefinition(def)) return undefined;
      const scope = typeof task.scope === 'object' ? task.scope : vscode.TaskScope.Workspace;
      return taskFor(context, def, scope);
    },
  });
}

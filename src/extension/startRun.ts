// "Start ORPO run" and "Resume ORPO run": pick the config (the argument, the active *.orpo.yaml, or a
// quick pick of the workspace's configs), respect Workspace Trust, validate with
// `orpo-lab validate CONFIG` (issue 2) and refuse with the problems listed, then hand the run to the
// run manager. A config that already runs asks first, and a second start of a config whose start is
// still being prepared (a double click) starts nothing (issue 12). A config with a sweep: section asks
// whether to start the sweep instead (issue 15, sweepChoice.ts). Workspace Trust guide: https://code.visualstudio.com/api/extension-guides/workspace-trust
import * as vscode from 'vscode';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { resumeOptions } from './engineCli';
import { runEngineOnce } from './launcher';
import { probePython, trlChoice } from './pythonProbe';
import { needsPeft } from '../common/pythonProbe';
import type { EngineLauncher, RunManager, RunState } from './runManager';
import { readRun } from './runDiscovery';
import { dirKey, liveRunsOfConfig, resumeRefusal, runRows } from './runRows';
import { readSettings } from './settings';
import { interpretValidation, summarizeProblems, type Problem } from './validation';
import { START_SWEEP, sweepDecision, sweepQuestion } from './sweepChoice';

export const CONFIG_GLOB = '**/*.{orpo.yaml,orpo.yml}';
const CONFIG_RE = /\.orpo\.ya?ml$/i;

export interface StartDeps {
  manager: RunManager;
  launch: EngineLauncher;
  log: vscode.OutputChannel;
  /** Engine problems for configs the language server has not reported on. */
  problems: vscode.DiagnosticCollection;
}

/** Accepts what menus, code lenses and the palette pass: a Uri, a URI string, a path, or nothing. */
export function toUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return /^[a-z][a-z0-9+.-]+:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  if (typeof arg === 'object' && arg !== null && 'uri' in arg) return toUri((arg as { uri: unknown }).uri);
  return undefined;
}

/** Explains why runs cannot start here; true when the workspace is trusted. */
export async function requireTrust(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const pick = await vscode.window.showWarningMessage(
    `ORPO Lab cannot ${action} in Restricted Mode: a run executes the training engine on this workspace's files. Trust the workspace to enable runs; validation still works.`,
    'Manage Workspace Trust',
  );
  if (pick) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

async function pickConfig(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active && (active.languageId === 'orpo-yaml' || CONFIG_RE.test(active.fileName))) return active.uri;
  const found = await vscode.workspace.findFiles(CONFIG_GLOB, '**/node_modules/**', 500);
  if (found.length === 0) {
    const pick = await vscode.window.showInformationMessage('No *.orpo.yaml config in this workspace.', 'New ORPO experiment');
    if (pick) await vscode.commands.executeCommand('orpoLab.newExperiment');
    return undefined;
  }
  const items = found
    .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri, false), uri }));
  const choice = await vscode.window.showQuickPick(items, { title: 'Start ORPO run', placeHolder: 'Pick an experiment config' });
  return choice?.uri;
}

/** Validates with the engine; shows the refusal and returns false when the config has errors. */
export async function validateBeforeRun(deps: StartDeps, uri: vscode.Uri): Promise<boolean> {
  let result;
  try {
    const r = await runEngineOnce(deps.launch, ['validate', uri.fsPath], join(uri.fsPath, '..'));
    result = interpretValidation(r.code, r.stdout, r.stderr);
  } catch (e) {
    result = { kind: 'broken' as const, message: e instanceof Error ? e.message : String(e) };
  }
  switch (result.kind) {
    case 'ok':
      deps.problems.delete(uri);
      return true;
    case 'broken':
      deps.log.appendLine(result.message);
      void vscode.window.showErrorMessage(`Could not validate ${vscode.workspace.asRelativePath(uri)}: ${result.message.split('\n')[0] ?? ''}`, 'Show log').then((p) => { if (p) deps.log.show(true); });
      return false;
    case 'invalid': {
      const name = vscode.workspace.asRelativePath(uri);
      deps.log.appendLine(`Not starting ${name}: ${result.errors.length} error(s)`);
      for (const p of result.errors) deps.log.appendLine(`  ${p.file}:${p.line}:${p.col}: ${p.severity}: ${p.message}`);
      // The language server reports open documents; for others, show the engine's own problems.
      const serverHas = vscode.languages.getDiagnostics(uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error);
      if (!serverHas) deps.problems.set(uri, [...result.errors, ...result.warnings].map(toDiagnostic));
      const pick = await vscode.window.showErrorMessage(
        `Cannot start ${name}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}: ${summarizeProblems(result.errors)}`,
        'Show Problems',
      );
      if (pick === 'Show Problems') {
        await vscode.window.showTextDocument(uri, { preview: false });
        await vscode.commands.executeCommand('workbench.actions.view.problems');
      }
      return false;
    }
    default: {
      const never: never = result;
      throw new Error(`unhandled validation result ${JSON.stringify(never)}`);
    }
  }
}

function toDiagnostic(p: Problem): vscode.Diagnostic {
  const line = Math.max(0, p.line - 1);
  const col = Math.max(0, p.col - 1);
  const d = new vscode.Diagnostic(new vscode.Range(line, col, line, col + 1), p.message,
    p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  d.source = 'orpo-lab validate';
  return d;
}

/**
 * The Python for a TRL run when the user picks it, '' for ORPO Lab's engine, null when dismissed. The
 * engine choice is offered when the Python has trl; picking TRL while something else it needs is
 * missing shows what, with the pip command (copied on request), and starts nothing.
 */
async function pickEngine(python: string, lora: boolean): Promise<string | null> {
  const choice = trlChoice(await probePython(python, lora), python, lora);
  if (!choice.offer) return '';
  const local = { label: 'ORPO Lab engine', description: 'this machine (TensorFlow.js)', python: '' };
  const trl = { label: 'Hugging Face TRL + accelerate', description: choice.missing.length ? `${python}: lacks ${choice.missing.join(', ')}` : python, python };
  const pick = await vscode.window.showQuickPick([local, trl], { title: 'Start ORPO run', placeHolder: `${python} has trl: which engine?` });
  if (!pick) return null;
  if (pick.python && choice.problem) {
    const copy = 'Copy Install Command';
    if ((await vscode.window.showErrorMessage(choice.problem, copy)) === copy) await vscode.env.clipboard.writeText(choice.install);
    return null;
  }
  return pick.python;
}

export const START_ANOTHER = 'Start Another';

/** Configs (resolved paths) whose start is being prepared: a second click must not start a twin. */
const pendingStarts = new Set<string>();

/** Asks before starting a config that already has a live run; true to go on. */
async function confirmAnother(deps: StartDeps, uri: vscode.Uri): Promise<boolean> {
  const live = liveRunsOfConfig(deps.manager.list(), uri.fsPath);
  if (live.length === 0) return true;
  const where = live.map((r) => (r.runDir ? basename(r.runDir) : 'a folder not created yet')).join(', ');
  const pick = await vscode.window.showWarningMessage(
    `${vscode.workspace.asRelativePath(uri)} is already running in ${where}: start another?`,
    { modal: true, detail: 'Another run trains the same config again, in a new run folder.' },
    START_ANOTHER,
  );
  return pick === START_ANOTHER;
}

/** Whether the config text trains LoRA (train.py then needs peft); false when it does not parse (validation said why). */
function loraOf(text: string): boolean {
  try {
    return needsPeft(parse(text));
  } catch {
    return false;
  }
}

export async function startRun(deps: StartDeps, arg?: unknown): Promise<RunState | undefined> {
  if (!(await requireTrust('start runs'))) return undefined;
  const uri = toUri(arg) ?? (await pickConfig());
  if (!uri) return undefined;
  const key = resolve(uri.fsPath);
  if (pendingStarts.has(key)) {
    void vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(uri)} is already being started.`);
    return undefined;
  }
  pendingStarts.add(key);
  try {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty) await doc.save();
    // A single run ignores a sweep: section; the user picks the sweep or one run (sweepChoice.ts).
    const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    const q = sweepQuestion(text, vscode.workspace.asRelativePath(uri));
    if (q) {
      const decision = sweepDecision(await vscode.window.showWarningMessage(q.message, { modal: true, detail: q.detail }, ...q.buttons));
      if (decision === 'cancel') return undefined;
      if (decision === 'sweep') {
        await vscode.commands.executeCommand(START_SWEEP, uri);
        return undefined;
      }
    }
    if (!(await confirmAnother(deps, uri))) return undefined;
    if (!(await validateBeforeRun(deps, uri))) return undefined;
    const { backend, pythonPath } = readSettings();
    const trlPython = await pickEngine(pythonPath || 'python3', loraOf(text));
    if (trlPython === null) return undefined;
    const run = deps.manager.start({ configPath: uri.fsPath, ...(trlPython ? { trlPython } : backend ? { backend } : {}) });
    deps.log.appendLine(`started ${run.id} for ${uri.fsPath}${trlPython ? ` on TRL (${trlPython})` : ''}`);
    return run;
  } finally {
    // Only now: from here on the manager lists the live run, which confirmAnother sees.
    pendingStarts.delete(key);
  }
}

/**
 * Resumes a run folder from its last checkpoint, with its config (the original if known). The folder
 * is checked against the disk and the manager first: a completed, live or missing run is refused.
 */
export async function resumeRun(deps: StartDeps, runDir: string, configPath?: string): Promise<RunState | undefined> {
  if (!(await requireTrust('resume runs'))) return undefined;
  const onDisk = await readRun(runDir);
  // No await between this check and the start: a second resume sees the first one's live state.
  const row = runRows(deps.manager.list(), onDisk ? [onDisk] : []).find((r) => r.key === dirKey(runDir));
  const why = resumeRefusal(row);
  if (why) {
    void vscode.window.showInformationMessage(`Not resuming ${basename(runDir)}: ${why}.`);
    return undefined;
  }
  // The engine the run was started with: a TRL run resumes on TRL (train.py --resume), with the Python setting.
  const engine = onDisk?.engine?.engine ?? 'orpo-lab';
  const run = deps.manager.start(resumeOptions(runDir, configPath ?? join(runDir, 'config.yaml'), engine, readSettings()));
  deps.log.appendLine(`resuming ${runDir} as ${run.id}${engine === 'trl' ? ' on TRL' : ''}`);
  return run;
}

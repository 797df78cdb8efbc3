// How the extension host starts the engine CLI (dist/engine/cli.js) as a child process. In desktop
// VS Code the host runs on Electron: child_process.fork starts the script with ELECTRON_RUN_AS_NODE so
// Electron behaves as Node; in code-server the host is Node itself. A configured Node path wins over
// both. No vscode import: Node tests use it too.
import { fork, spawn } from 'node:child_process';
import type { EngineLauncher } from './runManager';

export interface LauncherOptions {
  /** The engine script, e.g. <extension>/dist/engine/cli.js. */
  enginePath: string;
  /** An explicit Node binary (setting orpoLab.nodePath); empty means the host's own runtime via fork. */
  nodePath?: string;
  /** Extra Node flags for the engine, e.g. ['--import', 'tsx'] for a TypeScript script in tests. */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

export function engineLauncher(o: LauncherOptions): EngineLauncher {
  const env = { ...process.env, ...o.env };
  const nodeArgs = o.nodeArgs ?? [];
  return (args, cwd) => {
    if (o.nodePath) {
      return spawn(o.nodePath, [...nodeArgs, o.enginePath, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    }
    // execArgv: [] so the engine does not inherit the host's flags (inspector ports and the like).
    return fork(o.enginePath, args, { cwd, env, execArgv: nodeArgs, stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
  };
}

/** Runs the engine once to completion and collects its output (for `validate`). */
export function runEngineOnce(launch: EngineLauncher, args: string[], cwd: string, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = launch(args, cwd);
    let stdout = '';
    let stderr = '';
    p.stdout?.setEncoding('utf8');
    p.stderr?.setEncoding('utf8');
    p.stdout?.on('data', (d: string) => (stdout += d));
    p.stderr?.on('data', (d: string) => (stderr += d));
    p.stdin?.end();
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`orpo-lab ${args[0] ?? ''} did not finish within ${timeoutMs / 1000} s`)); }, timeoutMs);
    p.on('error', (e) => { clearTimeout(timer); reject(e); });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

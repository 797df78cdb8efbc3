// A real VS Code for the end-to-end tests: code-server 4.100.3 (VS Code 1.100.3) from the cache that
// test/e2e/install-code-server.sh fills (recipe: ../shared/notes/environment.md), served on loopback
// without auth. Missing prerequisites are errors with the fix, never a skip.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from './wait';

export const CODE_SERVER_VERSION = '4.100.3';

export function codeServerEntry(): string {
  const cache = process.env.ORPO_E2E_CACHE ?? join(homedir(), '.cache', 'orpo-lab-e2e');
  const entry = join(cache, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed at ${entry}. Run test/e2e/install-code-server.sh (.ci/run does; it needs apt packages libkrb5-dev pkg-config ripgrep), or set ORPO_E2E_CACHE to the folder holding it.`);
  }
  return entry;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface CodeServerDirs {
  userDataDir: string;
  extensionsDir: string;
}

function dirArgs(d: CodeServerDirs): string[] {
  return ['--user-data-dir', d.userDataDir, '--extensions-dir', d.extensionsDir];
}

/** `code-server --install-extension x.vsix`, as a user installs a packaged extension. */
export function installExtension(vsix: string, dirs: CodeServerDirs): string {
  const r = spawnSync(process.execPath, [codeServerEntry(), ...dirArgs(dirs), '--install-extension', vsix], { encoding: 'utf8', timeout: 120_000 });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0 || !/successfully installed/i.test(out)) throw new Error(`installing ${vsix} into code-server failed (exit ${r.status}):\n${out}`);
  return out;
}

export interface RunningCodeServer {
  url: string;
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** User settings that keep the workbench quiet and deterministic. */
export function writeUserSettings(userDataDir: string, extra: Record<string, unknown> = {}): void {
  const dir = join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'window.restoreWindows': 'none',
    'files.simpleDialog.enable': true,
    ...extra,
  }, null, 2));
}

export async function startCodeServer(folder: string, dirs: CodeServerDirs, logFile: string, env: NodeJS.ProcessEnv = {}): Promise<RunningCodeServer> {
  const port = await freePort();
  const config = join(dirs.userDataDir, 'code-server.yaml');
  mkdirSync(dirs.userDataDir, { recursive: true });
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const proc = spawn(process.execPath, [
    codeServerEntry(), '--config', config, ...dirArgs(dirs),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', folder,
  ], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile);
  proc.stdout?.pipe(log);
  proc.stderr?.pipe(log);
  let exited: string | undefined;
  proc.on('exit', (code, sig) => { exited = `code-server exited early (code ${code}, signal ${sig}); see ${logFile}`; });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => {
    if (exited) throw new Error(exited);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    return ok || undefined;
  }, 60_000, `code-server to answer on ${url}/healthz`);
  return {
    url, port, proc,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) { resolve(); return; }
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
    }),
  };
}

// "ORPO Lab: Install CUDA Backend" without VS Code (issue 11 §6): installs @tensorflow/tfjs-node-gpu
// into the extension's global storage (<globalStorage>/cuda) with the npm that ships with the user's
// Node, and puts failures in words: offline (the cause and the command to run by hand), no CUDA
// (CUDA 11.2 + cuDNN 8.1 are required), an unsupported platform, no npm. The engine finds the package
// there through ORPO_LAB_CUDA_DIR (src/engine/backend/tfPackage.ts). cudaCommand.ts wires it to VS Code.
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

export const CUDA_PACKAGE = '@tensorflow/tfjs-node-gpu';
/** The tfjs version the engine bundles (@tensorflow/tfjs-core): the package registers into that engine. */
export const CUDA_VERSION = '4.22.0';
export const CUDA_NEEDS = 'CUDA 11.2 and cuDNN 8.1';

/** How to run npm: `node npm-cli.js` beside a Node installation, or an npm executable. */
export interface Npm {
  command: string;
  args: string[];
  /** In words, for messages: which Node's npm. */
  what: string;
}

/** npm-cli.js of the Node installation holding NODE (Unix: <prefix>/lib/node_modules/npm; Windows: beside node.exe). */
export function npmBesideNode(node: string, platform: NodeJS.Platform = process.platform): string | undefined {
  let real: string;
  try {
    real = realpathSync(node);
  } catch {
    return undefined;
  }
  const dir = dirname(real);
  const cli = platform === 'win32' ? join(dir, 'node_modules', 'npm', 'bin', 'npm-cli.js') : join(dir, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  return existsSync(cli) ? cli : undefined;
}

/**
 * The user's npm: beside the configured Node (orpoLab.nodePath), else beside the `node` on PATH, else
 * an `npm` on PATH. VS Code's own runtime (Electron) ships no npm, so it is never used.
 */
export function findNpm(nodePath: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Npm | undefined {
  const exe = (name: string) => (platform === 'win32' ? [`${name}.exe`, `${name}.cmd`] : [name]);
  const onPath = (name: string) => (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean).flatMap((d) => exe(name).map((n) => join(d, n))).find((p) => existsSync(p));
  for (const node of [nodePath, onPath('node')]) {
    const cli = node ? npmBesideNode(node, platform) : undefined;
    if (node && cli) return { command: node, args: [cli], what: `the npm of ${node}` };
  }
  const npm = onPath('npm');
  return npm ? { command: npm, args: [], what: npm } : undefined;
}

/** The install as one command line a person can run. */
export function manualCommand(dir: string): string {
  return `npm install --prefix "${dir}" ${CUDA_PACKAGE}@${CUDA_VERSION}`;
}

/** Why the CUDA backend cannot be used on this platform at all; undefined where it can. */
export function unsupported(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string | undefined {
  if (platform === 'linux' && arch === 'x64') return undefined;
  if (platform === 'win32' && arch === 'x64') return undefined;
  return `${CUDA_PACKAGE} runs only on Linux and Windows x64 with an NVIDIA GPU (${CUDA_NEEDS}); this is ${platform} ${arch}. backend: auto uses WebGPU or the native CPU path here.`;
}

const NETWORK = /ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET|ENETUNREACH|EHOSTUNREACH|socket hang up|getaddrinfo|network|request to \S+ failed/i;

/** A failed `npm install`'s output put in words, with the command to run by hand. */
export function explainFailure(output: string, code: number | null, dir: string): string {
  const lines = output.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const by = (re: RegExp) => lines.find((l) => re.test(l));
  const manual = `To install it by hand: ${manualCommand(dir)}`;
  const net = by(NETWORK);
  if (net) return `Could not install ${CUDA_PACKAGE}: no connection to the npm registry or to the libtensorflow download (${net}). The CUDA backend needs the internet once (about 400 MB). Connect and run "ORPO Lab: Install CUDA Backend" again. ${manual}`;
  const space = by(/ENOSPC/);
  if (space) return `Could not install ${CUDA_PACKAGE}: the disk is full (${space}). Free some space and try again. ${manual}`;
  const perm = by(/EACCES|EPERM/);
  if (perm) return `Could not install ${CUDA_PACKAGE}: no permission to write (${perm}). ${manual}`;
  const last = lines.filter((l) => /err/i.test(l)).slice(-3).join(' | ') || lines.slice(-3).join(' | ') || 'no output';
  return `Could not install ${CUDA_PACKAGE} (npm exited with code ${String(code)}): ${last}. It needs ${CUDA_NEEDS} on Linux or Windows x64. ${manual}`;
}

export type InstallResult = { ok: true; dir: string } | { ok: false; message: string };

/**
 * npm install --prefix DIR @tensorflow/tfjs-node-gpu@<pinned>: each output line goes to `progress`.
 * `env` adds to the environment (tests point the registry at an unreachable address).
 */
export function installCuda(npm: Npm | undefined, dir: string, progress: (line: string) => void, env: NodeJS.ProcessEnv = {}): Promise<InstallResult> {
  const bad = unsupported();
  if (bad) return Promise.resolve({ ok: false, message: bad });
  if (!npm) return Promise.resolve({ ok: false, message: `No npm found: set "orpoLab.nodePath" to a Node.js installation that ships npm, or install Node.js (nodejs.org), then run "ORPO Lab: Install CUDA Backend" again. ${`Or install it by hand: ${manualCommand(dir)}`}` });
  const args = [...npm.args, 'install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel', 'http', `${CUDA_PACKAGE}@${CUDA_VERSION}`];
  return new Promise((resolve) => {
    const p = spawn(npm.command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], shell: npm.command.endsWith('.cmd') });
    let output = '';
    const take = (d: Buffer) => {
      const text = d.toString();
      output += text;
      for (const l of text.split(/\r?\n/)) if (l.trim()) progress(l.trim());
    };
    p.stdout.on('data', take);
    p.stderr.on('data', take);
    p.on('error', (e) => resolve({ ok: false, message: `Could not run ${npm.what}: ${e.message}. ${manualCommand(dir)}` }));
    p.on('close', (code) => {
      if (code === 0 && existsSync(join(dir, 'node_modules', ...CUDA_PACKAGE.split('/'), 'package.json'))) resolve({ ok: true, dir });
      else resolve({ ok: false, message: explainFailure(output, code, dir) });
    });
  });
}

/** The engine run that checks the installed package: one tiny step on the tensorflow backend. */
export const CHECK_ARGS = ['bench', '--backend', 'tensorflow', '--d-model', '32', '--layers', '1', '--heads', '2', '--vocab', '64', '--seq', '16', '--pairs', '1', '--steps', '1', '--json'];

/** The device `bench --json` reported, or the engine's last stderr line when it failed. */
export function parseCheck(r: { code: number | null; stdout: string; stderr: string }): { device?: string; error?: string } {
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    const v = JSON.parse(last) as { device?: unknown };
    if (r.code === 0 && typeof v.device === 'string') return { device: v.device };
  } catch {
    // not JSON: the engine failed
  }
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = lines.find((l) => l.startsWith('orpo-lab bench: '))?.slice('orpo-lab bench: '.length) ?? lines.at(-1);
  return { error: err ?? `the engine exited with code ${String(r.code)}` };
}

/** What the engine reported running the installed package: the words for the user once installed. */
export function afterInstall(device: string | undefined, error: string | undefined): { ok: boolean; message: string } {
  if (device && /^CUDA GPU/.test(device)) return { ok: true, message: `CUDA backend installed: libtensorflow runs on the GPU. backend: auto times it against the CPU path at the next run's start.` };
  if (device) return { ok: false, message: `${CUDA_PACKAGE} is installed, but libtensorflow runs on the CPU: ${CUDA_NEEDS} are required (NVIDIA driver, then the CUDA 11.2 and cuDNN 8.1 libraries on the library path). backend: auto does not count it as a GPU until then.` };
  return { ok: false, message: `${CUDA_PACKAGE} is installed, but it did not load: ${error ?? 'unknown error'}. It needs ${CUDA_NEEDS}.` };
}

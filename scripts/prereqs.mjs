// What `npm test` needs outside node_modules, installed when it can be: the system packages .ci/run
// installs (checked with dpkg-query on Debian/Ubuntu, installed with apt-get when running as root,
// otherwise one command to run is printed and the run stops) and code-server for the VS Code
// end-to-end tests (test/e2e/install-code-server.sh, cached in ~/.cache/orpo-lab-e2e).
// ORPO_LAB_NO_INSTALL=1 only checks and prints the commands.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const CODE_SERVER_VERSION = '4.100.3';

/** Groups of Debian packages; `any` = one of them is enough, `install` = what to install otherwise. */
const GROUPS = {
  chromium: { why: 'the dashboard and VS Code tests run in headless Chromium', any: ['chromium'], install: ['chromium'] },
  mesa: { why: 'the WebGPU test runs Dawn on Mesa EGL/GLES (llvmpipe)', all: ['libegl1', 'libgles2', 'libegl-mesa0', 'libgl1-mesa-dri'] },
  blas: { why: "the engine's native kernels call OpenBLAS's sgemm", any: ['libopenblas0-pthread', 'libopenblas0-openmp', 'libopenblas0-serial'], install: ['libopenblas0-pthread'] },
  codeServerBuild: { why: "code-server's install builds argon2 and needs ripgrep and Kerberos headers", all: ['ripgrep', 'libkrb5-dev', 'pkg-config', 'build-essential', 'python3'] },
};

/** Which groups the selected test files need (all of them for a full run). */
export function needsOf(files, full) {
  const need = new Set(full ? ['chromium', 'mesa', 'blas', 'codeServer'] : []);
  for (const f of files) {
    if (f.startsWith('test/e2e/')) { need.add('chromium'); need.add('codeServer'); need.add('blas'); }
    if (f.startsWith('test/dashboard/')) need.add('chromium');
    if (f.includes('backends.test')) need.add('mesa');
    if (f.includes('native/')) need.add('blas');
  }
  return need;
}

export function codeServerInstalled(cache = process.env.ORPO_E2E_CACHE ?? join(homedir(), '.cache', 'orpo-lab-e2e')) {
  const pkg = join(cache, 'node_modules', 'code-server', 'package.json');
  if (!existsSync(join(cache, 'node_modules', 'code-server', 'out', 'node', 'entry.js')) || !existsSync(pkg)) return false;
  return JSON.parse(readFileSync(pkg, 'utf8')).version === CODE_SERVER_VERSION;
}

/** Installed Debian packages among `names` (dpkg-query), or undefined when this is not a dpkg system. */
function installedPackages(names) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package}\t${db:Status-Abbrev}\n', ...names], { encoding: 'utf8' });
  if (r.error) return undefined;
  return new Set(r.stdout.split('\n').filter((l) => /\tii/.test(l)).map((l) => l.split('\t')[0]));
}

/** What to install for the needed groups, given the installed packages (empty when all are there). */
export function missingPackages(need, installed, codeServerReady) {
  const missing = [];
  for (const [name, g] of Object.entries(GROUPS)) {
    const wanted = name === 'codeServerBuild' ? need.has('codeServer') && !codeServerReady : need.has(name);
    if (!wanted) continue;
    if (g.any && !g.any.some((p) => installed.has(p))) missing.push({ group: name, why: g.why, packages: g.install });
    if (g.all) {
      const absent = g.all.filter((p) => !installed.has(p));
      if (absent.length) missing.push({ group: name, why: g.why, packages: absent });
    }
  }
  return missing;
}

function run(cmd, args) {
  console.log(`# ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

/** Installs or names what is missing. Returns false when the tests cannot run yet. */
export function ensurePrerequisites(need, root) {
  if (need.size === 0) return true;
  const allNames = Object.values(GROUPS).flatMap((g) => [...(g.any ?? []), ...(g.all ?? [])]);
  const installed = installedPackages(allNames);
  const mayInstall = !process.env.ORPO_LAB_NO_INSTALL;
  if (installed === undefined) {
    console.warn('# prerequisites: not a Debian/Ubuntu system (no dpkg-query); the tests need Chromium, Mesa EGL/GLES, OpenBLAS, and for code-server ripgrep, Kerberos headers and a C++ toolchain.');
  } else {
    const missing = missingPackages(need, installed, codeServerInstalled());
    if (missing.length) {
      const pkgs = [...new Set(missing.flatMap((m) => m.packages))];
      for (const m of missing) console.error(`# missing: ${m.packages.join(' ')} (${m.why})`);
      const isRoot = process.getuid?.() === 0;
      if (!isRoot || !mayInstall || !existsSync('/usr/bin/apt-get')) {
        console.error(`\nnpm test needs system packages. Run this once, then npm test again:\n\n  sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}\n`);
        return false;
      }
      if (!run('apt-get', ['update', '-qq']) || !run('apt-get', ['install', '-y', '-qq', ...pkgs])) {
        console.error(`installing ${pkgs.join(' ')} with apt-get failed`);
        return false;
      }
    }
  }
  if (need.has('codeServer') && !codeServerInstalled()) {
    const script = join(root, 'test/e2e/install-code-server.sh');
    if (!mayInstall) {
      console.error(`\nThe VS Code end-to-end tests need code-server. Run this once, then npm test again:\n\n  ${script}\n`);
      return false;
    }
    if (!run(script, [])) {
      console.error(`installing code-server failed; run ${script} to see why`);
      return false;
    }
  }
  return true;
}

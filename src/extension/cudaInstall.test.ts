// "Install CUDA Backend" without VS Code (issue 11 §6): the real npm of this machine's Node, found the
// way the command finds it, installs with the registry pointed at an unreachable address and the
// failure reads as "offline" with the cause and the manual command; no npm, a full disk, no permission,
// an unsupported platform and libtensorflow on the CPU each get their own words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterInstall, CUDA_VERSION, explainFailure, findNpm, installCuda, manualCommand, npmBesideNode, parseCheck, unsupported } from './cudaInstall';

test('offline: the real npm install fails with the cause named and the command to run by hand', { timeout: 120_000 }, async () => {
  const npm = findNpm('', process.env);
  assert.ok(npm, 'this machine has Node with npm');
  const dir = join(mkdtempSync(join(tmpdir(), 'orpo-cuda-')), 'cuda');
  const lines: string[] = [];
  const r = await installCuda(npm, dir, (l) => lines.push(l), {
    npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0', npm_config_fetch_timeout: '5000',
    npm_config_cache: join(dir, '..', 'npm-cache'), npm_config_update_notifier: 'false',
  });
  assert.equal(r.ok, false);
  const message = r.ok ? '' : r.message;
  assert.match(message, /^Could not install @tensorflow\/tfjs-node-gpu: no connection to the npm registry or to the libtensorflow download \(.*(ECONNREFUSED|127\.0\.0\.1:9).*\)/, message);
  assert.ok(message.endsWith(`To install it by hand: npm install --prefix "${dir}" @tensorflow/tfjs-node-gpu@${CUDA_VERSION}`), message);
  assert.ok(lines.length > 0, 'npm\'s output went to the progress');
});

test('npm is found beside the configured Node, beside the node on PATH, or as npm on PATH; none: a clear message', async () => {
  const own = findNpm(process.execPath, { PATH: '' });
  assert.equal(own?.command, process.execPath);
  assert.match(own?.args[0] ?? '', /node_modules[/\\]npm[/\\]bin[/\\]npm-cli\.js$/);
  const bin = mkdtempSync(join(tmpdir(), 'orpo-bin-'));
  writeFileSync(join(bin, 'npm'), '');
  assert.deepEqual(findNpm('', { PATH: bin }, 'linux'), { command: join(bin, 'npm'), args: [], what: join(bin, 'npm') });
  const empty = mkdtempSync(join(tmpdir(), 'orpo-bin-'));
  assert.equal(findNpm(join(empty, 'node'), { PATH: empty }, 'linux'), undefined);
  const r = await installCuda(undefined, join(empty, 'cuda'), () => {});
  assert.ok(!r.ok && /^No npm found: set "orpoLab\.nodePath" to a Node\.js installation that ships npm/.test(r.message), JSON.stringify(r));
  const win = mkdtempSync(join(tmpdir(), 'orpo-win-'));
  mkdirSync(join(win, 'node_modules', 'npm', 'bin'), { recursive: true });
  writeFileSync(join(win, 'node.exe'), '');
  writeFileSync(join(win, 'node_modules', 'npm', 'bin', 'npm-cli.js'), '');
  assert.equal(npmBesideNode(join(win, 'node.exe'), 'win32'), join(win, 'node_modules', 'npm', 'bin', 'npm-cli.js'));
});

test('the pinned version is the tfjs the engine bundles, so the package registers into the same engine', () => {
  const core = JSON.parse(readFileSync(require.resolve('@tensorflow/tfjs-core/package.json'), 'utf8')) as { version: string };
  assert.equal(CUDA_VERSION, core.version);
});

test('other failures in words: full disk, permissions, anything else names the CUDA requirement; unsupported platforms', () => {
  const dir = '/g/cuda';
  assert.match(explainFailure('npm ERR! code ENOSPC\nnpm ERR! syscall write', 1, dir), /the disk is full \(npm ERR! code ENOSPC\)/);
  assert.match(explainFailure('npm ERR! code EACCES', 243, dir), /no permission to write/);
  const other = explainFailure('npm ERR! code 1\nnpm ERR! command failed\nnpm ERR! node-pre-gyp install failed', 1, dir);
  assert.match(other, /npm exited with code 1\): .*node-pre-gyp install failed\. It needs CUDA 11\.2 and cuDNN 8\.1 on Linux or Windows x64\./);
  assert.ok(other.endsWith(manualCommand(dir)));
  assert.equal(unsupported('linux', 'x64'), undefined);
  assert.match(unsupported('darwin', 'arm64') ?? '', /runs only on Linux and Windows x64 with an NVIDIA GPU \(CUDA 11\.2 and cuDNN 8\.1\); this is darwin arm64/);
});

test('after the install: on the GPU, on the CPU (no CUDA 11: CUDA 11.2 + cuDNN 8.1 required), or not loading', () => {
  const gpu = parseCheck({ code: 0, stdout: '{"backend":"tensorflow","device":"CUDA GPU (libtensorflow, @tensorflow/tfjs-node-gpu)","step_ms":3}\n', stderr: '' });
  assert.equal(afterInstall(gpu.device, gpu.error).ok, true);
  const cpu = parseCheck({ code: 0, stdout: '{"device":"CPU (libtensorflow, @tensorflow/tfjs-node-gpu: no CUDA GPU in use (it needs CUDA 11.2 and cuDNN 8.1))"}\n', stderr: '' });
  const a = afterInstall(cpu.device, cpu.error);
  assert.equal(a.ok, false);
  assert.match(a.message, /installed, but libtensorflow runs on the CPU: CUDA 11\.2 and cuDNN 8\.1 are required/);
  const failed = parseCheck({ code: 1, stdout: '', stderr: '[bench] x\norpo-lab bench: Error: libcudnn.so.8: cannot open shared object file\n    at foo (x.js:1)\n' });
  assert.deepEqual(failed, { error: 'Error: libcudnn.so.8: cannot open shared object file' });
  assert.deepEqual(parseCheck({ code: 1, stdout: '', stderr: 'killed\n' }), { error: 'killed' });
  assert.match(afterInstall(undefined, failed.error).message, /did not load: Error: libcudnn\.so\.8.*It needs CUDA 11\.2 and cuDNN 8\.1/);
});

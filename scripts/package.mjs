// `npm run package`: builds the production bundles and packages the extension as a .vsix with
// @vscode/vsce, for one platform target (default: this machine's), so that the target's WebGPU (Dawn)
// binary and the engine's native CPU kernels, which cannot be bundled, travel with it. The package's
// README is the user-facing README.marketplace.md (its links point at files inside the package), not
// the developer README. Prints the file list summary and the size.
// Usage: node scripts/package.mjs [--target linux-x64] [--out FILE.vsix] [--no-build]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const target = opt('target') ?? `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;
const vsceTarget = target === 'darwin-universal' ? `darwin-${process.arch}` : target;
const out = resolve(opt('out') ?? join(root, `${pkg.name}-${vsceTarget}-${pkg.version}.vsix`));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, npm_config_yes: 'true' } });
  if (r.status !== 0) {
    console.error(`package: ${cmd} ${args.join(' ')} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

if (!argv.includes('--no-build')) run(process.execPath, [join(root, 'scripts/build.mjs'), '--production']);
for (const f of ['dist/extension.js', 'dist/server.js', 'dist/engine/cli.js']) {
  if (!existsSync(join(root, f))) { console.error(`package: ${f} is missing; the build did not produce it`); process.exit(1); }
}

// .vscodeignore plus this target's Dawn binary.
const dawn = `node_modules/webgpu/dist/${target}`;
const ignoreDir = mkdtempSync(join(tmpdir(), 'orpo-vsce-'));
const ignoreFile = join(ignoreDir, 'vscodeignore');
const extra = existsSync(join(root, dawn)) ? [`!${dawn}/**`] : [];
if (extra.length === 0) console.warn(`package: no WebGPU binary for ${target} (${dawn}); the .vsix will lack the webgpu backend`);
// The native CPU kernels (scripts/build-native.mjs) are built for this machine: only its own target gets them.
const native = 'dist/engine/orpo_native.node';
if (target === `${process.platform}-${process.arch}` && existsSync(join(root, native))) extra.push(`!${native}`);
else console.warn(`package: no native kernels for ${target} (build on that platform); its wasm backend runs tfjs's kernels only`);
writeFileSync(ignoreFile, readFileSync(join(root, '.vscodeignore'), 'utf8') + '\n' + extra.join('\n') + '\n');

mkdirSync(dirname(out), { recursive: true });
const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
run(process.execPath, [vsce, 'package', '--target', vsceTarget, '--ignoreFile', ignoreFile, '--allow-missing-repository', '--no-rewrite-relative-links', '--readme-path', 'README.marketplace.md', '--skip-license', '--out', out]);
rmSync(ignoreDir, { recursive: true, force: true });
const bytes = statSync(out).size;
console.log(`package: ${out} (${(bytes / 1024 / 1024).toFixed(2)} MiB, ${bytes} bytes, target ${vsceTarget})`);

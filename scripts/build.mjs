// One esbuild script builds each runtime into dist/: the engine CLI, the language server, the VS Code
// extension host and the dashboard webview (browser code).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNative } from './build-native.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const prod = process.argv.includes('--production');
// Native and optional packages stay outside the bundles: they load at run time, only when chosen.
const nodeExternal = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu', '@huggingface/tokenizers'];

const common = { bundle: true, sourcemap: !prod, minify: prod, logLevel: 'warning', absWorkingDir: root };
const builds = [
  { entryPoints: ['src/engine/cli.ts'], outfile: 'dist/engine/cli.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal },
  { entryPoints: ['src/server/main.ts'], outfile: 'dist/server.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal },
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal },
  { entryPoints: ['webview-ui/main.ts'], outfile: 'dist/webview/main.js', platform: 'browser', format: 'iife', target: 'es2022', loader: { '.css': 'css' } },
  { entryPoints: ['webview-ui/sweep/main.ts'], outfile: 'dist/webview/sweep.js', platform: 'browser', format: 'iife', target: 'es2022', loader: { '.css': 'css' } },
].filter((b) => existsSync(join(root, b.entryPoints[0])));

// tfjs-backend-wasm loads its .wasm binaries from a directory at run time: put them beside the engine,
// with our SIMD kernel.
function copyWasm() {
  const src = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  mkdirSync(join(root, 'dist/engine'), { recursive: true });
  for (const f of readdirSync(src).filter((n) => n.endsWith('.wasm'))) cpSync(join(src, f), join(root, 'dist/engine', f));
  // Our own SIMD kernel (src/engine/backend/simd/bmm.c, rebuilt by scripts/build-simd.sh).
  cpSync(join(root, 'src/engine/backend/simd/bmm.wasm'), join(root, 'dist/engine/bmm.wasm'));
}

copyWasm();
// `orpo-lab export trl` copies these Python modules into the export (src/engine/commands/export.ts).
mkdirSync(join(root, 'dist/engine/python'), { recursive: true });
for (const f of ['orpo_lab_run.py', 'orpo_lab_callback.py']) cpSync(join(root, 'src/engine/export/python', f), join(root, 'dist/engine/python', f));
buildNative(root);
if (watch) {
  for (const b of builds) await (await esbuild.context({ ...common, ...b })).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build({ ...common, ...b })));
  // The config's JSON Schema, shipped in the .vsix for other YAML tools (`orpo-lab schema`).
  execFileSync(process.execPath, [join(root, 'dist/engine/cli.js'), 'schema', '--out', join(root, 'dist/orpo-experiment.schema.json')], { stdio: 'inherit' });
}

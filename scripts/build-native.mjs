// Builds the optional native kernels (src/engine/backend/native/*.c) into dist/engine/orpo_native.node
// with the system C compiler (CC, else cc) and Node-API headers from the node-api-headers package.
// No BLAS is linked: the addon finds one with dlopen at run time. Without a compiler it warns and
// the engine runs on tfjs's wasm kernels alone. Run by scripts/build.mjs (so by npm ci).
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function buildNative(root) {
  if (process.env.ORPO_LAB_NATIVE === '0') return 'skipped (ORPO_LAB_NATIVE=0)';
  if (process.platform === 'win32') return 'skipped (no Windows build yet)';
  const src = join(root, 'src/engine/backend/native');
  const out = join(root, 'dist/engine/orpo_native.node');
  const include = join(dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json')), 'include');
  const cc = process.env.CC || 'cc';
  const flags = ['-O3', '-fPIC', '-fopenmp-simd', '-fno-trapping-math', '-fno-math-errno', '-Wall', '-Wextra', `-I${include}`];
  const link = process.platform === 'darwin' ? ['-bundle', '-undefined', 'dynamic_lookup'] : ['-shared'];
  mkdirSync(dirname(out), { recursive: true });
  try {
    const tmp = `${out}.${process.pid}.tmp`;
    execFileSync(cc, [...flags, ...link, '-o', tmp, ...['addon.c', 'blas.c', 'fused.c', 'ops.c', 'half.c', 'attention.c'].map((f) => join(src, f)), '-ldl', '-lm'], { stdio: ['ignore', 'inherit', 'pipe'] });
    renameSync(tmp, out);
    return `built ${out}`;
  } catch (e) {
    const why = e.stderr?.toString().trim().split('\n').slice(0, 5).join('\n') || e.message;
    console.warn(`orpo-lab: native kernels not built (${cc}): ${why}\norpo-lab: the engine will use tfjs's wasm kernels only.`);
    return 'failed';
  }
}

// Native CPU kernels for the tfjs wasm backend (addon.c, blas.c, fused.c, built by
// scripts/build-native.mjs into orpo_native.node). Matrix products go to the system's CBLAS
// (OpenBLAS, the library PyTorch's CPU path uses) here; the fused kernels are in fusedKernels.ts.
// All of them read and write the wasm heap in place. Optional: without a C compiler at install time
// or a CBLAS at run time the engine keeps tfjs's wasm kernels. ORPO_LAB_NATIVE=0 turns it off,
// ORPO_LAB_BLAS names the library to try first, ORPO_LAB_THREADS sets the BLAS thread count.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Addon, F32 } from './addon';
import { registerFused } from './fusedKernels';
import { numel, overrideKernel, wasmIo, type KernelIo } from './io';

export interface NativeInfo {
  /** The CBLAS library opened, e.g. libopenblas.so.0. */
  library: string;
  /** BLAS threads. */
  threads: number;
}

let active: NativeInfo | undefined;

/** The native kernels in use (on wasm, or the native backend when it runs), if any. */
export const nativeKernels = (): NativeInfo | undefined => active ?? (tf.getBackend() === 'native' ? loaded?.info : undefined);

/** Where the built addon is: beside the bundle (dist/engine), or dist/engine when run from source. */
export function addonPath(): string | undefined {
  const candidates = [join(__dirname, 'orpo_native.node'), join(__dirname, '..', '..', '..', '..', 'dist', 'engine', 'orpo_native.node')];
  return candidates.find((p) => existsSync(p));
}

let loaded: { addon: Addon; info: NativeInfo } | undefined;

/** Loads the addon and opens a CBLAS once. Returns why not when it cannot: no addon built, no CBLAS found, or turned off. */
export function loadAddon(): { addon: Addon; info: NativeInfo } | string {
  if (loaded) return loaded;
  if (process.env.ORPO_LAB_NATIVE === '0') return 'turned off by ORPO_LAB_NATIVE=0';
  const path = addonPath();
  if (!path) return 'the native addon was not built (no C compiler at install time)';
  let addon: Addon;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a native addon, loaded only for the CPU backends
    addon = require(path) as Addon;
  } catch (e) {
    return `the native addon did not load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
  const library = addon.init(process.env.ORPO_LAB_BLAS ?? '');
  if (!library) return 'no CBLAS library found (install OpenBLAS: apt-get install libopenblas0)';
  const threads = addon.threads(Number(process.env.ORPO_LAB_THREADS ?? 0) || 0);
  loaded = { addon, info: { library, threads } };
  return loaded;
}

/** Registers the native kernels for the wasm backend (before it initialises), or says why not. */
export function registerNativeKernels(): NativeInfo | string {
  if (active) return active;
  const l = loadAddon();
  if (typeof l === 'string') return l;
  registerBatchMatMul(l.addon, wasmIo);
  registerFused(l.addon, wasmIo);
  active = l.info;
  return active;
}

/** BatchMatMul of float32 products with any transposes and a broadcast batch, through CBLAS. */
export function registerBatchMatMul(addon: Addon, io: KernelIo): void {
  overrideKernel(io, 'BatchMatMul', (args, backend) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA: ta, transposeB: tb } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const ra = a.shape.length, rb = b.shape.length;
    const za = numel(a.shape.slice(0, -2)), zb = numel(b.shape.slice(0, -2));
    const Z = Math.max(za, zb);
    const batch = (za >= zb ? a : b).shape.slice(0, -2);
    const ok = a.dtype === 'float32' && b.dtype === 'float32' && ra >= 2 && rb >= 2 && (za === zb || za === 1 || zb === 1);
    if (!ok) return undefined;
    const M = a.shape[ta ? ra - 1 : ra - 2] as number, K = a.shape[ta ? ra - 2 : ra - 1] as number;
    const N = b.shape[tb ? rb - 2 : rb - 1] as number;
    if ((b.shape[tb ? rb - 1 : rb - 2] as number) !== K) throw new Error(`BatchMatMul: inner sizes differ, ${JSON.stringify([a.shape, b.shape])}`);
    const out = io.out(backend, [...batch, M, N], 'float32'); // may grow the wasm heap: views after
    addon.bmm(io.view(backend, a) as F32, io.view(backend, b) as F32, io.view(backend, out) as F32, Z, M, K, N, ta ? 1 : 0, tb ? 1 : 0, za, zb);
    return out;
  });
}

// The tfjs backend choice, in one place. A named backend fails clearly when it cannot load. `auto`
// (auto.ts) takes the fastest backend that works for the run's shape: hardware GPUs — libtensorflow
// through @tensorflow/tfjs-node-gpu only when it really uses a GPU, WebGPU through Dawn (the `webgpu`
// package) only on a hardware adapter (classify.ts) — timed against native (tfjs cpu storage + native
// kernels, native/cpuBackend.ts); without a GPU native, then wasm, libtensorflow on the CPU, cpu.
// Each backend's package is loaded only when that backend is tried; tfjs-node(-gpu) is found in the
// extension's CUDA folder first (tfPackage.ts). See shared notes: environment.md ("TensorFlow.js backends").
// Probing is quiet: the backends `auto` skipped are named in the reason and, with ORPO_LAB_VERBOSE=1,
// on the log, so a normal CPU run's log carries no "Cannot find module" lines and no Dawn warning about
// a missing Vulkan loader (on Linux, Dawn is not even created for `auto` when no libvulkan.so.1 is installed).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Backend } from '../../common/config';
import { recordGpuLimits } from './webgpu/limits';
import { setExplicitTranspose } from '../ops/matmul';
import { packageVersion } from '../version';
import { selectAuto, type BackendInfo, type Loader, type Selected } from './auto';
import { adapterName, isSoftwareAdapter, tensorflowDevice, type AdapterInfo } from './classify';
import { requireTfPackage } from './tfPackage';
import type { RunShape } from './timeStep';

export type { BackendInfo, Selected } from './auto';

export class BackendError extends Error {
  override name = 'BackendError';
}

/**
 * libtensorflow through tfjs-node-gpu or tfjs-node (from the CUDA folder first). With `gpuOnly` (auto's
 * GPU candidate) it refuses to run on the CPU: tfjs-node-gpu without CUDA 11 silently does (tfjs#8269).
 */
async function loadTensorflow(gpuOnly = false): Promise<BackendInfo> {
  let found;
  try {
    found = requireTfPackage();
  } catch (e) {
    if (gpuOnly) throw new BackendError(e instanceof Error ? e.message : String(e));
    throw new BackendError(`backend tensorflow is not available: ${e instanceof Error ? e.message : String(e)}. Install @tensorflow/tfjs-node-gpu (CUDA 11.2 + cuDNN 8.1; in VS Code: "ORPO Lab: Install CUDA Backend") or @tensorflow/tfjs-node, or use backend: auto.`);
  }
  if (!tf.findBackend('tensorflow') || !(await tf.setBackend('tensorflow'))) {
    throw new BackendError(`backend tensorflow: ${found.pkg} loaded from ${found.path} but registered no working tensorflow backend.`);
  }
  await tf.ready();
  const where = tensorflowDevice(found.pkg, tf.backend());
  if (gpuOnly && !where.gpu) throw new BackendError(`libtensorflow runs on the CPU, not a GPU (${found.pkg}: isUsingGpuDevice is false)`);
  return { backend: 'tensorflow', device: where.device };
}

/**
 * Whether a Vulkan loader can be found on Linux (Dawn's only hardware path there); true elsewhere.
 * Reads the dynamic linker's cache and LD_LIBRARY_PATH, as the loader itself would look.
 */
export function vulkanLoaderPresent(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, cache = '/etc/ld.so.cache'): boolean {
  if (platform !== 'linux') return true;
  const lib = 'libvulkan.so.1';
  if ((env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean).some((d) => existsSync(join(d, lib)))) return true;
  try {
    if (readFileSync(cache).includes(lib)) return true;
  } catch {
    // no linker cache (some containers): look in the usual folders
  }
  return ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib64', '/lib'].some((d) => existsSync(join(d, lib)));
}

/** WebGPU through Dawn. `allowSoftware` admits llvmpipe & co. (only when webgpu is asked for by name). */
let webgpuInfo: BackendInfo | undefined;
let webgpuSoftware = false;
async function loadWebgpu(allowSoftware: boolean): Promise<BackendInfo> {
  // Once is enough: a second Dawn instance in one process can abort it (std::system_error).
  if (webgpuInfo && tf.findBackend('webgpu') && (allowSoftware || !webgpuSoftware)) {
    await tf.setBackend('webgpu');
    return webgpuInfo;
  }
  if (!allowSoftware && !vulkanLoaderPresent()) throw new BackendError('backend webgpu: no Vulkan loader (libvulkan.so.1) installed, so no hardware adapter.');
  let dawn: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    dawn = (await import('webgpu')) as unknown as typeof dawn; // an ES module: import(), not require()
  } catch (e) {
    throw new BackendError(`backend webgpu: the "webgpu" package (Dawn) did not load: ${String(e)}`);
  }
  if (!process.env.XDG_RUNTIME_DIR) {
    // Dawn's GL path wants a runtime dir; ours is private to this process and removed when it exits.
    const xdg = mkdtempSync(join(tmpdir(), 'orpo-xdg-'));
    process.env.XDG_RUNTIME_DIR = xdg;
    process.on('exit', () => rmSync(xdg, { recursive: true, force: true }));
  }
  const flags = (process.env.ORPO_LAB_DAWN_FLAGS ?? '').split(',').filter(Boolean);
  Object.assign(globalThis, dawn.globals);
  // `orpo-lab bench --counts`: count dispatches, submits, uploads, reads and compiles (issue 11, §4).
  if (process.env.ORPO_LAB_WEBGPU_COUNTS === '1') (await import('./webgpu/counts')).installCounting(dawn.globals);
  let gpu = dawn.create(flags);
  let adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  let compat = false;
  if (!adapter && allowSoftware) {
    // No Vulkan GPU: Dawn's OpenGL ES path on Mesa (llvmpipe) in compatibility mode.
    process.env.EGL_PLATFORM ??= 'surfaceless';
    gpu = dawn.create([...flags, 'backend=opengles']);
    adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
    compat = true;
  }
  if (!adapter) throw new BackendError('backend webgpu: no WebGPU adapter found (no GPU, or no Vulkan driver).');
  const info = (adapter as GPUAdapter & { info: AdapterInfo }).info;
  const name = adapterName(info);
  // GPUAdapterInfo's fields are prototype getters: read them one by one (a spread copies none).
  const fallback = info.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  webgpuSoftware = isSoftwareAdapter({ vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, isFallbackAdapter: fallback });
  if (webgpuSoftware && !allowSoftware) {
    throw new BackendError(`backend webgpu: only a software adapter (${name}) is available; it is slower than wasm.`);
  }
  const wrapped = {
    requestAdapter: (o?: GPURequestAdapterOptions) => gpu.requestAdapter(compat ? { ...o, featureLevel: 'compatibility' } as GPURequestAdapterOptions : o),
    getPreferredCanvasFormat: () => 'rgba8unorm',
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  };
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: wrapped, userAgent: 'node' }, configurable: true, writable: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- registers the backend; loaded only when chosen
  require('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new BackendError(`backend webgpu: tfjs could not initialise on ${name}.`);
  await tf.ready();
  const off = (await import('./webgpu/kernels')).registerWebgpuKernels();
  setExplicitTranspose(false); // GPU products take the transpose flags at full speed: no Transpose kernels
  webgpuInfo = { backend: 'webgpu', device: `${name}${compat ? ' (OpenGL ES compatibility)' : ''}${off ? `; WGSL kernels off: ${off}` : ' + WGSL kernels'}` };
  recordGpuLimits(name, webgpuSoftware); // for validation's check of the largest buffer; a failure only skips it
  return webgpuInfo;
}

/** Where the .wasm binaries are: beside the bundle (dist/engine), or in node_modules when run from source. */
function wasmDir(): string {
  const candidates = [__dirname, join(__dirname, '..', '..', '..', 'dist', 'engine')];
  try {
    candidates.push(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // bundled without node_modules: the first candidates apply
  }
  const dir = candidates.find((d) => existsSync(join(d, 'tfjs-backend-wasm-simd.wasm')));
  if (!dir) throw new BackendError(`backend wasm: tfjs-backend-wasm-simd.wasm not found in ${candidates.join(', ')}`);
  return dir;
}

async function loadWasm(): Promise<BackendInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = wasmDir() + '/';
  wasm.setWasmPaths(dir); // a directory prefix: emscripten then reads the files with fs, not fetch
  const { registerWasmKernels } = await import('./wasmKernels');
  registerWasmKernels();
  // Native kernels (system CBLAS products + fused kernels) where built and a BLAS is found; otherwise
  // our SIMD128 kernel for batched products (attention); ORPO_LAB_SIMD_BMM=0 keeps tfjs's own.
  const native = (await import('./native/kernels')).registerNativeKernels();
  const bmm = [join(dir, 'bmm.wasm'), join(__dirname, 'simd', 'bmm.wasm')].find((p) => existsSync(p));
  if (typeof native === 'string' && bmm && process.env.ORPO_LAB_SIMD_BMM !== '0') (await import('./simd/bmm')).registerSimdBatchMatMul(bmm);
  setExplicitTranspose(typeof native === 'string');
  if (!(await tf.setBackend('wasm'))) throw new BackendError('backend wasm: tfjs could not initialise WebAssembly.');
  await tf.ready();
  const cpu = typeof native === 'string' ? `${wasm.getThreadsCount()} thread; native kernels off: ${native}` : `+ ${native.library} sgemm and fused kernels, ${native.threads} BLAS thread${native.threads === 1 ? '' : 's'}`;
  return { backend: 'wasm', device: `CPU (WebAssembly SIMD ${cpu})` };
}

/** tfjs cpu storage with the native kernels (native/cpuBackend.ts): no wasm heap limit. */
async function loadNative(): Promise<BackendInfo> {
  await import('@tensorflow/tfjs-backend-cpu');
  const { registerNativeBackend, NATIVE } = await import('./native/cpuBackend');
  const native = registerNativeBackend();
  if (typeof native === 'string') throw new BackendError(`backend native: ${native}`);
  setExplicitTranspose(false);
  if (!(await tf.setBackend(NATIVE))) throw new BackendError('backend native: tfjs could not initialise it.');
  await tf.ready();
  return { backend: NATIVE, device: `CPU (native kernels: ${native.library} sgemm, ${native.threads} BLAS thread${native.threads === 1 ? '' : 's'}; memory outside the wasm heap)` };
}

async function loadCpu(): Promise<BackendInfo> {
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  await tf.ready();
  return { backend: 'cpu', device: 'CPU (plain JavaScript)' };
}

const loaders: Record<Exclude<Backend, 'auto'>, Loader> = {
  tensorflow: () => loadTensorflow(),
  webgpu: () => loadWebgpu(true),
  native: loadNative,
  wasm: loadWasm,
  cpu: loadCpu,
};

/** Whether the WebGPU adapter in use is a software one (classify.ts); undefined before WebGPU loads. */
export function webgpuAdapterIsSoftware(): boolean | undefined {
  return webgpuInfo ? webgpuSoftware : undefined;
}

export interface SelectOptions {
  /** The run's model shape: with it, `auto` times GPU against native (auto.ts). */
  shape?: RunShape;
  /** The timing cache file (default: autoCache.cacheFile()). */
  cache?: string;
  /** Cache problems (corrupt, not writable). */
  warn?: (message: string) => void;
}

/**
 * Initialises the requested backend and says why it was chosen. With `auto`, the backends skipped and
 * why are in the reason, on `log` only when ORPO_LAB_VERBOSE=1, and in the error when none loads.
 */
export async function selectBackend(name: Backend, log: (line: string) => void = () => {}, o: SelectOptions = {}): Promise<Selected> {
  // Production mode: no console banners from tfjs (our stderr is the user's log) and no debug checks.
  tf.env().set('PROD', true);
  if (name !== 'auto') return { ...(await loaders[name]()), reason: `${name}: named in the config or on the command line` };
  // ORPO_LAB_AUTO_SOFTWARE_GPU=1 (tests only) admits a software WebGPU adapter as a GPU candidate.
  const software = process.env.ORPO_LAB_AUTO_SOFTWARE_GPU === '1';
  try {
    return await selectAuto({
      gpus: [['tensorflow', () => loadTensorflow(true)], ['webgpu', () => loadWebgpu(software)]],
      native: loadNative,
      fallbacks: [['wasm', loadWasm], ['tensorflow', () => loadTensorflow()], ['cpu', loadCpu]],
    }, { ...o, version: packageVersion() ?? 'unknown', log, warn: o.warn ?? log });
  } catch (e) {
    throw new BackendError(e instanceof Error ? e.message : String(e));
  }
}

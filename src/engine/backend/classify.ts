// What counts as a hardware GPU for `backend: auto` (issue 11 §5). A WebGPU adapter counts unless it is
// a software rasteriser (Mesa's llvmpipe/lavapipe/softpipe, SwiftShader, Windows' WARP "Microsoft Basic
// Render Driver") or reports itself as a fallback adapter (WebGPU's GPUAdapterInfo.isFallbackAdapter).
// libtensorflow (tfjs-node, tfjs-node-gpu) counts only when its backend says it placed work on a GPU:
// NodeJSKernelBackend.isUsingGpuDevice, set from the binding's device list (tfjs-node
// src/nodejs_kernel_backend.ts). Without CUDA 11 tfjs-node-gpu runs on the CPU without a word
// (tensorflow/tfjs#8269); then it is a CPU backend and never pre-empts the native path.

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render driver|\bwarp\b/i;

/** The words a WebGPU adapter describes itself with (GPUAdapterInfo). */
export interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** One line naming the adapter, e.g. "nvidia hopper NVIDIA H100 80GB HBM3". */
export function adapterName(info: AdapterInfo): string {
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter';
}

/** Whether a WebGPU adapter is a software one (slower than our CPU path, never a GPU for `auto`). */
export function isSoftwareAdapter(info: AdapterInfo | string): boolean {
  if (typeof info === 'string') return SOFTWARE_ADAPTER.test(info);
  return info.isFallbackAdapter === true || SOFTWARE_ADAPTER.test(adapterName(info));
}

/** Where libtensorflow runs, from the loaded backend's `isUsingGpuDevice` (anything but true is the CPU). */
export function tensorflowDevice(pkg: string, backend: unknown): { gpu: boolean; device: string } {
  const gpu = typeof backend === 'object' && backend !== null && (backend as { isUsingGpuDevice?: unknown }).isUsingGpuDevice === true;
  if (gpu) return { gpu, device: `CUDA GPU (libtensorflow, ${pkg})` };
  const why = pkg.endsWith('-gpu') ? ': no CUDA GPU in use (it needs CUDA 11.2 and cuDNN 8.1)' : '';
  return { gpu, device: `CPU (libtensorflow, ${pkg}${why})` };
}

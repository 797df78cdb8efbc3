// The `native` backend: tfjs's cpu backend storage (one JavaScript typed array per tensor, outside
// any wasm heap, so bounded by system memory, not by wasm's 32-bit 4 GiB) with the native kernels
// for every op a training step spends its time in: CBLAS products, the fused kernels (fused.c),
// broadcasting arithmetic, transposes, softmax (ops.c) and row copies (rowKernels.ts); frozen 16-bit
// weights through halfKernels.ts (half.c). Every other op runs tfjs's cpu kernel. Parameters and AdamW
// moments update in place (fusedKernels.ts). The backend counts the bytes of the buffers it holds,
// and their peak, for the memory plan.
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { registerBoxKernels, registerRowKernels } from '../rowKernels';
import { registerCpuKernels } from './cpuKernels';
import { registerFused } from './fusedKernels';
import { registerHalf } from './halfKernels';
import { cpuIo } from './io';
import { loadAddon, registerBatchMatMul, type NativeInfo } from './kernels';

export const NATIVE = 'native';

const bytesOf = (v: unknown): number => (ArrayBuffer.isView(v) ? v.byteLength : Array.isArray(v) ? v.length * 8 : 0);

/** tfjs's cpu backend with live and peak byte counts of the buffers it holds. */
export class NativeBackend extends MathBackendCPU {
  live = 0;
  peak = 0;

  constructor() {
    super();
    (this as unknown as { firstUse: boolean }).firstUse = false; // no "install tfjs-node" banner
  }

  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): object {
    const id = super.write(values, shape, dtype);
    this.live += bytesOf(values);
    this.peak = Math.max(this.peak, this.live);
    return id;
  }

  override move(dataId: object, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.live += bytesOf(values) - bytesOf(this.data.get(dataId)?.values);
    this.peak = Math.max(this.peak, this.live);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override disposeData(dataId: object, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const released = super.disposeData(dataId, force);
    if (released && values !== undefined && !this.data.has(dataId)) this.live -= bytesOf(values);
    return released;
  }

  /** Starts a new peak from what is held now. */
  resetPeak(): void {
    this.peak = this.live;
  }
}

let info: NativeInfo | undefined;

/** Registers the `native` backend and its kernels, or says why it cannot (no addon, no CBLAS). */
export function registerNativeBackend(): NativeInfo | string {
  if (info) return info;
  const l = loadAddon();
  if (typeof l === 'string') return l;
  tf.registerBackend(NATIVE, () => new NativeBackend(), 0);
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: NATIVE });
  const io = cpuIo(NATIVE);
  registerRowKernels(io);
  registerBoxKernels(io);
  registerCpuKernels(l.addon, io);
  registerFused(l.addon, io); // after the binary kernels: its bias Add defers to them
  registerBatchMatMul(l.addon, io);
  registerHalf(l.addon, io); // 16-bit frozen weights (ops/half.ts): native only
  info = l.info;
  return info;
}

/** The native backend's live and peak bytes, when it is the active backend. */
export function nativeMemory(): { live: number; peak: number; backend: NativeBackend } | undefined {
  const b = tf.engine().backendName === NATIVE ? (tf.backend() as unknown as NativeBackend) : undefined;
  return b ? { live: b.live, peak: b.peak, backend: b } : undefined;
}

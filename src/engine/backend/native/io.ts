// How a kernel body reaches tensor memory on the two backends the native kernels serve: the tfjs
// wasm backend (views into its 32-bit heap; an allocation may grow the heap and detach earlier views,
// so outputs are allocated before any view is taken) and the native CPU backend (cpuBackend.ts:
// tfjs cpu storage, one JavaScript typed array per tensor, outside any wasm heap). Kernel
// registration with a fallback to the kernel registered before ours is here too.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export type Typed = Float32Array | Int32Array | Uint8Array;

export interface KernelIo {
  /** The tfjs backend name the kernels are registered for. */
  readonly backend: string;
  /** A new output tensor. */
  out(b: tf.KernelBackend, shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** The memory of t. */
  view(b: tf.KernelBackend, t: tf.TensorInfo): Typed;
  /** Whether updates (AdamW) may write their inputs in place and return them. */
  readonly inPlace: boolean;
}

export const wasmIo: KernelIo = {
  backend: 'wasm',
  out: (b, shape, dtype) => (b as BackendWasm).makeOutput(shape, dtype),
  view: (b, t) => (b as BackendWasm).typedArrayFromHeap(t) as Typed,
  inPlace: false,
};

const ARRAYS: Partial<Record<tf.DataType, new (n: number) => Typed>> = { float32: Float32Array, int32: Int32Array, bool: Uint8Array };

export const cpuIo = (backend: string): KernelIo => ({
  backend,
  out: (b, shape, dtype) => {
    const Make = ARRAYS[dtype];
    if (!Make) throw new Error(`native backend: no ${dtype} outputs`);
    return (b as MathBackendCPU).makeTensorInfo(shape, dtype, new Make(shape.reduce((x, y) => x * y, 1)));
  },
  view: (b, t) => {
    const v = (b as MathBackendCPU).data.get(t.dataId)?.values;
    if (!v) throw new Error('native backend: a tensor has no data');
    const Want = ARRAYS[t.dtype];
    // tfjs's cpu Cast keeps a bool tensor's Uint8Array for its float32 result: read a converted copy.
    if (!Want || v instanceof Want) return v as Typed;
    const copy = new Want((v as Typed).length);
    copy.set(v as Typed);
    return copy;
  },
  inPlace: true,
});

type Args = Parameters<tf.KernelFunc>[0];
export type Fast = (args: Args, b: tf.KernelBackend) => tf.TensorInfo | tf.TensorInfo[] | undefined;

/** Registers `fast` as kernel `name` of io's backend; where it returns undefined, the kernel registered before runs. */
export function overrideKernel(io: KernelIo, name: string, fast: Fast): void {
  const original = tf.getKernel(name, io.backend);
  if (original) tf.unregisterKernel(name, io.backend);
  tf.registerKernel({
    kernelName: name,
    backendName: io.backend,
    ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
    kernelFunc: (args) => {
      const r = fast(args, args.backend as tf.KernelBackend);
      if (r) return r;
      if (!original) throw new Error(`${name}: unsupported inputs on the ${io.backend} backend`);
      return original.kernelFunc(args);
    },
  });
}

export const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

let writes = 0;
/** Counts in-place updates (caches keyed by a tensor's dataId also check this: the data changed, the id did not). */
export const inPlaceVersion = (): number => writes;
export const noteInPlaceWrite = (): void => void (writes += 1);

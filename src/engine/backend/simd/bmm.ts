// Batched matrix products for the tfjs wasm backend through our own WebAssembly SIMD128 kernel
// (bmm.c, built into bmm.wasm by scripts/build-simd.sh). tfjs-wasm 4.22 computes rank-3 products with
// batch > 1 in a scalar loop; attention's QKᵀ and PV products are exactly those. Only that case is
// taken over: plain (untransposed) float32 [Z,M,K]·[Z,K,N]; everything else goes to the original kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';

interface Bmm {
  memory: WebAssembly.Memory;
  bmm: (a: number, b: number, c: number, Z: number, M: number, K: number, N: number) => void;
}

let instance: Bmm | undefined;

function load(wasmPath: string): Bmm {
  if (!instance) {
    const mod = new WebAssembly.Module(readFileSync(wasmPath));
    instance = new WebAssembly.Instance(mod, {}).exports as unknown as Bmm;
  }
  return instance;
}

/** C = A·B on float32 arrays in row-major [Z,M,K]·[Z,K,N] → [Z,M,N], through the SIMD kernel. */
export function simdBmm(wasmPath: string, a: Float32Array, b: Float32Array, Z: number, M: number, K: number, N: number): Float32Array {
  const k = load(wasmPath);
  const need = (Z * M * K + Z * K * N + Z * M * N) * 4 + 64;
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  const base = 16; // address 0 stays unused
  const aOff = base;
  const bOff = aOff + a.length * 4;
  const cOff = bOff + b.length * 4;
  const heap = new Float32Array(k.memory.buffer);
  heap.set(a, aOff / 4);
  heap.set(b, bOff / 4);
  k.bmm(aOff, bOff, cOff, Z, M, K, N);
  return new Float32Array(k.memory.buffer, cOff, Z * M * N);
}

let registered = false;

/** Whether the wasm backend's BatchMatMul is ours. */
export const simdBatchMatMulActive = (): boolean => registered;

/** Routes untransposed float32 batched products (batch > 1) of the wasm backend to the SIMD kernel. */
export function registerSimdBatchMatMul(wasmPath: string): void {
  if (registered) return;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original) return;
  registered = true;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    // The original binds its C function when the backend initialises: keep that step.
    ...(original.setupFunc ? { setupFunc: original.setupFunc } : {}),
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      const Z = a.shape[0] as number;
      if (transposeA || transposeB || a.shape.length !== 3 || b.shape.length !== 3 || b.shape[0] !== Z || Z < 2 || a.dtype !== 'float32' || b.dtype !== 'float32') {
        return original.kernelFunc(args);
      }
      const [, M, K] = a.shape as [number, number, number];
      const N = b.shape[2] as number;
      const backend = args.backend as BackendWasm;
      const out = backend.makeOutput([Z, M, N], 'float32');
      const c = simdBmm(wasmPath, backend.typedArrayFromHeap(a) as Float32Array, backend.typedArrayFromHeap(b) as Float32Array, Z, M, K, N);
      (backend.typedArrayFromHeap(out) as Float32Array).set(c);
      return out;
    },
  });
}

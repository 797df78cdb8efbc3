// Kernels the tfjs wasm backend (4.22) lacks or runs slowly: SplitV, axis-0 GatherV2 and
// UnsortedSegmentSum (which tfjs-wasm lacks: the gradient of every embedding lookup) as row copies
// (rowKernels.ts), and Identity sharing its input's buffer.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { overrideKernel, wasmIo } from './native/io';
import { registerRowKernels } from './rowKernels';

export function registerWasmFastPaths(): void {
  registerRowKernels(wasmIo);
  // Identity shares its input's buffer (as the cpu backend and wasm's own Reshape do) instead of
  // copying it: tensors are immutable, and autodiff and customGrad call Identity on every
  // activation and logit tensor (4% of a step at the issue-7 shape).
  overrideKernel(wasmIo, 'Identity', (args, b) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return undefined;
    (b as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}

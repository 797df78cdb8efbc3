// Kernels the tfjs wasm backend (4.22) lacks or runs slowly, registered in plain TypeScript over the wasm heap.
// UnsortedSegmentSum is the gradient of tf.gather, i.e. of every embedding lookup; its semantics
// follow tf.math.unsorted_segment_sum (TensorFlow API docs): out[s, ...] = Σ_{i: ids[i] = s} x[i, ...].
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmFastPaths } from './wasmFastPaths';

let registered = false;

export function registerWasmKernels(): void {
  if (registered || tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  registered = true;
  registerWasmFastPaths();
  // Identity shares its input's buffer (as the cpu backend and wasm's own Reshape do) instead of
  // copying it: tensors are immutable, and autodiff and customGrad call Identity on every
  // activation and logit tensor (4% of a step at the issue-7 shape).
  const identity = tf.getKernel('Identity', 'wasm');
  if (identity) {
    tf.unregisterKernel('Identity', 'wasm');
    tf.registerKernel({
      kernelName: 'Identity',
      backendName: 'wasm',
      kernelFunc: (args) => {
        const x = args.inputs.x as tf.TensorInfo;
        if (x.dtype === 'string') return identity.kernelFunc(args);
        (args.backend as BackendWasm).incRef(x.dataId);
        return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
      },
    });
  }
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as BackendWasm;
      const x = inputs.x as tf.TensorInfo;
      const ids = inputs.segmentIds as tf.TensorInfo;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const n = ids.shape.reduce((a, b) => a * b, 1);
      const inner = x.shape.slice(ids.shape.length).reduce((a, b) => a * b, 1);
      const outShape = [numSegments, ...x.shape.slice(ids.shape.length)];
      const out = wasm.makeOutput(outShape, x.dtype);
      const xv = wasm.typedArrayFromHeap(x);
      const iv = wasm.typedArrayFromHeap(ids);
      const ov = wasm.typedArrayFromHeap(out);
      ov.fill(0);
      for (let i = 0; i < n; i++) {
        const s = iv[i] as number;
        if (s < 0 || s >= numSegments) continue;
        const src = i * inner;
        const dst = s * inner;
        for (let j = 0; j < inner; j++) (ov[dst + j] as number) += xv[src + j] as number;
      }
      return out;
    },
  });
}

// Kernels the tfjs wasm backend (4.22) lacks, registered in plain TypeScript over the wasm heap.
// UnsortedSegmentSum is the gradient of tf.gather, i.e. of every embedding lookup; its semantics
// follow tf.math.unsorted_segment_sum (TensorFlow API docs): out[s, ...] = Σ_{i: ids[i] = s} x[i, ...].
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

let registered = false;

export function registerWasmKernels(): void {
  if (registered || tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  registered = true;
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

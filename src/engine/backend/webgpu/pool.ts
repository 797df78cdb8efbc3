// tfjs-webgpu keeps every GPU buffer a disposed tensor held in a free pool keyed by size and usage
// (buffer_manager.js, 4.22), so the pool only grows. After an evaluation, whose batches have other
// shapes than training's, the free buffers are destroyed: the pool comes back down to what live
// tensors use. Buffers still in flight on the GPU are freed by WebGPU when their work completes.
import * as tf from '@tensorflow/tfjs-core';

interface BufferPool {
  freeBuffers: Map<string, GPUBuffer[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
}

/** Destroys tfjs-webgpu's free buffers; returns the bytes released (0 on other backends). */
export function releaseGpuPool(): number {
  if (tf.getBackend() !== 'webgpu') return 0;
  const pool = (tf.backend() as unknown as { bufferManager?: BufferPool }).bufferManager;
  if (!pool) return 0;
  let bytes = 0;
  for (const list of pool.freeBuffers.values()) {
    for (const b of list) {
      bytes += b.size;
      b.destroy();
    }
    list.length = 0; // keys stay: releaseBuffer does nothing while the map is empty
  }
  pool.numFreeBuffers = 0;
  pool.numBytesAllocated -= bytes;
  return bytes;
}

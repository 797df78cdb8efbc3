// Running our own WGSL compute shaders inside tfjs-webgpu's command stream: the same command encoder,
// compute pass, uniform buffers, deferred-submit batching and buffer-lifetime bookkeeping that
// tfjs-webgpu's runWebGPUProgram uses (backend_webgpu.js, 4.22), but with any number of outputs,
// buffer copies between tensors, and pipelines compiled once per shader. Tensors are bound in the
// order given, as @binding(0..), then the uniforms (all f32 or u32 scalars) as the last binding.
import * as tf from '@tensorflow/tfjs-core';

type DataId = object;
interface TensorData { values: unknown; resource: GPUBuffer | null }

/** The parts of tfjs-webgpu's WebGPUBackend used here (some are private in its typings). */
export interface WebgpuBackend {
  device: GPUDevice;
  queue: GPUQueue;
  tensorMap: { get(id: DataId): TensorData };
  uploadToGPU(id: DataId): void;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  makeUniforms(u: { type: string; data: number[] }[]): GPUBufferBinding;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  commandEncoder: GPUCommandEncoder;
  computePassEncoder: GPUComputePassEncoder | null;
  commandQueueOwnedIds: WeakSet<DataId>;
  dispatchCountInPass: number;
}

/** A uniform scalar: f32 unless marked u32. */
export type Uniform = number | { u32: number };

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

/** The compute pipeline of `code` (entry point `main`), compiled once per device. */
function pipeline(b: WebgpuBackend, key: string, code: string): GPUComputePipeline {
  let cache = pipelines.get(b.device);
  if (!cache) pipelines.set(b.device, (cache = new Map()));
  let p = cache.get(key);
  if (!p) {
    p = b.device.createComputePipeline({ layout: 'auto', compute: { module: b.device.createShaderModule({ code }), entryPoint: 'main' } });
    cache.set(key, p);
  }
  return p;
}

/** The GPU buffer of a tensor, uploaded first if its values are still on the CPU. */
export function bufferOf(b: WebgpuBackend, t: tf.TensorInfo): GPUBuffer {
  b.uploadToGPU(t.dataId);
  const d = b.tensorMap.get(t.dataId);
  if (!d.resource || !(d.resource instanceof GPUBuffer)) throw new Error('webgpu kernel: a tensor is not in a GPU buffer');
  b.commandQueueOwnedIds.add(t.dataId); // released only after the pending commands are submitted
  return d.resource;
}

/** Marks tensors written in place: their CPU copy (cached by an earlier read) is stale now. */
export function written(b: WebgpuBackend, ts: tf.TensorInfo[]): void {
  for (const t of ts) b.tensorMap.get(t.dataId).values = null;
}

/** A new float32 (or int32) output tensor with its GPU buffer. */
export function output(b: WebgpuBackend, shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
  const t = b.makeTensorInfo(shape, dtype);
  bufferOf(b, t);
  return t;
}

/** Records one dispatch of shader `key` over `tensors` with `uniforms`; workgroups [x, y, z]. */
export function dispatch(b: WebgpuBackend, key: string, code: string, tensors: tf.TensorInfo[], uniforms: Uniform[], groups: [number, number?, number?]): void {
  const pipe = pipeline(b, key, code);
  const entries: GPUBindGroupEntry[] = tensors.map((t, i) => ({ binding: i, resource: { buffer: bufferOf(b, t) } }));
  if (uniforms.length) {
    const u = b.makeUniforms(uniforms.map((x) => (typeof x === 'number' ? { type: 'float32', data: [x] } : { type: 'uint32', data: [x.u32] })));
    entries.push({ binding: tensors.length, resource: u });
  }
  const bindGroup = b.device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries });
  b.ensureCommandEncoderReady();
  if (!b.computePassEncoder) b.computePassEncoder = b.commandEncoder.beginComputePass({});
  b.computePassEncoder.setPipeline(pipe);
  b.computePassEncoder.setBindGroup(0, bindGroup);
  b.computePassEncoder.dispatchWorkgroups(groups[0], groups[1] ?? 1, groups[2] ?? 1);
  b.dispatchCountInPass++;
  if (tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') <= b.dispatchCountInPass) {
    b.endComputePassEncoder();
    b.submitQueue();
  }
}

/** Records buffer copies (bytes, all multiples of 4) between tensors: no dispatch. */
export function copy(b: WebgpuBackend, jobs: { src: tf.TensorInfo; srcOff: number; dst: tf.TensorInfo; dstOff: number; bytes: number }[]): void {
  if (!jobs.length) return;
  const bufs = jobs.map((j) => [bufferOf(b, j.src), bufferOf(b, j.dst)] as const);
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  jobs.forEach((j, i) => {
    const [s, d] = bufs[i] as readonly [GPUBuffer, GPUBuffer];
    if (j.bytes > 0) b.commandEncoder.copyBufferToBuffer(s, j.srcOff, d, j.dstOff, j.bytes);
  });
}

/** Workgroups to cover `n` items at `per` items each, capped (the rest by a grid-stride loop). */
export const groupsFor = (n: number, per: number, cap = 65535): number => Math.max(1, Math.min(cap, Math.ceil(n / per)));

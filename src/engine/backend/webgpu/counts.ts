// Counts of what the WebGPU path asks of the device: compute dispatches, queue submits, staging
// buffers, bytes uploaded (data and uniforms apart), GPU → CPU reads, pipeline compiles, and the bytes
// held in GPU buffers (tfjs-webgpu's pool and tensors, our kernels' outputs), high-water mark. They are
// taken by wrapping the `webgpu` package's (Dawn's) GPUDevice, GPUQueue, GPUComputePassEncoder and
// GPUBuffer methods, so they do not depend on which GPU runs the step: Dawn's null backend
// (ORPO_LAB_DAWN_FLAGS=backend=null) gives the same counts as a real GPU. Issue 11, §4.

export interface GpuCounts {
  /** dispatchWorkgroups calls. */
  dispatches: number;
  /** queue.submit calls. */
  submits: number;
  /** Buffers created with MAP_WRITE or MAP_READ usage (staging for uploads and reads). */
  staging: number;
  /** Host → GPU bytes of data: buffers mapped at creation plus writeBuffer into non-uniform buffers. */
  uploadBytes: number;
  /** Host → GPU bytes written into uniform buffers (one small write per tfjs dispatch). */
  uniformBytes: number;
  /** mapAsync(READ) calls: GPU → CPU reads. */
  reads: number;
  /** Compute pipelines created (shader compiles). */
  compiles: number;
  /** Bytes in GPU buffers created and not destroyed (a level, not a count: diffCounts keeps the later one). */
  liveBytes: number;
  /** The most liveBytes reached since resetGpuPeak (a level too). */
  peakBytes: number;
}

const LEVELS = new Set<keyof GpuCounts>(['liveBytes', 'peakBytes']);
const zero = (): GpuCounts => ({ dispatches: 0, submits: 0, staging: 0, uploadBytes: 0, uniformBytes: 0, reads: 0, compiles: 0, liveBytes: 0, peakBytes: 0 });
const counts = zero();
let installed = false;
const destroyed = new WeakSet<object>();

/** The counts so far (a copy); zeros when counting was never installed. */
export const gpuCounts = (): GpuCounts => ({ ...counts });

/** Starts a new high-water mark of GPU buffer bytes from what is held now (e.g. at a step's start). */
export function resetGpuPeak(): void {
  counts.peakBytes = counts.liveBytes;
}

/** Whether install() ran in this process. */
export const countingOn = (): boolean => installed;

/** b − a, field by field. */
export function diffCounts(a: GpuCounts, b: GpuCounts): GpuCounts {
  const d = zero();
  for (const k of Object.keys(d) as (keyof GpuCounts)[]) d[k] = LEVELS.has(k) ? b[k] : b[k] - a[k];
  return d;
}

type Proto = Record<string, unknown>;
/** Wraps method `name` of a class prototype so `before` sees its arguments first. */
function wrap(cls: unknown, name: string, before: (self: unknown, args: unknown[]) => void): void {
  const proto = (cls as { prototype?: Proto } | undefined)?.prototype;
  const orig = proto?.[name];
  if (!proto || typeof orig !== 'function') throw new Error(`webgpu counting: ${String((cls as { name?: string })?.name)}.${name} not found`);
  proto[name] = function (this: unknown, ...args: unknown[]) {
    before(this, args);
    return (orig as (...a: unknown[]) => unknown).apply(this, args);
  };
}

/** Installs the counters on the `webgpu` package's classes (`globals`); call before any device exists. */
export function installCounting(globals: Record<string, unknown>): void {
  if (installed) return;
  installed = true;
  const usage = globals.GPUBufferUsage as Record<string, number>;
  const mapRead = (globals.GPUMapMode as Record<string, number>).READ as number;
  const MAP = (usage.MAP_WRITE as number) | (usage.MAP_READ as number);
  const UNIFORM = usage.UNIFORM as number;
  wrap(globals.GPUComputePassEncoder, 'dispatchWorkgroups', () => { counts.dispatches++; });
  wrap(globals.GPUQueue, 'submit', () => { counts.submits++; });
  wrap(globals.GPUQueue, 'writeBuffer', (_, [buffer, , data, , size]) => {
    const bytes = typeof size === 'number' ? size * (((data as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1)) : (data as ArrayBuffer).byteLength;
    if (((buffer as GPUBuffer).usage & UNIFORM) !== 0) counts.uniformBytes += bytes;
    else counts.uploadBytes += bytes;
  });
  wrap(globals.GPUDevice, 'createBuffer', (_, [d]) => {
    const desc = d as GPUBufferDescriptor;
    if ((desc.usage & MAP) !== 0) counts.staging++;
    if (desc.mappedAtCreation) counts.uploadBytes += desc.size;
    counts.liveBytes += desc.size;
    counts.peakBytes = Math.max(counts.peakBytes, counts.liveBytes);
  });
  wrap(globals.GPUBuffer, 'destroy', (self) => {
    const buf = self as GPUBuffer;
    if (destroyed.has(buf)) return;
    destroyed.add(buf);
    counts.liveBytes -= buf.size;
  });
  wrap(globals.GPUBuffer, 'mapAsync', (_, [mode]) => { if (((mode as number) & mapRead) !== 0) counts.reads++; });
  wrap(globals.GPUDevice, 'createComputePipeline', () => { counts.compiles++; });
  wrap(globals.GPUDevice, 'createComputePipelineAsync', () => { counts.compiles++; });
}

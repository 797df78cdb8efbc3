// The active WebGPU device's per-buffer limits (tfjs-webgpu requests the adapter's own maxima when it
// creates the device), for the memory plan's check of a run's largest buffer (server/service/memoryPlan.ts),
// and their record for validation, which has no GPU to ask (common/gpuLimits.ts).
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { cacheDir, GPU_LIMITS_FILE, type GpuLimitsRecord } from '../../../common/gpuLimits';
import type { AdapterLimits } from '../../../server/service/memoryPlan';

/** The limits of the device behind the `webgpu` backend, or undefined when another backend is active. */
export function webgpuLimits(): AdapterLimits | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  const l = (tf.backend() as unknown as { device: { limits: AdapterLimits } }).device.limits;
  return { maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxBufferSize: l.maxBufferSize };
}

/**
 * Records the active device's limits for validation on this machine (common/gpuLimits.ts), atomically;
 * a cache that cannot be written only costs that check, so a failure is returned, not thrown.
 */
export function recordGpuLimits(adapter: string, software: boolean, dir: string = cacheDir(process.env, process.platform, homedir())): string | undefined {
  const l = webgpuLimits();
  if (!l) return 'no webgpu backend';
  const file = join(dir, GPU_LIMITS_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  const record: GpuLimitsRecord = { adapter, software, ...l, date: new Date().toISOString() };
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, JSON.stringify(record) + '\n');
    renameSync(tmp, file);
    return undefined;
  } catch (e) {
    rmSync(tmp, { force: true });
    return `${file}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

// The WebGPU adapter last seen on this machine and its per-buffer limits, recorded by the engine when it
// starts the webgpu backend and read by validation (the language server, `orpo-lab validate`), which
// has no GPU of its own to ask: a run's largest buffer is checked against them (memory plan, issue 13
// §5). One JSON file in the cache folder the engine's backend timings use: $ORPO_LAB_CACHE_DIR (the
// extension passes its global storage to the engine and the server), else the platform's cache folder.
import { join } from 'node:path';
import { isObj } from './json';

export const GPU_LIMITS_FILE = 'webgpu-limits.json';

export interface GpuLimitsRecord {
  /** The adapter as the engine names it (vendor, architecture, description). */
  adapter: string;
  software: boolean;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  /** ISO time of the recording. */
  date: string;
}

/** ORPO Lab's cache folder: $ORPO_LAB_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows. */
export function cacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (env.ORPO_LAB_CACHE_DIR) return env.ORPO_LAB_CACHE_DIR;
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'orpo-lab');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'orpo-lab');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'orpo-lab');
}

const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** The record in `text`, or why it is not one. */
export function parseGpuLimits(text: string): GpuLimitsRecord | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `not JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  if (!isObj(v) || typeof v.adapter !== 'string' || typeof v.software !== 'boolean' || !positive(v.maxStorageBufferBindingSize) || !positive(v.maxBufferSize) || typeof v.date !== 'string') {
    return 'expected {"adapter", "software", "maxStorageBufferBindingSize", "maxBufferSize", "date"}';
  }
  return { adapter: v.adapter, software: v.software, maxStorageBufferBindingSize: v.maxStorageBufferBindingSize, maxBufferSize: v.maxBufferSize, date: v.date };
}

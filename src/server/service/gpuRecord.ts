// Reads the record of the WebGPU adapter this machine's engine last started (common/gpuLimits.ts) for
// validation's per-buffer check. Read again at most every 2 s; a missing or unreadable record means no
// check (the engine checks the device itself when a run starts).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, GPU_LIMITS_FILE, parseGpuLimits, type GpuLimitsRecord } from '../../common/gpuLimits';

let memo: { at: number; file: string; value: GpuLimitsRecord | undefined } | undefined;

export function readGpuRecord(file: string = join(cacheDir(process.env, process.platform, homedir()), GPU_LIMITS_FILE), now = Date.now()): GpuLimitsRecord | undefined {
  if (memo && memo.file === file && now - memo.at < 2000) return memo.value;
  let value: GpuLimitsRecord | undefined;
  try {
    const r = parseGpuLimits(readFileSync(file, 'utf8'));
    value = typeof r === 'string' ? undefined : r;
  } catch {
    value = undefined;
  }
  memo = { at: now, file, value };
  return value;
}

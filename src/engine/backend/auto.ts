// `backend: auto` (issue 11 §5): the fastest backend that works for the run's shape. Hardware GPUs
// (tfjs-node-gpu when libtensorflow really uses a GPU, WebGPU on a hardware adapter: classify.ts) and
// the native CPU path are loaded; where a GPU and native both exist and the run's shape is known, one
// or two real steps of that shape are timed on each (timeStep.ts) and the faster taken (autoPick.ts),
// the result cached per machine, shape and engine version (autoCache.ts). Otherwise: a GPU, else
// native, wasm, libtensorflow on the CPU, cpu. The loaders come from select.ts (no import cycle).
import { cpus, hostname } from 'node:os';
import { fromCache, pickFastest, type Choice, type Timed } from './autoPick';
import { cacheFile, readCache, writeCache } from './autoCache';
import { shapeKey, timeSteps, type RunShape } from './timeStep';

export interface BackendInfo {
  /** The tfjs backend name actually running: tensorflow, webgpu, native, wasm or cpu. */
  backend: string;
  /** The device behind it, in words. */
  device: string;
}
export type Loader = () => Promise<BackendInfo>;
export type Selected = BackendInfo & { reason: string; times?: Record<string, number>; cachedFrom?: string };

export interface AutoDeps {
  /** Hardware GPU candidates; each loader throws when its GPU is absent or is not a hardware GPU. */
  gpus: [string, Loader][];
  native: Loader;
  /** Tried in order when there is neither a GPU nor native. */
  fallbacks: [string, Loader][];
}

export interface AutoOptions {
  shape?: RunShape;
  /** Engine version (the cache key's last part). */
  version: string;
  /** The timing cache file; default autoCache.cacheFile(). */
  cache?: string;
  log: (line: string) => void;
  /** Cache problems: corrupt file, failed write. */
  warn: (message: string) => void;
  /** Times the active backend (tests inject nothing here; timeStep.timeSteps by default). */
  time?: (s: RunShape) => Promise<number>;
}

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function selectAuto(deps: AutoDeps, o: AutoOptions): Promise<Selected> {
  const skipped: string[] = [];
  const skip = (label: string, e: unknown) => {
    skipped.push(`${label}: ${why(e).replace(`backend ${label}: `, '')}`);
    if (process.env.ORPO_LAB_VERBOSE === '1') o.log(`auto: skipping ${skipped.at(-1) ?? label}`);
  };
  const gpus: { label: string; info: BackendInfo; load: Loader }[] = [];
  for (const [label, load] of deps.gpus) {
    try {
      gpus.push({ label, info: await load(), load });
    } catch (e) {
      skip(label, e);
    }
  }
  let native: BackendInfo | undefined;
  try {
    native = await deps.native();
  } catch (e) {
    skip('native', e);
  }
  if (gpus.length > 0 && native && o.shape) {
    const all = [...gpus, { label: 'native', info: native, load: deps.native }];
    const chosen = await timeOrCache(all, o.shape, o);
    const c = typeof chosen === 'string' ? undefined : all.find((x) => x.label === chosen.backend);
    if (typeof chosen !== 'string' && c) {
      const info = await c.load(); // the chosen backend active again, with its settings (e.g. explicit transposes)
      return { ...info, reason: chosen.reason, times: chosen.times, ...(chosen.cachedFrom ? { cachedFrom: chosen.cachedFrom } : {}) };
    }
    return { ...(await deps.native()), reason: `native: no backend could be timed at this run's shape (${typeof chosen === 'string' ? chosen : 'unknown pick'})` };
  }
  const gpu = gpus[0];
  if (gpu) {
    const info = await gpu.load();
    const rest = gpus.slice(1).map((g) => g.label);
    const because = native ? 'the run\'s model shape is not known here, so nothing was timed' : `native is not available (${skipped.filter((s) => s.startsWith('native:')).join('')})`;
    return { ...info, reason: `${gpu.label}: a hardware GPU; ${because}${rest.length ? `; also found ${rest.join(', ')}` : ''}` };
  }
  const noGpu = `no hardware GPU (${skipped.join('; ')})`;
  if (native) return { ...(await deps.native()), reason: `native: ${noGpu}` };
  for (const [label, load] of deps.fallbacks) {
    try {
      return { ...(await load()), reason: `${label}: ${noGpu}` };
    } catch (e) {
      skip(label, e);
    }
  }
  throw new Error(`no tfjs backend could be initialised:\n  ${skipped.join('\n  ')}`);
}

/** This machine in one line: host, CPU model, and the GPU devices found (their adapters' words). */
export function machineKey(gpuDevices: readonly string[]): string {
  return [hostname(), cpus()[0]?.model.trim() ?? 'unknown CPU', ...[...gpuDevices].sort()].join(' | ');
}

/** The cached pick for this machine and shape, or each candidate timed now (then cached); why none could be, in words. */
async function timeOrCache(all: { label: string; info: BackendInfo; load: Loader }[], shape: RunShape, o: AutoOptions): Promise<Choice | string> {
  const file = o.cache ?? cacheFile();
  const key = { machine: machineKey(all.filter((c) => c.label !== 'native').map((c) => c.info.device)), shape: shapeKey(shape), version: o.version };
  const hit = readCache(file, key, o.warn);
  const cached = hit && fromCache(hit, all.map((c) => c.label));
  if (cached) return cached;
  const time = o.time ?? ((s: RunShape) => timeSteps(s, o.log));
  const timed: Timed[] = [];
  for (const c of all) {
    try {
      await c.load();
      const ms = await time(shape);
      timed.push(Number.isFinite(ms) ? { backend: c.label, ms } : { backend: c.label, error: 'no step completed' });
      o.log(`auto: ${c.label} ${ms.toFixed(1)} ms/step at this run's shape`);
    } catch (e) {
      timed.push({ backend: c.label, error: why(e).split('\n')[0] ?? '' });
    }
  }
  const choice = pickFastest(timed);
  if (!choice) return timed.map((t) => `${t.backend}: ${'error' in t ? t.error : 'no time'}`).join('; ');
  writeCache(file, { ...key, backend: choice.backend, times: choice.times, date: new Date().toISOString() }, o.warn);
  return choice;
}

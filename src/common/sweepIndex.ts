// The index of a sweep directory, `<output_dir>/<name>-<timestamp>/sweep.json` (issue 15): the grid and,
// for each variant, its values, its run directory (relative to the sweep directory) and its status. Written
// atomically by `orpo-lab sweep` at every change; read by `--resume`, the report and the extension, all
// through `parseSweepIndex`. Also the sweep command's stdout events, one JSON object per line.
import type { SweepMode } from './sweep';
import { isObj, type Obj } from './json';

export const SWEEP_INDEX = 'sweep.json';

export const VARIANT_STATUSES = ['pending', 'running', 'completed', 'stopped', 'crashed'] as const;
export type VariantStatus = (typeof VARIANT_STATUSES)[number];

export interface SweepVariant {
  name: string;
  values: Record<string, unknown>;
  /** The variant's run directory, relative to the sweep directory (a normal run directory). */
  run_dir: string;
  /** The generated config the variant trains, relative to the sweep directory. */
  config: string;
  status: VariantStatus;
  /** Last step reported by the variant's engine. */
  step?: number;
  total_steps?: number;
  /** Why a variant crashed: the engine's error message or its exit. */
  error?: string;
  wall_s?: number;
}

export interface SweepIndex {
  version: 1;
  name: string;
  /** Absolute path of the config the sweep was started from. */
  config: string;
  created: string;
  mode: SweepMode;
  axes: { path: string; values: unknown[] }[];
  parallel: number;
  variants: SweepVariant[];
}

/** What the sweep command prints on stdout: one event per line. */
export type SweepEvent =
  | { type: 'sweep-started'; sweep_dir: string; variants: number; parallel: number }
  | { type: 'variant'; name: string; status: VariantStatus; run_dir: string; step?: number; total_steps?: number; error?: string }
  | { type: 'sweep-finished'; sweep_dir: string; counts: Record<VariantStatus, number> };

const isStatus = (v: unknown): v is VariantStatus => (VARIANT_STATUSES as readonly unknown[]).includes(v);
const optNum = (o: Obj, k: string) => o[k] === undefined || typeof o[k] === 'number';
const optStr = (o: Obj, k: string) => o[k] === undefined || typeof o[k] === 'string';

function checkVariant(v: unknown, i: number): string | undefined {
  if (!isObj(v)) return `variants[${i}] must be an object`;
  if (typeof v.name !== 'string' || typeof v.run_dir !== 'string' || typeof v.config !== 'string') return `variants[${i}] needs name, run_dir and config strings`;
  if (v.run_dir.includes('..') || v.run_dir.startsWith('/')) return `variants[${i}].run_dir must stay inside the sweep directory`;
  if (!isObj(v.values)) return `variants[${i}].values must be an object`;
  if (!isStatus(v.status)) return `variants[${i}].status must be one of ${VARIANT_STATUSES.join(', ')}`;
  if (!optNum(v, 'step') || !optNum(v, 'total_steps') || !optNum(v, 'wall_s') || !optStr(v, 'error')) return `variants[${i}]: step, total_steps, wall_s must be numbers and error a string`;
  return undefined;
}

/** Validates the parsed text of a sweep.json. */
export function parseSweepIndex(text: string): { ok: true; value: SweepIndex } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!isObj(v) || v.version !== 1) return { ok: false, error: 'not a version 1 sweep index' };
  if (typeof v.name !== 'string' || typeof v.config !== 'string' || typeof v.created !== 'string') return { ok: false, error: 'needs name, config and created strings' };
  if (v.mode !== 'product' && v.mode !== 'zip') return { ok: false, error: 'mode must be product or zip' };
  if (!Array.isArray(v.axes) || !v.axes.every((a) => isObj(a) && typeof a.path === 'string' && Array.isArray(a.values))) return { ok: false, error: 'axes must be a list of {path, values}' };
  if (typeof v.parallel !== 'number' || !Array.isArray(v.variants)) return { ok: false, error: 'needs parallel and variants' };
  for (let i = 0; i < v.variants.length; i++) {
    const err = checkVariant(v.variants[i], i);
    if (err) return { ok: false, error: err };
  }
  return { ok: true, value: v as unknown as SweepIndex };
}

/** Parses one stdout line of `orpo-lab sweep`. */
export function parseSweepEvent(line: string): SweepEvent | undefined {
  try {
    const v: unknown = JSON.parse(line);
    if (!isObj(v)) return undefined;
    switch (v.type) {
      case 'sweep-started': return typeof v.sweep_dir === 'string' && typeof v.variants === 'number' && typeof v.parallel === 'number' ? (v as SweepEvent) : undefined;
      case 'variant': return typeof v.name === 'string' && isStatus(v.status) && typeof v.run_dir === 'string' && optNum(v, 'step') && optNum(v, 'total_steps') && optStr(v, 'error') ? (v as SweepEvent) : undefined;
      case 'sweep-finished': return typeof v.sweep_dir === 'string' && isObj(v.counts) ? (v as SweepEvent) : undefined;
      default: return undefined;
    }
  } catch {
    return undefined;
  }
}

/** Counts of variants per status: the overall progress of a sweep. */
export function statusCounts(index: SweepIndex): Record<VariantStatus, number> {
  const counts = Object.fromEntries(VARIANT_STATUSES.map((s) => [s, 0])) as Record<VariantStatus, number>;
  for (const v of index.variants) counts[v.status]++;
  return counts;
}

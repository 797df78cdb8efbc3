// The `sweep:` section of an experiment config (issue 15): a map from config paths (`lambda`,
// `method`, `seed`, `train.learning_rate`) to lists of values, expanded into a grid of variants, each a
// normal config. `sweep.mode: zip` pairs the lists instead of taking their product. Pure functions only;
// validation of the values lives in the language service (src/server/service/sweepCheck.ts).
// In the spirit of W&B sweeps' grid method (https://docs.wandb.ai/guides/sweeps/sweep-config-keys).
import type { ObjectSpec, UnionSpec } from './specTypes';
import { isObj, type Obj } from './json';

export const SWEEP_KEY = 'sweep';
export const SWEEP_MODES = ['product', 'zip'] as const;
export type SweepMode = (typeof SWEEP_MODES)[number];
/** More variants than this is refused: a typo, not an experiment. */
export const MAX_SWEEP_RUNS = 1000;
/** Config paths that cannot be swept: they name the sweep itself. */
export const UNSWEEPABLE = ['name', 'output_dir'] as const;

const sweepObject: ObjectSpec = {
  kind: 'object',
  open: true,
  doc: 'A grid of variants.',
  fields: {
    mode: { kind: 'string', enum: SWEEP_MODES, doc: '`product` (the default): every combination of the lists. `zip`: the i-th values of every list together; the lists must have the same length.' },
  },
};

/**
 * The spec entry of `sweep:`. A union with one variant, so that filling defaults (config.ts) never adds
 * a `sweep` key to a config that has none.
 */
export const sweepSpec: UnionSpec = {
  kind: 'union',
  doc: 'Runs the config as a grid of variants with `orpo-lab sweep`: a map from config paths (`lambda`, `method`, `seed`, `train.learning_rate`, …) to lists of values, e.g. `lambda: [0.1, 0.25, 0.5]`. Each value is checked as if written in place.',
  ref: 'Hong et al. 2024, §6 and §7 (λ and probability-ratio ablations)',
  variants: [sweepObject],
};

export interface SweepAxis {
  /** Dotted config path, e.g. `train.learning_rate`. */
  path: string;
  values: unknown[];
}

export interface Sweep {
  mode: SweepMode;
  axes: SweepAxis[];
}

/** One point of the grid: the value of every axis, in axis order. */
export interface Variant {
  name: string;
  values: Record<string, unknown>;
}


/** The sweep of a parsed config, or undefined when it has none. Non-list entries are skipped (the validator reports them). */
export function readSweep(raw: unknown): Sweep | undefined {
  if (!isObj(raw) || !isObj(raw[SWEEP_KEY])) return undefined;
  const s = raw[SWEEP_KEY];
  const mode: SweepMode = s.mode === 'zip' ? 'zip' : 'product';
  const axes = Object.entries(s)
    .filter(([k, v]) => k !== 'mode' && Array.isArray(v))
    .map(([path, v]) => ({ path, values: v as unknown[] }));
  return { mode, axes };
}

/** How many variants the sweep has (0 when a list is empty; NaN for zip lists of different lengths). */
export function gridSize(s: Sweep): number {
  if (s.axes.length === 0) return 0;
  const lens = s.axes.map((a) => a.values.length);
  if (s.mode === 'product') return lens.reduce((a, b) => a * b, 1);
  return lens.every((n) => n === lens[0]) ? (lens[0] as number) : NaN;
}

/** A value in a directory name: a path by its last segment, anything else as written. */
const part = (v: unknown): string => (typeof v === 'string' ? (v.split(/[\\/]/).filter(Boolean).pop() ?? v) : JSON.stringify(v)).replace(/[^A-Za-z0-9.+-]+/g, '-');
const short = (path: string): string => path.slice(path.lastIndexOf('.') + 1);

/** A file-system-safe, readable variant name: `lambda=0.1_method=orpo_seed=1`. */
export function variantName(values: Record<string, unknown>): string {
  const paths = Object.keys(values);
  const shorts = paths.map(short);
  return paths.map((p, i) => `${shorts.indexOf(shorts[i] as string) === i && shorts.lastIndexOf(shorts[i] as string) === i ? short(p) : p}=${part(values[p])}`).join('_');
}

/** Every variant, first axis outermost (product) or index by index (zip). Throws on an invalid grid. */
export function expandGrid(s: Sweep): Variant[] {
  const n = gridSize(s);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`the sweep has no variants (${s.mode === 'zip' ? 'zip lists must be non-empty and of equal length' : 'every list must be non-empty'})`);
  if (n > MAX_SWEEP_RUNS) throw new Error(`the sweep has ${n} variants, more than ${MAX_SWEEP_RUNS}`);
  const out: Variant[] = [];
  const names = new Set<string>();
  for (let i = 0; i < n; i++) {
    const values: Record<string, unknown> = {};
    let rest = i;
    // Product: mixed-radix digits of i, last axis fastest. Zip: the same index on every axis.
    for (let a = s.axes.length - 1; a >= 0; a--) {
      const axis = s.axes[a] as SweepAxis;
      const k = s.mode === 'zip' ? i : rest % axis.values.length;
      if (s.mode === 'product') rest = Math.floor(rest / axis.values.length);
      values[axis.path] = axis.values[k];
    }
    const ordered = Object.fromEntries(s.axes.map((a) => [a.path, values[a.path]]));
    let name = variantName(ordered);
    for (let k = 2; names.has(name); k++) name = `${variantName(ordered)}-${k}`; // two paths with the same file name
    names.add(name);
    out.push({ name, values: ordered });
  }
  return out;
}

/** The config of one variant: `raw` without `sweep`, with each swept path set to the variant's value. */
export function applyVariant(raw: unknown, values: Record<string, unknown>): Obj {
  const out = structuredClone(isObj(raw) ? raw : {});
  delete out[SWEEP_KEY];
  for (const [path, v] of Object.entries(values)) {
    const keys = path.split('.');
    let cur: Obj = out;
    for (const k of keys.slice(0, -1)) {
      if (!isObj(cur[k])) cur[k] = {};
      cur = cur[k] as Obj;
    }
    cur[keys[keys.length - 1] as string] = structuredClone(v);
  }
  return out;
}

/**
 * What `train` (and Start Run) say of a config's `sweep:` section, which a single run ignores: its line
 * (1-based, found in `text`) and the sentence. Undefined when the config has no sweep.
 */
export function sweepIgnored(raw: unknown, text: string, config: string): { line: number; variants: number; message: string } | undefined {
  const s = readSweep(raw);
  if (!s) return undefined;
  const n = gridSize(s);
  const idx = text.split(/\r?\n/).findIndex((l) => new RegExp(`^${SWEEP_KEY}\\s*:`).test(l));
  const grid = Number.isFinite(n) ? `${n} variant${n === 1 ? '' : 's'}` : 'a grid';
  return {
    line: idx + 1 || 1,
    variants: Number.isFinite(n) ? n : 0,
    message: `the sweep: section (${grid}) is ignored by orpo-lab train, which runs the config once as written; run every variant with orpo-lab sweep ${config}`,
  };
}

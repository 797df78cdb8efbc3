// The sweep view's data (issue 15), pure: the payload the host sends (one sweep, its variants' eval rows
// and distributions), its validation, and the shaping of the three views: a table of final and best
// eval metrics per variant group with mean ± std over seeds, a metric against each swept value with one
// line per combination of the other factors, and the variants ordered by their swept values.

export { parseSweepPayload, type SweepPayload, type SweepVariantData } from '../../src/common/sweepPayload';
import type { SweepPayload, SweepVariantData } from '../../src/common/sweepPayload';

export const SEED_PATH = 'seed';
/** Metrics where lower is better; every other eval metric is better higher. */
const LOWER_BETTER = new Set(['eval/loss', 'eval/nll_loss']);
export const DEFAULT_METRIC = 'eval/rewards/margins';

export const fmtValue = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** The factors other than the seed: what a group of variants shares. */
export function factors(p: SweepPayload): string[] {
  return p.axes.map((a) => a.path).filter((a) => a !== SEED_PATH);
}

/** A group's key: its values of the non-seed factors (variants differing only in seed share it). */
export function groupKey(p: SweepPayload, values: Record<string, unknown>, without?: string): string {
  return factors(p).filter((f) => f !== without).map((f) => `${f}=${fmtValue(values[f])}`).join(', ') || 'all';
}

export function meanStd(xs: readonly number[]): { mean: number; std: number; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  // Sample standard deviation (n − 1), as error bars over seeds usually are; 0 for one seed.
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Eval metric names present in any variant, `eval/rewards/margins` first. */
export function evalMetrics(p: SweepPayload): string[] {
  const keys = new Set<string>();
  for (const v of p.variants) for (const r of v.evals) for (const k of Object.keys(r)) if (k.startsWith('eval/')) keys.add(k);
  return [...keys].sort((a, b) => (a === DEFAULT_METRIC ? -1 : b === DEFAULT_METRIC ? 1 : a.localeCompare(b)));
}

/** The last and the best value of a metric over a variant's eval rows. */
export function finalAndBest(v: SweepVariantData, metric: string): { final?: number; best?: number } {
  const xs = v.evals.map((r) => r[metric]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (!xs.length) return {};
  return { final: xs[xs.length - 1], best: LOWER_BETTER.has(metric) ? Math.min(...xs) : Math.max(...xs) };
}

export interface TableRow {
  key: string;
  values: Record<string, unknown>;
  variants: string[];
  cells: Record<string, { final: ReturnType<typeof meanStd>; best: ReturnType<typeof meanStd> }>;
}

/** One row per group (seeds pooled), in grid order. */
export function tableRows(p: SweepPayload, metrics: readonly string[]): TableRow[] {
  const rows = new Map<string, TableRow>();
  const pooled = new Map<string, Record<string, { final: number[]; best: number[] }>>();
  for (const v of p.variants) {
    const key = groupKey(p, v.values);
    if (!rows.has(key)) {
      rows.set(key, { key, values: Object.fromEntries(factors(p).map((f) => [f, v.values[f]])), variants: [], cells: {} });
      pooled.set(key, Object.fromEntries(metrics.map((m) => [m, { final: [], best: [] }])));
    }
    rows.get(key)?.variants.push(v.name);
    for (const m of metrics) {
      const fb = finalAndBest(v, m);
      const acc = pooled.get(key)?.[m];
      if (acc && fb.final !== undefined) acc.final.push(fb.final);
      if (acc && fb.best !== undefined) acc.best.push(fb.best);
    }
  }
  for (const [key, row] of rows) {
    for (const m of metrics) {
      const acc = pooled.get(key)?.[m] ?? { final: [], best: [] };
      row.cells[m] = { final: meanStd(acc.final), best: meanStd(acc.best) };
    }
  }
  return [...rows.values()];
}

export interface FactorLine {
  /** The other factors' values (the line's label), and its group keys per x value. */
  label: string;
  points: { x: number; mean: number; std: number; n: number; group: string }[];
}

/** A metric (final value, mean ± std over seeds) against one factor's values: one line per combination of the others. */
export function metricVsFactor(p: SweepPayload, factor: string, metric: string): { xs: string[]; lines: FactorLine[] } {
  const axis = p.axes.find((a) => a.path === factor);
  const xs = (axis?.values ?? []).map(fmtValue);
  const lines = new Map<string, Map<number, { finals: number[]; group: string }>>();
  for (const v of p.variants) {
    const label = groupKey(p, v.values, factor);
    const x = xs.indexOf(fmtValue(v.values[factor]));
    const final = finalAndBest(v, metric).final;
    if (x < 0) continue;
    const line = lines.get(label) ?? new Map<number, { finals: number[]; group: string }>();
    lines.set(label, line);
    const pt = line.get(x) ?? { finals: [], group: groupKey(p, v.values) };
    line.set(x, pt);
    if (final !== undefined) pt.finals.push(final);
  }
  return {
    xs,
    lines: [...lines].map(([label, pts]) => ({
      label,
      points: [...pts].sort((a, b) => a[0] - b[0]).filter(([, pt]) => pt.finals.length > 0).map(([x, pt]) => ({ x, ...meanStd(pt.finals), group: pt.group })),
    })),
  };
}

/** Variants ordered by their swept values (first axis first, each in its list order). */
export function orderedVariants(p: SweepPayload): SweepVariantData[] {
  const rank = (v: SweepVariantData) => p.axes.map((a) => a.values.map(fmtValue).indexOf(fmtValue(v.values[a.path])));
  return [...p.variants].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
    return 0;
  });
}

/** Eval steps at which every variant that has distributions has one, ascending. */
export function commonSteps(p: SweepPayload): number[] {
  const withDist = p.variants.filter((v) => v.distributions.length > 0);
  if (!withDist.length) return [];
  const sets = withDist.map((v) => new Set(v.distributions.map((d) => d.step)));
  return [...(sets[0] as Set<number>)].filter((s) => sets.every((set) => set.has(s))).sort((a, b) => a - b);
}

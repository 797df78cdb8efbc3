// Histograms of per-example values from distributions.jsonl: shared bin edges (so that chosen and
// rejected, every eval step and every compared run are drawn on one x scale), counts per bin, and the
// stacked per-step densities of TensorBoard's "offset" histogram mode (a ridgeline plot).

export interface Edges {
  lo: number;
  hi: number;
  bins: number;
}

/** Equal-width edges covering every finite value of every array (padded when all values are equal). */
export function sharedEdges(arrays: readonly (readonly (number | null)[])[], bins: number): Edges | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (const v of a) {
      if (v === null || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) return null;
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.05 || 0.5;
    return { lo: lo - pad, hi: hi + pad, bins };
  }
  return { lo, hi, bins };
}

/** Counts of finite values per bin; the last bin includes the upper edge, values outside are dropped. */
export function histogram(values: readonly (number | null)[], e: Edges): number[] {
  const counts = new Array<number>(e.bins).fill(0);
  const w = (e.hi - e.lo) / e.bins;
  for (const v of values) {
    if (v === null || !Number.isFinite(v) || v < e.lo || v > e.hi) continue;
    const b = Math.min(e.bins - 1, Math.floor((v - e.lo) / w));
    counts[b] = (counts[b] as number) + 1;
  }
  return counts;
}

export function binCenter(e: Edges, b: number): number {
  return e.lo + ((b + 0.5) * (e.hi - e.lo)) / e.bins;
}

/** Mean of the finite values, NaN when there is none. */
export function mean(values: readonly (number | null)[]): number {
  let s = 0;
  let n = 0;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    s += v;
    n++;
  }
  return n ? s / n : NaN;
}

export interface Ridge {
  step: number;
  /** Counts normalised by the largest count over all ridges, in [0, 1]. */
  heights: number[];
}

/** One normalised histogram per step, all on the same edges. */
export function ridges(steps: readonly { step: number; values: readonly (number | null)[] }[], e: Edges): Ridge[] {
  const hs = steps.map((s) => ({ step: s.step, counts: histogram(s.values, e) }));
  const max = Math.max(1, ...hs.flatMap((h) => h.counts));
  return hs.map((h) => ({ step: h.step, heights: h.counts.map((c) => c / max) }));
}

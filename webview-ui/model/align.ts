// Turns several (x, y) series into uPlot's aligned data (one shared x array, null where a series has
// no point), limited to a visible x range. When the range holds more points than the chart has pixels
// for, it decimates: per pixel-wide bucket each series keeps its min and its max, in the order they
// occurred (the M4 idea: Jugel et al. 2014, "M4: A Visualization-Oriented Time Series Data
// Aggregation"), so 100,000 steps draw as a few thousand points with the same picture.

export interface XYSeries {
  /** Ascending x values (step or seconds); non-finite x is skipped. */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Values shown beside y in the legend (the unsmoothed series), picked at the same points. */
  raw?: ArrayLike<number>;
}

export interface AlignedSeries {
  x: number[];
  ys: (number | null)[][];
  raws: (number | null)[][];
  decimated: boolean;
}

/** First index with x[i] >= v (x ascending). */
export function lowerBound(x: ArrayLike<number>, v: number, lo = 0, hi = x.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((x[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with x[i] > v. */
export function upperBound(x: ArrayLike<number>, v: number, lo = 0, hi = x.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((x[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const val = (a: ArrayLike<number> | undefined, i: number): number | null => {
  if (!a) return null;
  const v = a[i] as number;
  return Number.isFinite(v) ? v : null;
};

/** The full x extent of the series (finite x only), or null when there is none. */
export function extent(series: readonly XYSeries[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      const v = s.x[i] as number;
      if (Number.isFinite(v)) { lo = Math.min(lo, v); break; }
    }
    for (let i = s.x.length - 1; i >= 0; i--) {
      const v = s.x[i] as number;
      if (Number.isFinite(v)) { hi = Math.max(hi, v); break; }
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Aligns `series` over x in [range[0], range[1]] (all x when range is null). With at most
 * `maxPoints` points in range the result is exact (one point just outside each end is kept so
 * lines reach the edges); otherwise it is decimated into maxPoints/2 buckets.
 */
export function align(series: readonly XYSeries[], range: [number, number] | null, maxPoints: number): AlignedSeries {
  const r = range ?? extent(series);
  if (!r) return { x: [], ys: series.map(() => []), raws: series.map(() => []), decimated: false };
  const [lo, hi] = r;
  const spans = series.map((s) => {
    let a = lowerBound(s.x, lo);
    let b = upperBound(s.x, hi);
    if (range) { a = Math.max(0, a - 1); b = Math.min(s.x.length, b + 1); }
    return [a, b] as const;
  });
  const total = spans.reduce((n, [a, b]) => n + (b - a), 0);
  if (total <= maxPoints) return exact(series, spans);
  return decimate(series, spans, lo, hi, Math.max(1, Math.floor(maxPoints / 2)));
}

function exact(series: readonly XYSeries[], spans: readonly (readonly [number, number])[]): AlignedSeries {
  const heads = spans.map(([a]) => a);
  const x: number[] = [];
  const ys: (number | null)[][] = series.map(() => []);
  const raws: (number | null)[][] = series.map(() => []);
  for (;;) {
    let next = Infinity;
    series.forEach((s, k) => {
      // Skip non-finite x.
      while ((heads[k] as number) < (spans[k] as readonly [number, number])[1] && !Number.isFinite(s.x[heads[k] as number] as number)) heads[k] = (heads[k] as number) + 1;
      if ((heads[k] as number) < (spans[k] as readonly [number, number])[1]) next = Math.min(next, s.x[heads[k] as number] as number);
    });
    if (next === Infinity) break;
    x.push(next);
    series.forEach((s, k) => {
      const h = heads[k] as number;
      if (h < (spans[k] as readonly [number, number])[1] && s.x[h] === next) {
        (ys[k] as (number | null)[]).push(val(s.y, h));
        (raws[k] as (number | null)[]).push(val(s.raw, h));
        heads[k] = h + 1;
      } else {
        (ys[k] as (number | null)[]).push(null);
        (raws[k] as (number | null)[]).push(null);
      }
    });
  }
  return { x, ys, raws, decimated: false };
}

function decimate(series: readonly XYSeries[], spans: readonly (readonly [number, number])[], lo: number, hi: number, buckets: number): AlignedSeries {
  const width = hi > lo ? (hi - lo) / buckets : 1;
  const x: number[] = new Array<number>(2 * buckets);
  for (let b = 0; b < buckets; b++) {
    x[2 * b] = lo + (b + 0.25) * width;
    x[2 * b + 1] = lo + (b + 0.75) * width;
  }
  const ys: (number | null)[][] = [];
  const raws: (number | null)[][] = [];
  const minI = new Int32Array(buckets);
  const maxI = new Int32Array(buckets);
  const minV = new Float64Array(buckets);
  const maxV = new Float64Array(buckets);
  const inv = 1 / width;
  series.forEach((s, k) => {
    minI.fill(-1);
    maxI.fill(-1);
    const [a, b] = spans[k] as readonly [number, number];
    const sx = s.x;
    const sy = s.y;
    for (let i = a; i < b; i++) {
      const xv = sx[i] as number;
      const yv = sy[i] as number;
      // yv !== yv: NaN; ±Infinity cannot occur in logged metrics (the engine writes null).
      if (yv !== yv || !(xv >= lo && xv <= hi)) continue;
      let bk = ((xv - lo) * inv) | 0;
      if (bk >= buckets) bk = buckets - 1;
      if ((minI[bk] as number) < 0) { minI[bk] = i; maxI[bk] = i; minV[bk] = yv; maxV[bk] = yv; continue; }
      if (yv < (minV[bk] as number)) { minI[bk] = i; minV[bk] = yv; }
      if (yv > (maxV[bk] as number)) { maxI[bk] = i; maxV[bk] = yv; }
    }
    const y = new Array<number | null>(2 * buckets).fill(null);
    const raw = new Array<number | null>(2 * buckets).fill(null);
    for (let bk = 0; bk < buckets; bk++) {
      const m = minI[bk] as number;
      if (m < 0) continue;
      const M = maxI[bk] as number;
      const [first, second] = m <= M ? [m, M] : [M, m];
      y[2 * bk] = val(s.y, first);
      y[2 * bk + 1] = val(s.y, second);
      raw[2 * bk] = val(s.raw, first);
      raw[2 * bk + 1] = val(s.raw, second);
    }
    ys.push(y);
    raws.push(raw);
  });
  return { x, ys, raws, decimated: true };
}

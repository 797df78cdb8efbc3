// TensorBoard's debiased exponential moving average (the scalar dashboard's "Smoothing" slider):
// last = last·w + (1−w)·y; smoothed = last / (1 − w^n), where n counts the finite points so far.
// Non-finite points pass through unchanged and do not enter the average; a constant series stays
// exactly constant. Reference: tensorboard/webapp/widgets/line_chart_v2/lib/data_transformer.ts.

/** Running state, so that appended points smooth in O(new points). */
export interface EmaState {
  weight: number;
  last: number;
  count: number;
  /** The first finite value and whether every finite value so far equals it. */
  first: number;
  constant: boolean;
}

export function emaStart(weight: number): EmaState {
  if (!(weight >= 0 && weight < 1)) throw new Error(`smoothing weight must be in [0, 1), got ${weight}`);
  return { weight, last: 0, count: 0, first: NaN, constant: true };
}

/** Smooths ys[from..to) into out[from..to), continuing `s`. */
export function emaAppend(s: EmaState, ys: ArrayLike<number>, out: Float64Array | number[], from: number, to: number): void {
  const w = s.weight;
  for (let i = from; i < to; i++) {
    const y = ys[i] as number;
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    if (s.count === 0) s.first = y;
    else if (y !== s.first) s.constant = false;
    s.last = s.last * w + (1 - w) * y;
    s.count++;
    // A constant series would otherwise pick up rounding error from the division.
    out[i] = s.constant ? y : w === 0 ? y : s.last / (1 - Math.pow(w, s.count));
  }
}

/** Smooths a whole series. */
export function ema(ys: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(ys.length);
  emaAppend(emaStart(weight), ys, out, 0, ys.length);
  return out;
}

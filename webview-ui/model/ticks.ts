// Round tick values for an axis: steps of 1, 2 or 5 times a power of ten, as chart libraries choose
// them (Heckbert, "Nice numbers for graph labels", Graphics Gems 1990), so a histogram's axis reads
// -4, -3, -2 rather than -4.137, -3.412.

/** The smallest 1, 2 or 5 × 10^k step that splits [lo, hi] into at most `maxTicks` intervals. */
export function niceStep(lo: number, hi: number, maxTicks: number): number {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, maxTicks);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = [1, 2, 5, 10].find((f) => f * pow >= raw * (1 - 1e-9)) ?? 10;
  return m * pow;
}

/** Multiples of the nice step inside [lo, hi] (at least two when the range allows), rounded to the step's decimals. */
export function niceTicks(lo: number, hi: number, maxTicks: number, integer = false): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return [];
  if (hi === lo) return [lo];
  for (let n = Math.max(1, maxTicks), i = 0; i < 4; n *= 2, i++) {
    const t = ticksWith(lo, hi, n, integer);
    if (t.length >= 2 || (integer && hi - lo < 1)) return t;
  }
  return ticksWith(lo, hi, maxTicks * 16, integer);
}

function ticksWith(lo: number, hi: number, maxTicks: number, integer: boolean): number[] {
  const step = integer ? Math.max(1, Math.round(niceStep(lo, hi, maxTicks))) : niceStep(lo, hi, maxTicks);
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toFixed(decimals)));
  return out;
}

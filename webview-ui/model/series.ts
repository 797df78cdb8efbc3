// Columnar storage of one run's metrics.jsonl: train rows and eval rows (keys prefixed `eval/`, issue 2)
// each become growable Float64 columns keyed by metric name (the prefix stripped), so that 100,000
// logged steps append and smooth in O(new rows). A row whose step is not after the last one means the
// run restarted from a checkpoint: the stale tail is dropped, as TensorBoard drops orphaned events.
import { EVAL_PREFIX, type MetricsRow } from '../../src/common/metrics';
import { emaAppend, emaStart, type EmaState } from './ema';

/** The odds-ratio part of the loss, derived as loss − nll_loss (TRL logs its mean log σ instead). */
export const OR_TERM = 'odds_ratio_term';

export type Split = 'train' | 'eval';

export class Growable {
  buf = new Float64Array(256);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  get view(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
}

interface SmoothCache {
  weight: number;
  generation: number;
  state: EmaState;
  out: Growable;
}

export class SplitSeries {
  readonly step = new Growable();
  readonly time = new Growable();
  readonly epoch = new Growable();
  readonly cols = new Map<string, Growable>();
  /** Bumped whenever rows are removed, so caches know to start over. */
  generation = 0;
  private readonly smooth = new Map<string, SmoothCache>();

  get length(): number {
    return this.step.length;
  }

  keys(): string[] {
    return [...this.cols.keys()];
  }

  /** Appends one row: `values` maps metric names (without prefix) to numbers or null. */
  append(step: number, time: number, epoch: number, values: Record<string, number | null>): void {
    const n = this.length;
    if (n > 0 && step <= (this.step.buf[n - 1] as number)) this.truncateFrom(step);
    const len = this.length;
    for (const k of Object.keys(values)) {
      if (!this.cols.has(k)) {
        const g = new Growable();
        for (let i = 0; i < len; i++) g.push(NaN);
        this.cols.set(k, g);
      }
    }
    this.step.push(step);
    this.time.push(time);
    this.epoch.push(epoch);
    for (const [k, g] of this.cols) {
      const v = values[k];
      g.push(typeof v === 'number' ? v : NaN);
    }
  }

  /** Drops every row whose step is >= `step`. */
  truncateFrom(step: number): void {
    let n = this.length;
    while (n > 0 && (this.step.buf[n - 1] as number) >= step) n--;
    for (const g of [this.step, this.time, this.epoch, ...this.cols.values()]) g.length = n;
    this.generation++;
  }

  column(key: string): Float64Array | undefined {
    return this.cols.get(key)?.view;
  }

  /** The column smoothed with TensorBoard's debiased EMA; cached and extended incrementally. */
  smoothed(key: string, weight: number): Float64Array | undefined {
    const col = this.cols.get(key);
    if (!col) return undefined;
    if (weight === 0) return col.view;
    let c = this.smooth.get(key);
    if (!c || c.weight !== weight || c.generation !== this.generation) {
      c = { weight, generation: this.generation, state: emaStart(weight), out: new Growable() };
      this.smooth.set(key, c);
    }
    const from = c.out.length;
    const to = col.length;
    for (let i = from; i < to; i++) c.out.push(0);
    emaAppend(c.state, col.buf, c.out.buf, from, to);
    return c.out.view;
  }
}

/** Methods whose loss has an odds-ratio term (SFT's loss equals its nll_loss: no term to draw). */
export const hasOddsRatioTerm = (method: string): boolean => method === 'orpo' || method === 'orpo-pr';

/** Splits a metrics.jsonl row into its split and metric values (eval/ prefix removed); `term`: derive OR_TERM. */
export function classifyRow(row: MetricsRow, term = true): { split: Split; values: Record<string, number | null> } {
  const keys = Object.keys(row);
  const split: Split = keys.some((k) => k.startsWith(EVAL_PREFIX)) ? 'eval' : 'train';
  const values: Record<string, number | null> = {};
  for (const k of keys) {
    if (k === 'step' || k === 'epoch' || k === 'time') continue;
    if (split === 'eval' && !k.startsWith(EVAL_PREFIX)) continue;
    values[split === 'eval' ? k.slice(EVAL_PREFIX.length) : k] = row[k] as number | null;
  }
  const loss = values.loss;
  const nll = values.nll_loss;
  if (term && typeof loss === 'number' && typeof nll === 'number') values[OR_TERM] = loss - nll;
  return { split, values };
}

export class MetricSeries {
  readonly train = new SplitSeries();
  readonly eval = new SplitSeries();

  /** `oddsRatioTerm`: the run's method has one (hasOddsRatioTerm); else no OR_TERM column is derived. */
  constructor(private readonly oddsRatioTerm = true) {}

  appendRows(rows: readonly MetricsRow[]): void {
    for (const row of rows) {
      const { split, values } = classifyRow(row, this.oddsRatioTerm);
      const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
      this[split].append(row.step, num(row.time), num(row.epoch), values);
    }
  }

  split(s: Split): SplitSeries {
    return s === 'train' ? this.train : this.eval;
  }
}

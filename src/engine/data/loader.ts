// A resumable, seeded epoch iterator over the training pairs. Each epoch visits every pair once in
// the order permutation(n, deriveSeed(seed, epoch)); batches never straddle epochs, so the last batch
// of an epoch may be smaller (like a PyTorch DataLoader with drop_last=False, the HF Trainer default)
// unless dropLast is set. Its state is two integers, saved in checkpoints, so a resumed run sees
// exactly the batches an uninterrupted run would have (issue 2, "Stopping and resuming").
import { deriveSeed, permutation } from './rng';

export interface LoaderState {
  epoch: number;
  /** Index into the current epoch's order of the next pair to serve. */
  position: number;
}

export interface LoaderOptions {
  batchSize: number;
  seed: number;
  /** Skip an epoch's final partial batch. */
  dropLast?: boolean;
}

export class BatchLoader<T> {
  private epoch = 0;
  private position = 0;
  private order: number[];
  private readonly batchSize: number;
  private readonly seed: number;
  private readonly dropLast: boolean;

  constructor(
    private readonly items: readonly T[],
    opts: LoaderOptions,
  ) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new Error(`BatchLoader: expected a positive integer batch size, got ${opts.batchSize}`);
    if (items.length === 0) throw new Error('BatchLoader: expected at least one training pair');
    if (opts.dropLast && items.length < opts.batchSize) {
      throw new Error(`BatchLoader: ${items.length} pairs cannot fill one batch of ${opts.batchSize} with dropLast`);
    }
    this.batchSize = opts.batchSize;
    this.seed = opts.seed;
    this.dropLast = opts.dropLast ?? false;
    this.order = this.orderFor(0);
  }

  /** Batches served per epoch. */
  get batchesPerEpoch(): number {
    const n = this.items.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The pair order of an epoch. */
  orderFor(epoch: number): number[] {
    return permutation(this.items.length, deriveSeed(this.seed, epoch));
  }

  /** The next batch and the epoch (0-based) it belongs to. */
  next(): { batch: T[]; epoch: number } {
    const n = this.items.length;
    const left = n - this.position;
    if (left <= 0 || (this.dropLast && left < this.batchSize)) this.startEpoch(this.epoch + 1);
    const end = Math.min(n, this.position + this.batchSize);
    const batch = this.order.slice(this.position, end).map((i) => this.items[i] as T);
    const epoch = this.epoch;
    this.position = end;
    return { batch, epoch };
  }

  /** Where the next batch starts. */
  state(): LoaderState {
    return { epoch: this.epoch, position: this.position };
  }

  /** Continues from a state() taken by a loader over the same pairs, batch size and seed. */
  restore(state: LoaderState): void {
    const { epoch, position } = state;
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(position) || position < 0 || position > this.items.length) {
      throw new Error(`BatchLoader.restore: expected 0 <= position <= ${this.items.length} and a non-negative epoch, got ${JSON.stringify(state)}`);
    }
    this.startEpoch(epoch);
    this.position = position;
  }

  private startEpoch(epoch: number): void {
    this.order = this.orderFor(epoch);
    this.epoch = epoch;
    this.position = 0;
  }
}

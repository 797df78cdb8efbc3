// One GPU → CPU read per logged step, issued without waiting (issue 11, "Step structure"): the
// trainer starts the read of step i's packed metrics and goes on to encode step i+1, so the host's
// work overlaps the GPU finishing step i. The row is handled when the read lands, and the trainer
// settles it before the next read, before evaluating or saving, and before it finishes, so rows stay
// in order and a non-finite loss stops the run naming the step it happened at.
import type * as tf from '@tensorflow/tfjs-core';

/** What a handled read found wrong: the message and the step it belongs to. */
export interface ReadFault { message: string; step: number }

export class PendingRead {
  private pending: Promise<ReadFault | undefined> | undefined;

  /** Starts reading `packed` (disposed once read) and queues `handle` for its values; returns at once. */
  issue(packed: tf.Tensor, handle: (values: Float32Array) => ReadFault | undefined): void {
    if (this.pending) throw new Error('PendingRead: settle the previous read first');
    const p = (packed.data() as Promise<Float32Array>).then(handle).finally(() => packed.dispose());
    p.catch(() => undefined); // settle() sees the error; this keeps a fault elsewhere from leaving it unhandled
    this.pending = p;
  }

  /** Waits for the queued read, if any, and returns its fault. */
  async settle(): Promise<ReadFault | undefined> {
    const p = this.pending;
    this.pending = undefined;
    return p ? await p : undefined;
  }
}

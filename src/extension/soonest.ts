// A timer that runs one action at the soonest time asked for: requests while one is pending merge
// into it, and a request due sooner than the pending one moves it earlier. The Runs view refreshes
// through it: a run's progress asks for a refresh in 500 ms, its exit at once, and the exit must not
// wait behind the progress (the view showed a finished run as "starting" beside its notification).
export class SoonestTimer {
  private timer: NodeJS.Timeout | undefined;
  private due = Infinity;

  constructor(private readonly action: () => void) {}

  /** Runs the action in `delayMs`, or sooner if already pending sooner. */
  schedule(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.timer && due >= this.due) return;
    if (this.timer) clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.due = Infinity;
      this.action();
    }, delayMs);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

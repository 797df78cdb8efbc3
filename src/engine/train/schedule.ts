// Learning-rate schedules with linear warmup, as Hugging Face transformers' get_scheduler
// (get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup, get_constant_schedule_with_warmup):
// the factor at optimizer step s (0-based) multiplies the peak learning rate.
import type { Schedule } from '../../common/config';

/** Warmup steps: `warmup_ratio` as transformers' get_warmup_steps (⌈ratio × total⌉), else `warmup_steps`. */
export function warmupSteps(tc: { warmup_steps: number; warmup_ratio?: number }, total: number): number {
  return tc.warmup_ratio !== undefined && tc.warmup_ratio > 0 ? Math.ceil(tc.warmup_ratio * total) : tc.warmup_steps;
}

export function lrFactor(schedule: Schedule, s: number, warmup: number, total: number): number {
  if (s < warmup) return s / Math.max(1, warmup);
  const progress = (s - warmup) / Math.max(1, total - warmup);
  switch (schedule) {
    case 'constant':
      return 1;
    case 'linear':
      return Math.max(0, 1 - progress);
    case 'cosine':
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
    default: {
      const never: never = schedule;
      throw new Error(`unknown schedule ${String(never)}`);
    }
  }
}

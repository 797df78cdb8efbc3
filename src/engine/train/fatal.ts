// Faults after which the process must not compute any further: the wasm heap ran out (tfjs-wasm's
// emscripten runtime aborts with `Aborted()`, traps with `memory access out of bounds`, or cannot grow
// its memory) or its contents were corrupted (float bits read as token ids), or a typed array could not
// be allocated (the native and cpu backends). After one of these every tensor may be garbage, so the run
// stops with words and writes no checkpoint. The words (issue 13 §5, "out of memory anyway") give the
// step, the last checkpoint, and the memory plan's figures for the run (src/server/service/memoryPlan.ts:
// the estimate against the backend's limit) with the changes that would fit.
// Reference: emscripten's abort()/RuntimeError behaviour; WebAssembly.RuntimeError (MDN).
import { backendLimit, changesThatFit, describe, dimsFromHf, estimatePeak, type MemoryEstimate, type RunShape } from '../../server/service/memoryPlan';

const PATTERNS = [
  /memory access out of bounds/i,
  /\bAborted\(/,
  /out of memory/i,
  /Cannot enlarge memory/i,
  /Array buffer allocation failed/i,
  /Invalid typed array length/i,
  /index value \d+ is not in \[/, // GatherV2 reading float bits as ids: the heap is corrupt
];

/** Whether `e` means the backend's memory is exhausted or corrupt (stop now, save nothing). */
export function isMemoryFault(e: unknown): boolean {
  if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) return true;
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return PATTERNS.some((p) => p.test(msg));
}

/** The memory plan of the failed run: its estimate, the backend's limit, and the changes that fit. */
export interface MemoryPlanWords {
  estimate: MemoryEstimate;
  limit: { bytes: number; what: string };
  fixes: string[];
}

/** What the run looked like to the memory plan; undefined for a model whose dimensions it cannot read. */
export interface RunForPlan {
  /** The model's config.json (HfConfig); a scratch GPT-2 has one too. */
  modelConfig: Record<string, unknown>;
  backend: string;
  /** The run's shape as the plan sees it (train/runShape.ts builds it from the model and the config). */
  shape: RunShape;
  /** The model came from a checkpoint (model.from), so LoRA is a change to suggest. */
  pretrained: boolean;
}

export function planFor(r: RunForPlan): MemoryPlanWords | undefined {
  const m = dimsFromHf(r.modelConfig);
  if (!m) return undefined;
  const shape = r.shape;
  const estimate = estimatePeak(m, shape);
  const limit = backendLimit(r.backend);
  // Over the limit: what fits under it. Under it (the estimate fell short, or other allocations took
  // the rest): what cuts the estimated peak by a quarter or more. LoRA first, as the language server offers it.
  const target = Math.min(limit.bytes, 0.75 * estimate.total);
  return { estimate, limit, fixes: changesThatFit(m, shape, shape.rows / 2, r.backend, target, r.pretrained) };
}

/** The user's message for a memory fault at `step`, naming the last checkpoint and what to change. */
export function memoryFaultMessage(e: unknown, step: number | undefined, lastCheckpoint: string | undefined, plan?: MemoryPlanWords): string {
  const raw = (e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 200);
  const words = [
    `out of memory${step !== undefined ? ` at step ${step}` : ''}: the backend's memory (the 4 GB wasm heap on CPU) is exhausted or corrupted (${raw}); training stopped and no checkpoint was written after it.`,
    lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}.` : 'No checkpoint was written yet.',
  ];
  if (!plan) {
    words.push('Lower train.batch_size or data.max_length (with train.grad_accum to keep the effective batch), or use a smaller model.');
    return words.join(' ');
  }
  const over = plan.estimate.total > plan.limit.bytes;
  words.push(`The memory plan estimated a peak of ${describe(plan.estimate)}, ${over ? 'more than' : 'within'} ${plan.limit.what}${over ? '' : ' (the estimate fell short, or other allocations took the rest)'}.`);
  words.push(plan.fixes.length
    ? `Changes that ${over ? 'fit' : 'cut the estimated peak by a quarter or more'}: ${plan.fixes.join('; ')}.`
    : 'No single change of batch size, length, checkpointing or LoRA is enough: use a smaller model.');
  words.push(`Change the config and run again${lastCheckpoint ? ` (model.from: ${lastCheckpoint} starts from its weights)` : ''}.`);
  return words.join(' ');
}

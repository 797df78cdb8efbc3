// Faults after which the process must not compute any further: the wasm heap ran out (tfjs-wasm's
// emscripten runtime aborts with `Aborted()`, traps with `memory access out of bounds`, or cannot grow
// its memory) or its contents were corrupted (float bits read as token ids). After one of these every
// tensor may be garbage, so the run stops with words and writes no checkpoint.
// Reference: emscripten's abort()/RuntimeError behaviour; WebAssembly.RuntimeError (MDN).

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

/** The user's message for a memory fault at `step`, naming the last checkpoint and what to change. */
export function memoryFaultMessage(e: unknown, step: number | undefined, lastCheckpoint: string | undefined): string {
  const raw = (e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 200);
  return [
    `out of memory${step !== undefined ? ` at step ${step}` : ''}: the backend's memory (the 4 GB wasm heap on CPU) is exhausted or corrupted (${raw}); training stopped and no checkpoint was written after it.`,
    lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}.` : 'No checkpoint was written yet.',
    'Lower train.batch_size or data.max_length (with train.grad_accum to keep the effective batch), or use a smaller model.',
  ].join(' ');
}

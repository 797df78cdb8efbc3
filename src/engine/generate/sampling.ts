// Choosing the next token from a row of logits: greedy (argmax) or sampling with temperature and
// nucleus (top-p) filtering (Holtzman et al. 2020), as transformers' TemperatureLogitsWarper and
// TopPLogitsWarper do: keep the most probable tokens whose cumulative probability first reaches top_p
// (at least one), renormalise, draw. Draws come from the engine's seeded Rng, so runs repeat.
import type { Rng } from '../data/rng';

export type Decoding = { kind: 'greedy' } | { kind: 'sample'; temperature: number; topP: number };

/** Index of the largest logit (the lowest index among ties). */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if ((logits[i] as number) > (logits[best] as number)) best = i;
  return best;
}

/** The tokens sampling may pick and their renormalised probabilities, most probable first. */
export function nucleus(logits: ArrayLike<number>, temperature: number, topP: number): { ids: number[]; probs: number[] } {
  if (!(temperature > 0)) throw new Error(`temperature must be > 0 for sampling, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new Error(`top_p must be in (0, 1], got ${topP}`);
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i] as number);
  const p = new Float64Array(n);
  let z = 0;
  for (let i = 0; i < n; i++) z += p[i] = Math.exp(((logits[i] as number) - max) / temperature);
  const order = Array.from({ length: n }, (_, i) => i);
  if (topP < 1) order.sort((a, b) => (p[b] as number) - (p[a] as number) || a - b);
  const ids: number[] = [];
  const probs: number[] = [];
  let cum = 0;
  for (const i of order) {
    const q = (p[i] as number) / z;
    if (q === 0 && ids.length > 0) continue;
    ids.push(i);
    probs.push(q);
    cum += q;
    if (topP < 1 && cum >= topP) break;
  }
  return { ids, probs: probs.map((q) => q / cum) };
}

/** The next token for one row of logits. */
export function pickToken(logits: ArrayLike<number>, decoding: Decoding, rng: Rng): number {
  switch (decoding.kind) {
    case 'greedy':
      return argmax(logits);
    case 'sample': {
      const { ids, probs } = nucleus(logits, decoding.temperature, decoding.topP);
      let u = rng.next();
      for (let i = 0; i < ids.length; i++) {
        u -= probs[i] as number;
        if (u < 0) return ids[i] as number;
      }
      return ids[ids.length - 1] as number; // rounding left u a hair above 0
    }
  }
}

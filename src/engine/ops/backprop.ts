// Reverse-mode gradients over tfjs's tape that free memory as the backward pass goes (issue 13: the
// models users bring). tfjs 4.22's engine.gradients (tfjs-core engine.ts, tape.ts) walks the same tape
// but keeps every intermediate gradient, and every tensor the forward pass saved, until the whole
// backward pass ends: for a 32-block model that is a second copy of the activations. Here, once a
// tape node has run its gradient, the gradients of its outputs are complete and used (every consumer
// of an output comes later on the tape, so earlier in the walk) and its saved tensors are needed no
// more: both are freed then. The result is tfjs's, to the bit: the same gradient functions run in the
// same order on the same tensors and sum into each input in the same order (gradients.test.ts).
// Reads the engine's tape, which tfjs keeps internal (its fields are typed here); the engine is pinned
// at 4.22 (package.json).
import * as tf from '@tensorflow/tfjs-core';

type GradFns = Record<string, () => tf.Tensor>;
interface TapeNode {
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => GradFns;
  saved?: tf.Tensor[];
}
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<R>(start: () => void, end: () => void, f: () => R): R;
  tidy<R extends tf.TensorContainer>(name: string, f: () => R): R;
}

/** The nodes on a path from one of xs to y, each with only its inputs that come from xs (tape order). */
function pathNodes(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id)); // tensors that depend on an x
  const reached = tape.map((n) => {
    const hit = Object.values(n.inputs).some((t) => fromX.has(t.id));
    if (hit) for (const o of n.outputs) fromX.add(o.id);
    return hit;
  });
  const toY = new Set([y.id]); // tensors y depends on
  const out: TapeNode[] = [];
  for (let i = tape.length - 1; i >= 0; i--) {
    const n = tape[i] as TapeNode;
    if (!reached[i] || !n.outputs.some((o) => toY.has(o.id))) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [k, t] of Object.entries(n.inputs)) {
      if (!fromX.has(t.id)) continue;
      inputs[k] = t;
      toY.add(t.id);
    }
    out.push({ ...n, inputs });
  }
  return out.reverse();
}

/** One node's input gradients, in one scope: what the gradient functions make on the way is freed. */
function nodeGrads(n: TapeNode, dys: (tf.Tensor | null)[]): [string, tf.Tensor][] {
  if (!n.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${n.kernelName}.`);
  const gradient = n.gradient;
  const names = Object.keys(n.inputs);
  const dxs = tf.tidy(() => {
    const fns = gradient(dys);
    const seen = new Set<tf.Tensor>(dys.filter((d): d is tf.Tensor => d !== null));
    return names.map((k) => {
      const fn = fns[k];
      if (!fn) throw new Error(`Cannot backprop through input ${k} of ${n.kernelName}.`);
      const g = fn();
      // A gradient that is an output's own gradient (or another input's) gets its own handle, since
      // each is freed on its own.
      const dx = seen.has(g) ? g.clone() : g;
      seen.add(dx);
      return dx;
    });
  });
  return names.map((k, i) => {
    const dx = dxs[i] as tf.Tensor, x = n.inputs[k] as tf.Tensor;
    if (dx.dtype !== 'float32') throw new Error(`Error in gradient for op ${n.kernelName}: the gradient of input ${k} is ${dx.dtype}, not float32`);
    if (!tf.util.arraysEqual(dx.shape, x.shape)) throw new Error(`Error in gradient for op ${n.kernelName}: the gradient of input ${k} has shape ${JSON.stringify(dx.shape)}, not ${JSON.stringify(x.shape)}`);
    return [k, dx];
  });
}

/**
 * The value of f() and its gradients with respect to xs (null where y does not depend on an x), as
 * tf.grads / tf.variableGrads compute them, seeded with dy (ones when omitted; dy stays the caller's).
 * Safe inside another gradient's backward pass (a recomputation: model/checkpoint.ts, loss/logps.ts):
 * the outer tape is put back when it returns.
 */
export function gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor): { value: tf.Tensor; grads: (tf.Tensor | null)[] } {
  const engine = tf.engine() as unknown as EngineInternals;
  const state = engine.state;
  if (state.gradientDepth !== 0) throw new Error('gradients(): called while a tape records (higher-order gradients are not supported)');
  const outer = state.activeTape;
  try {
    const y = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => engine.tidy('forward', f));
    const tape = state.activeTape ?? [];
    const nodes = pathNodes(tape, xs, y);
    const xIds = new Set(xs.map((x) => x.id));
    const found = tf.tidy((): tf.TensorContainer[] => {
      const acc = new Map<number, tf.Tensor>([[y.id, dy ?? tf.onesLike(y)]]);
      for (let i = nodes.length - 1; i >= 0; i--) {
        const n = nodes[i] as TapeNode;
        const dys = n.outputs.map((o) => acc.get(o.id) ?? null);
        for (const [k, dx] of nodeGrads(n, dys)) {
          const id = (n.inputs[k] as tf.Tensor).id;
          const cur = acc.get(id);
          acc.set(id, cur ? tf.add(cur, dx) : dx);
          if (cur) tf.dispose([cur, dx]);
        }
        // This node was the last use of its outputs' gradients and of what it saved.
        for (const o of n.outputs) {
          const g = acc.get(o.id);
          if (!g || xIds.has(o.id)) continue;
          acc.delete(o.id);
          if (g !== dy) g.dispose();
        }
        for (const t of n.saved ?? []) t.dispose();
      }
      return xs.map((x) => acc.get(x.id));
    });
    const grads = found.map((g) => (g instanceof tf.Tensor ? g : null));
    for (const n of tape) for (const t of n.saved ?? []) t.dispose();
    return { value: y, grads };
  } finally {
    state.activeTape = outer;
  }
}

/** tf.variableGrads(f, vars) through gradients() above: the value and each trainable variable's gradient by name. */
export function variableGrads(f: () => tf.Scalar, vars: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const trained = vars.filter((v) => v.trainable);
  if (trained.length === 0) throw new Error('variableGrads(): none of the variables is trainable');
  const { value, grads } = gradients(f, trained);
  if (value.rank !== 0) throw new Error(`variableGrads(): f must return a scalar, not a rank-${value.rank} tensor`);
  const named: tf.NamedTensorMap = {};
  trained.forEach((v, i) => {
    const g = grads[i];
    if (g) named[v.name] = g;
  });
  return { value: value as tf.Scalar, grads: named };
}

// Tests for the seeded PRNG (rng.ts) and the resumable BatchLoader (loader.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchLoader } from './loader';
import { deriveSeed, permutation, Rng } from './rng';

void test('mulberry32 matches its reference definition, seeded through the mixer', () => {
  // The reference mulberry32 step, written out independently from its published C version.
  const ref = (a: number) => () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = new Rng(42);
  const next = ref(r.state());
  for (let i = 0; i < 100; i++) assert.equal(r.next(), next());
});

void test('Rng: determinism, state round trip, range and rough uniformity', () => {
  const a = new Rng(123);
  const b = new Rng(123);
  const xs = Array.from({ length: 50 }, () => a.nextUint32());
  assert.deepEqual(Array.from({ length: 50 }, () => b.nextUint32()), xs);
  assert.notDeepEqual(Array.from({ length: 50 }, () => new Rng(124).nextUint32()).slice(0, 5), xs.slice(0, 5));
  const c = new Rng(9);
  c.next();
  const d = Rng.fromState(c.state());
  assert.deepEqual(Array.from({ length: 10 }, () => d.next()), Array.from({ length: 10 }, () => c.next()));
  const counts = new Array<number>(10).fill(0);
  const r = new Rng(5);
  for (let i = 0; i < 20000; i++) {
    const k = r.int(10);
    assert.ok(k >= 0 && k < 10);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  assert.ok(counts.every((n) => n > 1800 && n < 2200), `counts ${counts.join(',')}`);
  assert.notEqual(deriveSeed(42, 0), deriveSeed(42, 1));
  assert.notEqual(deriveSeed(2 ** 32 + 1), deriveSeed(1));
});

void test('permutation is a seeded permutation', () => {
  const p = permutation(100, 3);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(permutation(100, 3), p);
  assert.notDeepEqual(permutation(100, 4), p);
});

void test('BatchLoader: each epoch covers every item once, reshuffled with seed+epoch', () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  const loader = new BatchLoader(items, { batchSize: 4, seed: 42 });
  assert.equal(loader.batchesPerEpoch, 3);
  const epochs: number[][] = [[], [], []];
  const sizes: number[] = [];
  for (let k = 0; k < 9; k++) {
    const { batch, epoch } = loader.next();
    epochs[epoch]?.push(...batch);
    sizes.push(batch.length);
  }
  assert.deepEqual(sizes, [4, 4, 2, 4, 4, 2, 4, 4, 2]);
  for (const e of epochs) assert.deepEqual([...e].sort((a, b) => a - b), items);
  assert.deepEqual(epochs[0], permutation(10, deriveSeed(42, 0)));
  assert.deepEqual(epochs[1], permutation(10, deriveSeed(42, 1)));
  assert.notDeepEqual(epochs[0], epochs[1]);
  const dl = new BatchLoader(items, { batchSize: 4, seed: 42, dropLast: true });
  assert.deepEqual(Array.from({ length: 4 }, () => dl.next().batch.length), [4, 4, 4, 4]);
  assert.equal(dl.state().epoch, 1);
});

void test('BatchLoader: state/restore continues exactly where an uninterrupted loader goes', () => {
  const items = Array.from({ length: 13 }, (_, i) => `pair${i}`);
  const straight = new BatchLoader(items, { batchSize: 5, seed: 7 });
  const expected = Array.from({ length: 12 }, () => straight.next());
  for (const stopAt of [0, 1, 2, 3, 5, 8]) {
    const first = new BatchLoader(items, { batchSize: 5, seed: 7 });
    const got = Array.from({ length: stopAt }, () => first.next());
    const saved = JSON.parse(JSON.stringify(first.state())) as ReturnType<typeof first.state>;
    const resumed = new BatchLoader(items, { batchSize: 5, seed: 7 });
    resumed.restore(saved);
    got.push(...Array.from({ length: 12 - stopAt }, () => resumed.next()));
    assert.deepEqual(got, expected, `stopped after ${stopAt} batches`);
  }
  const l = new BatchLoader(items, { batchSize: 5, seed: 7 });
  assert.throws(() => l.restore({ epoch: 0, position: 14 }), /expected 0 <= position <= 13/);
  assert.throws(() => new BatchLoader([], { batchSize: 2, seed: 1 }), /at least one/);
  assert.throws(() => new BatchLoader(items, { batchSize: 0, seed: 1 }), /positive integer batch size/);
});

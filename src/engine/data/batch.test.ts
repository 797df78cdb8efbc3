// Tests for collate (batch.ts): a hand-checked 2-pair example with every array written out, and TRL's
// own construction (labels with -100 on prompt and padding, then labels[:, 1:]) on random pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collate } from './batch';
import { Rng } from './rng';
import type { TokenizedPair } from './tokenize';

const E = 256; // EOS, and the pad id below: masks must not depend on comparing ids with pad

void test('collate: hand-checked layout, shift and masks (pad id equal to EOS)', () => {
  const pairs: TokenizedPair[] = [
    { prompt: [1, 2], chosen: [3, 4, E], rejected: [5, E] },
    { prompt: [7], chosen: [8, E], rejected: [9, 10, 11, E] },
  ];
  const b = collate(pairs, { padId: E });
  assert.equal(b.B, 2);
  assert.equal(b.T, 5);
  const P = E;
  // rows: chosen of pair 0, chosen of pair 1, rejected of pair 0, rejected of pair 1
  assert.deepEqual([...b.ids], [
    1, 2, 3, 4, E,
    7, 8, E, P, P,
    1, 2, 5, E, P,
    7, 9, 10, 11, E,
  ]);
  assert.deepEqual([...b.targets], [
    2, 3, 4, E, 0,
    8, E, P, P, 0,
    2, 5, E, P, 0,
    9, 10, 11, E, 0,
  ]);
  assert.deepEqual([...b.seqMask], [
    1, 1, 1, 1, 0,
    1, 1, 0, 0, 0,
    1, 1, 1, 0, 0,
    1, 1, 1, 1, 0,
  ]);
  assert.deepEqual([...b.respMask], [
    0, 1, 1, 1, 0,
    1, 1, 0, 0, 0,
    0, 1, 1, 0, 0,
    1, 1, 1, 1, 0,
  ]);
  assert.deepEqual([...b.promptLengths], [2, 1, 2, 1]);
  assert.deepEqual([...b.lengths], [5, 3, 4, 5]);
  assert.equal(b.tokens, 17);
  assert.ok(b.ids instanceof Int32Array && b.targets instanceof Int32Array);
  assert.ok(b.respMask instanceof Float32Array && b.seqMask instanceof Float32Array);
});

void test('collate: masks equal TRL labels (-100 on prompt and pad) shifted by one, on random pairs', () => {
  const rng = new Rng(7);
  const rand = (n: number) => Array.from({ length: n }, () => rng.int(250));
  for (let trial = 0; trial < 20; trial++) {
    const B = 1 + rng.int(4);
    const pairs: TokenizedPair[] = Array.from({ length: B }, () => ({
      prompt: rand(rng.int(6)),
      chosen: [...rand(rng.int(5)), E],
      rejected: [...rand(rng.int(5)), E],
    }));
    const pad = trial % 2 === 0 ? E : 0;
    const b = collate(pairs, { padId: pad, minLength: trial % 3 === 0 ? 12 : 0 });
    const rows = [...pairs.map((p) => [p.prompt, p.chosen]), ...pairs.map((p) => [p.prompt, p.rejected])] as [number[], number[]][];
    const T = Math.max(trial % 3 === 0 ? 12 : 0, ...rows.map(([p, r]) => p.length + r.length));
    assert.equal(b.T, T);
    rows.forEach(([prompt, resp], r) => {
      const seq = [...prompt, ...resp];
      const padded = [...seq, ...Array<number>(T - seq.length).fill(pad)];
      // TRL: labels = input ids; prompt positions and padding set to -100 (response labels).
      const respLabels = padded.map((id, i) => (i < prompt.length || i >= seq.length ? -100 : id));
      const allLabels = padded.map((id, i) => (i >= seq.length ? -100 : id));
      const row = (a: ArrayLike<number>) => Array.from(a).slice(r * T, (r + 1) * T);
      assert.deepEqual(row(b.ids), padded);
      for (let t = 0; t < T - 1; t++) {
        assert.equal(row(b.targets)[t], padded[t + 1]);
        assert.equal(row(b.respMask)[t], respLabels[t + 1] !== -100 ? 1 : 0, `trial ${trial} row ${r} t ${t}`);
        assert.equal(row(b.seqMask)[t], allLabels[t + 1] !== -100 ? 1 : 0);
      }
      assert.equal(row(b.respMask)[T - 1], 0);
      assert.equal(row(b.seqMask)[T - 1], 0);
      // Every response token (EOS included) is scored once.
      assert.equal(row(b.respMask).reduce((s, x) => s + x, 0), prompt.length === 0 ? resp.length - 1 : resp.length);
    });
    assert.equal(b.tokens, rows.reduce((s, [p, c]) => s + p.length + c.length, 0));
  }
  assert.throws(() => collate([], { padId: 0 }), /at least one pair/);
});

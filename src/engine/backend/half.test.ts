// The 16-bit weight kernels, on the native backend (half.c through native/halfKernels.ts) and on WebGPU
// (webgpu/half.ts, Dawn on llvmpipe here), used by ops/half.ts, against float64 references written here: products x·op(W) with W's bfloat16 or binary16 bits widened independently
// (bf16: the bits as a float32's top half through a DataView; f16: sign·2^(e−15)·(1 + m/1024), and
// m·2^−24 for subnormals), in both layouts, at shapes that fill one panel and shapes that need several;
// the gradient dX of tf.grad against dY·op(W)ᵀ in float64; the row gather; and (native) ids out of
// range refused. Reads are async: tfjs-webgpu's dataSync needs OffscreenCanvas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../data/rng';
import { selectBackend } from './select';
import { Half, halfGather, halfMatmul, halfSupported, type HalfFormat } from '../ops/half';

const rng = new Rng(13);
const rand = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);

/** Independent widening of 16-bit words to float64. */
function widenRef(w: number, f: HalfFormat): number {
  if (f === 'bf16') {
    const dv = new DataView(new ArrayBuffer(4));
    dv.setUint32(0, w << 16);
    return dv.getFloat32(0);
  }
  const s = w & 0x8000 ? -1 : 1, e = (w >> 10) & 31, m = w & 1023;
  if (e === 31) return m ? NaN : s * Infinity;
  return e === 0 ? s * m * 2 ** -24 : s * 2 ** (e - 15) * (1 + m / 1024);
}

/** Random 16-bit words of finite values in about ±scale (bf16: a float32's top half; f16: exponents 0..17, subnormals included). */
function words(n: number, f: HalfFormat): Uint16Array {
  if (f === 'f16') return Uint16Array.from({ length: n }, () => (rng.next() < 0.5 ? 0x8000 : 0) | (Math.floor(rng.next() * 18) << 10) | Math.floor(rng.next() * 1024));
  const v = rand(n, 0.5);
  return Uint16Array.from(new Uint32Array(v.buffer), (u) => u >>> 16);
}

/** float64 x [M, K] · op(S), S [R, C] given as widened values; op(S) = Sᵀ when trans. */
function mmRef(x: ArrayLike<number>, s: Float64Array, M: number, K: number, N: number, trans: boolean): Float64Array {
  const y = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let acc = 0;
    for (let k = 0; k < K; k++) acc += (x[i * K + k] as number) * (s[trans ? j * K + k : k * N + j] as number);
    y[i * N + j] = acc;
  }
  return y;
}

const close = (got: ArrayLike<number>, want: Float64Array, tol: number, what: string): void => {
  assert.equal(got.length, want.length, `${what}: length`);
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-30); // no spread: a million values overflow the stack
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs((got[i] as number) - (want[i] as number)) <= tol * scale, `${what} at ${i}: ${got[i]} vs ${want[i]}`);
};

for (const backend of ['native', 'webgpu'] as const) {
test(`the ${backend} backend has the 16-bit kernels`, async () => {
  await selectBackend(backend);
  assert.ok(halfSupported());
});

for (const f of ['bf16', 'f16'] as const) {
  // [M, K, N]: small; and K·N above the 2^20-value panel, so both layouts take several panels.
  for (const [M, K, N] of [[5, 7, 3], [2, 1500, 720], [2, 720, 1500]] as const) {
    test(`${backend}: ${f} product x·W and x·Wᵀ [${M}, ${K}] × [${K}, ${N}] and dX equal a float64 reference`, async () => {
      await selectBackend(backend);
      for (const transposed of [false, true]) {
        // W is logical [K, N]; stored as S = W ([K, N]) or S = Wᵀ ([N, K]) with `transposed`.
        const stored: [number, number] = transposed ? [N, K] : [K, N];
        const bits = words(K * N, f);
        const sRef = Float64Array.from(bits, (w) => widenRef(w, f));
        const w = Half.pack(bits, stored, f);
        const wl = transposed ? new Half(w.bits, stored, f, true) : w; // logical [K, N] either way
        assert.deepEqual(wl.shape, [K, N]);
        const x = tf.tensor2d(rand(M * K), [M, K]);
        const dy = tf.tensor2d(rand(M * N), [M, N]);
        const want = mmRef((await x.data()), sRef, M, K, N, transposed);
        const y = halfMatmul(x, wl);
        close((await y.data()), want, 1e-5, `y (${transposed ? 'stored transposed' : 'stored as used'})`);
        // dX = dY · Wᵀ: with S = W that is dY·Sᵀ, with S = Wᵀ it is dY·S.
        const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(halfMatmul(xi as tf.Tensor2D, wl), dy)))(x);
        close((await dx.data()), mmRef((await dy.data()), sRef, M, N, K, !transposed), 1e-5, 'dX');
        // x·Wᵀ for a weight used transposed (a tied output head): the same product with roles swapped.
        const xt = tf.tensor2d(rand(M * N), [M, N]);
        close(await halfMatmul(xt, wl, true).data(), mmRef((await xt.data()), sRef, M, N, K, !transposed), 1e-5, 'x·Wᵀ');
        const dxt = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(halfMatmul(xi as tf.Tensor2D, wl, true), x)))(xt);
        close((await dxt.data()), mmRef((await x.data()), sRef, M, K, N, transposed), 1e-5, 'dX of x·Wᵀ');
        // The weight widened on the device (merging an adapter into it): W itself, float32.
        const wide = wl.widen();
        assert.deepEqual(wide.shape, [K, N]);
        close(await wide.data(), transposed ? Float64Array.from({ length: K * N }, (_, i) => sRef[(i % N) * K + Math.floor(i / N)] as number) : sRef, 0, 'widen()');
        tf.dispose([x, dy, y, dx, xt, dxt, wide]);
        w.dispose();
      }
    });
  }
}

test(`${backend}: gather: rows of a 16-bit table, every f16 class widened exactly (normal, subnormal, ±0, ±Inf)${backend === 'native' ? '; ids out of range refused' : ''}`, async () => {
  await selectBackend(backend);
  const specials = [0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xbc00, 0x7bff, 0x7c00, 0xfc00, 0x3555, 0x8123];
  for (const f of ['bf16', 'f16'] as const) {
    const [R, C] = [9, 12];
    const bits = f === 'f16' ? Uint16Array.from({ length: R * C }, (_, i) => specials[i % specials.length] as number) : words(R * C, f);
    const w = Half.pack(bits, [R, C], f);
    const ids = tf.tensor2d([[3, 0, 8], [8, 1, 3]], [2, 3], 'int32');
    const rows = halfGather(w, ids);
    assert.deepEqual(rows.shape, [2, 3, C]);
    const want = Float64Array.from({ length: 6 * C }, (_, i) => widenRef(bits[([3, 0, 8, 8, 1, 3][Math.floor(i / C)] as number) * C + (i % C)] as number, f));
    assert.deepEqual(Array.from((await rows.data())), Array.from(want), `${f} rows`);
    assert.deepEqual(Array.from(await w.storedValues()), Array.from(bits, (b) => widenRef(b, f)), `${f} storedValues`);
    if (backend === 'native') {
      const bad = tf.tensor1d([2, 9], 'int32');
      assert.throws(() => halfGather(w, bad), /id 9 at index 1 is outside the 16-bit table's 9 rows/);
      bad.dispose();
    }
    tf.dispose([ids, rows]);
    w.dispose();
  }
});
}

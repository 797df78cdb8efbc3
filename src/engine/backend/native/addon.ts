// The JavaScript face of the native addon (addon.c): every array is a view into the tfjs wasm heap, or
// the typed array of a tensor on the native CPU backend.
export type F32 = Float32Array;
export interface Addon {
  init(preferred: string): string | null;
  threads(n: number): number;
  bmm(a: F32, b: F32, c: F32, Z: number, M: number, K: number, N: number, ta: number, tb: number, za: number, zb: number): void;
  logSoftmaxPick(x: F32, t: Int32Array, out: F32, lse: F32, N: number, V: number): void;
  logSoftmaxPickGrad(x: F32, lse: F32, t: Int32Array, dy: F32, dx: F32, N: number, V: number): void;
  gelu(x: F32, y: F32): void;
  geluGrad(x: F32, dy: F32, dx: F32): void;
  sum(x: F32, out: F32, R: number, C: number, leading: number): void;
  addRows(x: F32, b: F32, out: F32, R: number, C: number): void;
  layerNorm(x: F32, w: F32, b: F32, y: F32, mean: F32, rstd: F32, N: number, C: number, eps: number): void;
  layerNormGrad(x: F32, w: F32, mean: F32, rstd: F32, dy: F32, dx: F32, dw: F32, db: F32, N: number, C: number): void;
  adamw(p: F32, g: F32, m: F32, v: F32, pOut: F32, mOut: F32, vOut: F32, coef: number, b1: number, ob1: number, b2: number, ob2: number, lr: number, eps: number, decay: number, bc1: number, bc2: number): void;
  /** y = transpose(x, perm), 4-byte elements; shape is x's. */
  transpose(x: F32 | Int32Array, y: F32 | Int32Array, shape: Int32Array, perm: Int32Array): void;
  /** o = a op b (0 add, 1 sub, 2 mul, 3 div) over [R, C]; mode 0 same shape, 1 b [C], 2 b [R], 3 a [C], 4 a [R]. */
  binary(op: number, a: F32, b: F32, o: F32, R: number, C: number, mode: number): void;
  softmax(x: F32, y: F32, R: number, C: number): void;
  /** y [M, N] = x [M, K] · op(S), S [K, N] (trans 0) or [N, K] (trans 1) of 16-bit values packed two per int32; fmt 0 bf16, 1 f16. */
  halfMatmul(x: F32, s: Int32Array, y: F32, M: number, K: number, N: number, trans: number, fmt: number): void;
  /** out [ids, C] = rows of S [R, C] (packed as for halfMatmul), widened; a RangeError for an id outside [0, R). */
  halfGather(s: Int32Array, ids: Int32Array, out: F32, R: number, C: number, fmt: number): void;
  /** Causal attention (attention.c): qkv [B, T, (H+2KV)·hd], lens [B] → y [B·T, H·hd], lse [B·H·T]. */
  attention(qkv: F32, lens: Int32Array, y: F32, lse: F32, B: number, T: number, H: number, KV: number, hd: number): void;
  /** Its gradient: qkv, y, lse, dy, lens → dqkv, qkv's shape. */
  attentionGrad(qkv: F32, y: F32, lse: F32, dy: F32, lens: Int32Array, dqkv: F32, B: number, T: number, H: number, KV: number, hd: number): void;
}


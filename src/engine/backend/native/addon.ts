// The JavaScript face of the native addon (addon.c): every array is a view into the tfjs wasm heap.
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
}


// Independent float64 references of the fused kernels (log-softmax pick, GELU, LayerNorm), written
// from their formulas, for the kernel tests of every backend. Inputs are float32 arrays as uploaded.

/** Rows of x [N, V] with targets t: picked log-probs and the gradient of Σ dy·picked. */
export function pickRef(x: Float32Array, t: Int32Array, dy: Float32Array, N: number, V: number): { y: Float64Array; dx: Float64Array } {
  const y = new Float64Array(N), dx = new Float64Array(N * V);
  for (let i = 0; i < N; i++) {
    let m = -Infinity;
    for (let j = 0; j < V; j++) m = Math.max(m, x[i * V + j] as number);
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp((x[i * V + j] as number) - m);
    const lse = m + Math.log(s);
    y[i] = (x[i * V + (t[i] as number)] as number) - lse;
    for (let j = 0; j < V; j++) dx[i * V + j] = (dy[i] as number) * ((j === t[i] ? 1 : 0) - Math.exp((x[i * V + j] as number) - lse));
  }
  return { y, dx };
}

/** GELU (tanh form) and its derivative at each x. */
export function geluRef(x: Float32Array): { y: number[]; d: number[] } {
  const c = Math.sqrt(2 / Math.PI);
  const th = (v: number) => Math.tanh(c * (v + 0.044715 * v ** 3));
  return {
    y: Array.from(x, (v) => 0.5 * v * (1 + th(v))),
    d: Array.from(x, (v) => 0.5 * (1 + th(v)) + 0.5 * v * (1 - th(v) ** 2) * c * (1 + 3 * 0.044715 * v * v)),
  };
}

/** LayerNorm of x [N, C] and the gradients of Σ dy·y with respect to x, w and b. */
export function layerNormRef(x: Float32Array, w: Float32Array, b: Float32Array, dy: Float32Array, N: number, C: number, eps: number) {
  const y = new Float64Array(N * C), dx = new Float64Array(N * C), dw = new Float64Array(C), db = new Float64Array(C);
  for (let i = 0; i < N; i++) {
    const row = Array.from(x.subarray(i * C, (i + 1) * C));
    const m = row.reduce((s, v) => s + v, 0) / C;
    const r = 1 / Math.sqrt(row.reduce((s, v) => s + (v - m) ** 2, 0) / C + eps);
    const xh = row.map((v) => (v - m) * r);
    const g = xh.map((_, c) => (dy[i * C + c] as number) * (w[c] as number));
    const mg = g.reduce((s, v) => s + v, 0) / C;
    const mgx = g.reduce((s, v, c) => s + v * (xh[c] as number), 0) / C;
    xh.forEach((h, c) => {
      y[i * C + c] = h * (w[c] as number) + (b[c] as number);
      dx[i * C + c] = r * ((g[c] as number) - mg - h * mgx);
      dw[c] = (dw[c] as number) + (dy[i * C + c] as number) * h;
      db[c] = (db[c] as number) + (dy[i * C + c] as number);
    });
  }
  return { y, dx, dw, db };
}

// Independent float64 references of the fused kernels (log-softmax pick, GELU, LayerNorm, attention,
// RMSNorm, SwiGLU, embedding), written from their formulas, for the kernel tests of every backend.
// Inputs are float32 arrays as uploaded.

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

/**
 * Causal attention from packed qkv [B, T, (H + 2·KV)·hd] (H query heads, KV key heads, KV value
 * heads; query head h uses kv head ⌊h / (H / KV)⌋, GPT-2: KV = H) → y [B·T, H·hd], and the gradient
 * of Σ dy·y with respect to qkv (float64, materialising the probabilities). `lens`: each row's real length
 * (keys at or past it masked, as transformers' attention_mask on right padding).
 */
export function attentionRef(qkv: Float32Array, dy: Float32Array, B: number, T: number, H: number, hd: number, KV = H, lens?: readonly number[]): { y: Float64Array; dqkv: Float64Array } {
  const d = H * hd, W = (H + 2 * KV) * hd, y = new Float64Array(B * T * d), g = new Float64Array(B * T * W);
  const at = (b: number, t: number, part: number, h: number, c: number) =>
    (b * T + t) * W + (part === 0 ? h : part === 1 ? H + Math.floor(h / (H / KV)) : H + KV + Math.floor(h / (H / KV))) * hd + c;
  const sc = 1 / Math.sqrt(hd);
  const add = (a: Float64Array, i: number, v: number) => { a[i] = (a[i] as number) + v; };
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) {
    const P = Array.from({ length: T }, () => new Float64Array(T));
    const n = lens?.[b] ?? T; // keys j < n are real; a query attends keys j ≤ min(i, n - 1)
    const keys = (i: number) => Math.min(i, n - 1) + 1;
    for (let i = 0; i < T; i++) {
      const s = Array.from({ length: keys(i) }, (_, j) => { let v = 0; for (let c = 0; c < hd; c++) v += (qkv[at(b, i, 0, h, c)] as number) * (qkv[at(b, j, 1, h, c)] as number); return v * sc; });
      const m = Math.max(...s), z = s.reduce((a, v) => a + Math.exp(v - m), 0);
      s.forEach((v, j) => { (P[i] as Float64Array)[j] = Math.exp(v - m) / z; });
      for (let c = 0; c < hd; c++) for (let j = 0; j < keys(i); j++) add(y, (b * T + i) * d + h * hd + c, ((P[i] as Float64Array)[j] as number) * (qkv[at(b, j, 2, h, c)] as number));
    }
    for (let i = 0; i < T; i++) {
      const dyi = (c: number) => dy[(b * T + i) * d + h * hd + c] as number;
      const dP = Array.from({ length: keys(i) }, (_, j) => { let v = 0; for (let c = 0; c < hd; c++) v += dyi(c) * (qkv[at(b, j, 2, h, c)] as number); return v; });
      const Pi = P[i] as Float64Array;
      const D = dP.reduce((a, v, j) => a + v * (Pi[j] as number), 0);
      for (let j = 0; j < keys(i); j++) {
        const ds = (Pi[j] as number) * ((dP[j] as number) - D) * sc;
        for (let c = 0; c < hd; c++) {
          add(g, at(b, i, 0, h, c), ds * (qkv[at(b, j, 1, h, c)] as number));
          add(g, at(b, j, 1, h, c), ds * (qkv[at(b, i, 0, h, c)] as number));
          add(g, at(b, j, 2, h, c), (Pi[j] as number) * dyi(c));
        }
      }
    }
  }
  return { y, dqkv: g };
}

/** silu(g)·u element-wise and the gradients of Σ dy·y with respect to g and u. */
export function swigluRef(g: Float32Array, u: Float32Array, dy: Float32Array): { y: Float64Array; dg: Float64Array; du: Float64Array } {
  const y = new Float64Array(g.length), dg = new Float64Array(g.length), du = new Float64Array(g.length);
  g.forEach((x, i) => {
    const s = 1 / (1 + Math.exp(-x)), v = u[i] as number, e = dy[i] as number;
    y[i] = x * s * v;
    dg[i] = e * v * (s + x * s * (1 - s)); // d(x·σ(x))/dx = σ + x·σ·(1 − σ)
    du[i] = e * x * s;
  });
  return { y, dg, du };
}

/** Rows of w [V, d] picked by ids, and the gradient of Σ dy·y with respect to w (rows summed per id). */
export function embeddingRef(w: Float32Array, ids: Int32Array, dy: Float32Array, V: number, d: number): { y: Float64Array; dw: Float64Array } {
  const y = new Float64Array(ids.length * d), dw = new Float64Array(V * d);
  ids.forEach((t, n) => {
    for (let c = 0; c < d; c++) {
      y[n * d + c] = w[t * d + c] as number;
      dw[t * d + c] = (dw[t * d + c] as number) + (dy[n * d + c] as number);
    }
  });
  return { y, dw };
}

/** RMSNorm of x [N, C] and the gradients of Σ dy·y with respect to x and w. */
export function rmsNormRef(x: Float32Array, w: Float32Array, dy: Float32Array, N: number, C: number, eps: number) {
  const y = new Float64Array(N * C), dx = new Float64Array(N * C), dw = new Float64Array(C);
  for (let i = 0; i < N; i++) {
    const row = Array.from(x.subarray(i * C, (i + 1) * C));
    const r = 1 / Math.sqrt(row.reduce((s, v) => s + v * v, 0) / C + eps);
    const g = row.map((_, c) => (dy[i * C + c] as number) * (w[c] as number));
    const mgx = g.reduce((s, v, c) => s + v * (row[c] as number) * r, 0) / C;
    row.forEach((v, c) => {
      y[i * C + c] = v * r * (w[c] as number);
      dx[i * C + c] = r * ((g[c] as number) - v * r * mgx);
      dw[c] = (dw[c] as number) + (dy[i * C + c] as number) * v * r;
    });
  }
  return { y, dx, dw };
}

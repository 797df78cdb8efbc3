// Fused element-wise kernels the step spends its non-matmul time in: the vocabulary-sized
// log-softmax with label gather (TRL's get_batch_logps), GELU with the tanh approximation (GPT-2's
// gelu_new) and LayerNorm, forward and backward; AdamW; row sums and bias adds. One pass over memory each instead of tfjs's 4-8
// separate kernels and temporaries. Built with target_clones, exp our own branch-free polynomial
// (simd.h), so the loops vectorise.
#include <math.h>
#include <string.h>
#include "native.h"
#include "simd.h"

// tanh(u) = 1 - 2 / (e^{2u} + 1); saturates cleanly at both ends because vexp clamps.
static inline float vtanh(float u) { return 1.0f - 2.0f / (vexp(2.0f * u) + 1.0f); }

static const float GELU_C = 0.7978845608028654f; // sqrt(2/pi)
static const float GELU_A = 0.044715f;

// out[i] = x[i, t[i]] - logsumexp(x[i, :]); lse[i] keeps logsumexp for the backward pass. x: [N, V].
CLONES void log_softmax_pick(const float *x, const int32_t *t, float *out, float *lse, int N, int V) {
  for (int i = 0; i < N; i++) {
    const float *r = x + (size_t)i * V;
    float m = r[0];
#pragma omp simd reduction(max : m)
    for (int j = 1; j < V; j++) m = r[j] > m ? r[j] : m;
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < V; j++) s += vexp(r[j] - m);
    const float l = m + logf(s);
    lse[i] = l;
    const int k = t[i];
    out[i] = (k >= 0 && k < V) ? r[k] - l : -l;
  }
}

// dx[i, j] = dy[i] * (1[j == t[i]] - exp(x[i, j] - lse[i])).
CLONES void log_softmax_pick_grad(const float *x, const float *lse, const int32_t *t, const float *dy, float *dx, int N, int V) {
  for (int i = 0; i < N; i++) {
    const float *r = x + (size_t)i * V;
    float *d = dx + (size_t)i * V;
    const float g = dy[i], l = lse[i];
#pragma omp simd
    for (int j = 0; j < V; j++) d[j] = -g * vexp(r[j] - l);
    const int k = t[i];
    if (k >= 0 && k < V) d[k] += g;
  }
}

// y = 0.5 x (1 + tanh(c (x + a x^3))).
CLONES void gelu_tanh(const float *x, float *y, size_t n) {
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    const float v = x[i];
    y[i] = 0.5f * v * (1.0f + vtanh(GELU_C * (v + GELU_A * v * v * v)));
  }
}

// dx = dy * (0.5 (1 + th) + 0.5 x (1 - th^2) c (1 + 3 a x^2)), th = tanh(c (x + a x^3)).
CLONES void gelu_tanh_grad(const float *x, const float *dy, float *dx, size_t n) {
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    const float v = x[i], v2 = v * v;
    const float th = vtanh(GELU_C * (v + GELU_A * v2 * v));
    dx[i] = dy[i] * (0.5f * (1.0f + th) + 0.5f * v * (1.0f - th * th) * GELU_C * (1.0f + 3.0f * GELU_A * v2));
  }
}

// out[c] = sum_r x[r, c] (reduce leading axes; bias gradients) for x: [R, C].
CLONES void sum_leading(const float *x, float *out, size_t R, size_t C) {
  for (size_t c = 0; c < C; c++) out[c] = 0.0f;
  for (size_t r = 0; r < R; r++) {
    const float *row = x + r * C;
#pragma omp simd
    for (size_t c = 0; c < C; c++) out[c] += row[c];
  }
}

// out[r] = sum_c x[r, c] (reduce trailing axes) for x: [R, C].
CLONES void sum_trailing(const float *x, float *out, size_t R, size_t C) {
  for (size_t r = 0; r < R; r++) {
    const float *row = x + r * C;
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (size_t c = 0; c < C; c++) s += row[c];
    out[r] = s;
  }
}

// One AdamW update (torch.optim.AdamW), gradients scaled by the clipping coefficient `coef`:
// (ob1 = 1 - b1 and ob2 = 1 - b2 come rounded from double, as tfjs's scalars do)
// m' = b1 m + (1-b1) g; v' = b2 v + (1-b2) g^2; p' = p decay - lr (m'/bc1) / (sqrt(v'/bc2) + eps).
CLONES void adamw(const float *p, const float *g, const float *m, const float *v, float *po, float *mo, float *vo, size_t n,
                  const adamw_args *a) {
  const float coef = a->coef, b1 = a->b1, ob1 = a->ob1, b2 = a->b2, ob2 = a->ob2, lr = a->lr, eps = a->eps, decay = a->decay;
  const float bc1 = a->bc1, bc2 = a->bc2;
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    const float gi = g[i] * coef;
    const float mi = b1 * m[i] + ob1 * gi;
    const float vi = b2 * v[i] + ob2 * gi * gi;
    mo[i] = mi;
    vo[i] = vi;
    po[i] = p[i] * decay - (mi / bc1) / (sqrtf(vi / bc2) + eps) * lr;
  }
}

// out[r, c] = x[r, c] + b[c] for x: [R, C] (a bias added to every row).
CLONES void add_rows(const float *x, const float *b, float *out, size_t R, size_t C) {
  for (size_t r = 0; r < R; r++) {
    const float *xr = x + r * C;
    float *o = out + r * C;
#pragma omp simd
    for (size_t c = 0; c < C; c++) o[c] = xr[c] + b[c];
  }
}

// LayerNorm over rows (Ba et al. 2016; torch.nn.LayerNorm, biased variance): x: [N, C] →
// y = (x - mean) * rstd * w + b, keeping mean and rstd = 1/sqrt(var + eps) per row for the backward.
CLONES void layer_norm(const float *x, const float *w, const float *b, float *y, float *mean, float *rstd, size_t N, size_t C, float eps) {
  for (size_t i = 0; i < N; i++) {
    const float *xr = x + i * C;
    float s = 0.0f, q = 0.0f;
#pragma omp simd reduction(+ : s)
    for (size_t c = 0; c < C; c++) s += xr[c];
    const float m = s / (float)C;
#pragma omp simd reduction(+ : q)
    for (size_t c = 0; c < C; c++) q += (xr[c] - m) * (xr[c] - m);
    const float r = 1.0f / sqrtf(q / (float)C + eps);
    mean[i] = m;
    rstd[i] = r;
    float *yr = y + i * C;
#pragma omp simd
    for (size_t c = 0; c < C; c++) yr[c] = (xr[c] - m) * r * w[c] + b[c];
  }
}

// Its gradient: with xh = (x - mean) rstd and g = dy w, dx = rstd (g - mean(g) - xh mean(g xh));
// dw = sum over rows of dy xh, db = sum over rows of dy.
CLONES void layer_norm_grad(const float *x, const float *w, const float *mean, const float *rstd, const float *dy, float *dx, float *dw,
                            float *db, size_t N, size_t C) {
  for (size_t c = 0; c < C; c++) dw[c] = db[c] = 0.0f;
  for (size_t i = 0; i < N; i++) {
    const float *xr = x + i * C, *d = dy + i * C;
    const float m = mean[i], r = rstd[i];
    float sg = 0.0f, sgx = 0.0f;
#pragma omp simd reduction(+ : sg, sgx)
    for (size_t c = 0; c < C; c++) {
      const float xh = (xr[c] - m) * r, g = d[c] * w[c];
      sg += g;
      sgx += g * xh;
      dw[c] += d[c] * xh;
      db[c] += d[c];
    }
    const float mg = sg / (float)C, mgx = sgx / (float)C;
    float *o = dx + i * C;
#pragma omp simd
    for (size_t c = 0; c < C; c++) o[c] = r * (d[c] * w[c] - mg - (xr[c] - m) * r * mgx);
  }
}

// Softmax over the rows of x: [R, C] (tf.softmax on the last axis; attention probabilities).
CLONES void softmax_rows(const float *x, float *y, size_t R, size_t C) {
  for (size_t i = 0; i < R; i++) {
    const float *r = x + i * C;
    float *o = y + i * C;
    float m = r[0], s = 0.0f;
#pragma omp simd reduction(max : m)
    for (size_t j = 1; j < C; j++) m = r[j] > m ? r[j] : m;
#pragma omp simd reduction(+ : s)
    for (size_t j = 0; j < C; j++) { o[j] = vexp(r[j] - m); s += o[j]; }
    const float inv = 1.0f / s;
#pragma omp simd
    for (size_t j = 0; j < C; j++) o[j] *= inv;
  }
}

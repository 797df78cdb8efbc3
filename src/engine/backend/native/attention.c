// Fused causal self-attention on the CPU, forward and backward, for the fused-kernel vocabulary's
// OrpoCausalAttention(Grad) (ops/fused.ts; the WGSL twin is backend/webgpu/attention.ts). Semantics
// are transformers' eager attention: softmax(q·kᵀ/sqrt(hd) + mask)·v with grouped-query heads as
// repeat_kv (query head h reads kv head h / (H/KV)) and right padding as attention_mask (query i
// attends key j when j <= i and j < len, so a padding query sees its row's real keys). The backward
// follows FlashAttention's equations (Dao et al. 2022, Algorithm 4): the probabilities are recomputed
// from the row log-sum-exp, P = exp(scale·S − lse), D_i = Σ dY_i·Y_i, dS = P∘(dP − D), with
// dP = dY·Vᵀ, dQ = scale·dS·K, dK = scale·dSᵀ·Q, dV = Pᵀ·dY.
// Only y and lse are kept between the passes. The products run through CBLAS (blas.c) with leading
// dimensions straight into the packed qkv [B, T, (H + 2·KV)·hd], block by block of BQ query rows
// against the keys the block can see (the causal upper triangle beyond the block is skipped), so
// the scratch is two [BQ, T] score blocks, never a [B·H, T, T] map.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "native.h"
#include "simd.h"

enum { BQ = 64 }; // query rows per block

static inline int imin(int a, int b) { return a < b ? a : b; }

// Where head h of batch row b lives in a packed qkv [B, T, W] (W = (H + 2·KV)·hd): q, its kv head's k, v.
typedef struct { size_t q, k, v; } heads;
static heads head_at(int b, int h, int T, int H, int KV, int hd) {
  const size_t row = (size_t)b * T * (size_t)((H + 2 * KV) * hd), g = (size_t)(h / (H / KV));
  return (heads){ row + (size_t)h * hd, row + ((size_t)H + g) * hd, row + ((size_t)H + KV + g) * hd };
}

// One query row of scores s [nk] (raw q·k) → probabilities over its first n keys (0 beyond, up to
// nk), in place; returns the row's log-sum-exp of the scaled scores.
static CLONES float softmax_row(float *s, int nk, int n, float scale) {
  float m = -INFINITY, z = 0.0f;
#pragma omp simd reduction(max : m)
  for (int j = 0; j < n; j++) m = s[j] * scale > m ? s[j] * scale : m;
#pragma omp simd reduction(+ : z)
  for (int j = 0; j < n; j++) { s[j] = vexp(s[j] * scale - m); z += s[j]; }
  const float inv = 1.0f / z;
#pragma omp simd
  for (int j = 0; j < n; j++) s[j] *= inv;
  for (int j = n; j < nk; j++) s[j] = 0.0f;
  return m + logf(z);
}

// One query row of the backward: s [nk] raw scores → P, dp [nk] = dY·Vᵀ → dS = scale·P∘(dP − D), in
// place, over the first n keys (0 beyond).
static CLONES void grad_row(float *s, float *dp, int nk, int n, float scale, float lse, float D) {
#pragma omp simd
  for (int j = 0; j < n; j++) {
    const float p = vexp(s[j] * scale - lse);
    s[j] = p;
    dp[j] = p * (dp[j] - D) * scale;
  }
  for (int j = n; j < nk; j++) s[j] = dp[j] = 0.0f;
}

static CLONES float dot(const float *a, const float *b, int n) {
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (int c = 0; c < n; c++) s += a[c] * b[c];
  return s;
}

// The real length of row b, within [0, T].
static int length(const int32_t *lens, int b, int T) { return lens[b] < 0 ? 0 : lens[b] > T ? T : lens[b]; }

// qkv [B, T, (H+2KV)·hd], lens [B] → y [B·T, H·hd] (heads merged), lse [B·H·T] at ((b·H + h)·T + i).
// A row of length 0 gets y = 0 and lse = 0. Returns 0, or -1 when the scratch cannot be allocated.
int attention_fwd(const float *qkv, const int32_t *lens, float *y, float *lse, int B, int T, int H, int KV, int hd) {
  const int W = (H + 2 * KV) * hd, d = H * hd;
  const float scale = 1.0f / sqrtf((float)hd);
  float *s = malloc(sizeof(float) * BQ * (size_t)T); // [BQ, T] scores, then probabilities
  if (!s) return -1;
  for (int b = 0; b < B; b++) {
    const int n = length(lens, b, T);
    for (int h = 0; h < H; h++) {
      const heads o = head_at(b, h, T, H, KV, hd);
      float *yh = y + (size_t)b * T * d + (size_t)h * hd, *l = lse + ((size_t)b * H + h) * T;
      for (int i0 = 0; i0 < T; i0 += BQ) {
        const int r = imin(BQ, T - i0), nk = imin(i0 + r, n); // rows of the block, keys it sees
        if (nk == 0) {
          for (int i = 0; i < r; i++) { memset(yh + (size_t)(i0 + i) * d, 0, sizeof(float) * hd); l[i0 + i] = 0.0f; }
          continue;
        }
        blas_sgemm(0, 1, r, nk, hd, qkv + o.q + (size_t)i0 * W, W, qkv + o.k, W, 0.0f, s, nk); // S [r, nk] = Q·Kᵀ
        for (int i = 0; i < r; i++) l[i0 + i] = softmax_row(s + (size_t)i * nk, nk, imin(i0 + i, n - 1) + 1, scale);
        blas_sgemm(0, 0, r, hd, nk, s, nk, qkv + o.v, W, 0.0f, yh + (size_t)i0 * d, d); // Y [r, hd] = P·V
      }
    }
  }
  free(s);
  return 0;
}

// qkv, y, lse, dy [B·T, H·hd], lens → dqkv [B, T, (H+2KV)·hd]: dq of each query head; dk, dv of each
// kv head summed over the H/KV query heads that read it; 0 for padding keys and rows of length 0.
// Returns 0, or -1 when the scratch cannot be allocated.
int attention_bwd(const float *qkv, const float *y, const float *lse, const float *dy, const int32_t *lens, float *dqkv, int B, int T,
                  int H, int KV, int hd) {
  const int W = (H + 2 * KV) * hd, d = H * hd;
  const float scale = 1.0f / sqrtf((float)hd);
  float *p = malloc(sizeof(float) * 2 * BQ * (size_t)T); // [BQ, T] probabilities, then [BQ, T] dP → dS
  if (!p) return -1;
  float *ds = p + (size_t)BQ * T;
  memset(dqkv, 0, sizeof(float) * (size_t)B * T * W); // dK, dV accumulate over query blocks and heads
  for (int b = 0; b < B; b++) {
    const int n = length(lens, b, T);
    for (int h = 0; n > 0 && h < H; h++) {
      const heads o = head_at(b, h, T, H, KV, hd);
      const float *yh = y + (size_t)b * T * d + (size_t)h * hd, *dyh = dy + (size_t)b * T * d + (size_t)h * hd;
      const float *l = lse + ((size_t)b * H + h) * T;
      for (int i0 = 0; i0 < T; i0 += BQ) {
        const int r = imin(BQ, T - i0), nk = imin(i0 + r, n);
        const float *q = qkv + o.q + (size_t)i0 * W, *dyb = dyh + (size_t)i0 * d;
        blas_sgemm(0, 1, r, nk, hd, q, W, qkv + o.k, W, 0.0f, p, nk);       // S [r, nk] = Q·Kᵀ
        blas_sgemm(0, 1, r, nk, hd, dyb, d, qkv + o.v, W, 0.0f, ds, nk);    // dP [r, nk] = dY·Vᵀ
        for (int i = 0; i < r; i++) {
          const float D = dot(dyb + (size_t)i * d, yh + (size_t)(i0 + i) * d, hd);
          grad_row(p + (size_t)i * nk, ds + (size_t)i * nk, nk, imin(i0 + i, n - 1) + 1, scale, l[i0 + i], D);
        }
        blas_sgemm(0, 0, r, hd, nk, ds, nk, qkv + o.k, W, 0.0f, dqkv + o.q + (size_t)i0 * W, W); // dQ [r, hd] = dS·K
        blas_sgemm(1, 0, nk, hd, r, ds, nk, q, W, 1.0f, dqkv + o.k, W);                          // dK [nk, hd] += dSᵀ·Q
        blas_sgemm(1, 0, nk, hd, r, p, nk, dyb, d, 1.0f, dqkv + o.v, W);                         // dV [nk, hd] += Pᵀ·dY
      }
    }
  }
  free(p);
  return 0;
}

// 16-bit frozen weights (bfloat16 or IEEE 754 binary16, as safetensors stores them) in matrix products
// and row gathers. The weight stays 16-bit in memory: a panel of its rows is widened to float32 in a
// scratch buffer (at most PANEL values) and handed to CBLAS sgemm, so the product runs at sgemm's
// speed while only one panel exists in float32 at a time. Widening is exact (both formats are subsets
// of float32), so the result equals the float32 product with the widened weight.
#include <stdlib.h>
#include <string.h>
#include "native.h"

enum { PANEL = 1 << 20 }; // 4 MiB of float32 scratch at most

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

// The panel buffer, kept between calls (kernels run on Node's main thread only): a fresh 4 MiB
// allocation per product cost its page faults every time.
static float *scratch;
static size_t scratch_cap;

static float *panel(size_t n) {
  if (n <= scratch_cap) return scratch;
  float *p = realloc(scratch, n * sizeof *p);
  if (!p) return NULL;
  scratch = p;
  scratch_cap = n;
  return p;
}

static inline float bf16_f32(uint16_t h) {
  const uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static inline float f16_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, u;
  if (exp == 0x1f) u = sign | 0x7f800000u | (mant << 13); // Inf, NaN
  else if (exp != 0) u = sign | ((exp + 112) << 23) | (mant << 13);
  else if (mant == 0) u = sign; // ±0
  else {
    uint32_t e = 113; // subnormal: mant·2^-24, normalised to 1.f·2^(e-127)
    while (!(mant & 0x400)) { mant <<= 1; e--; }
    u = sign | e << 23 | (mant & 0x3ff) << 13;
  }
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

CLONES void half_widen(const uint16_t *s, float *d, size_t n, int fmt) {
  if (fmt == HALF_BF16) for (size_t i = 0; i < n; i++) d[i] = bf16_f32(s[i]);
  else for (size_t i = 0; i < n; i++) d[i] = f16_f32(s[i]);
}

// y [M, N] = x [M, K] · op(S). S is stored row-major as [K, N] (trans 0) or [N, K] (trans 1). Panels
// are runs of S's rows: with trans 1 each panel gives a block of y's columns; with trans 0 each panel
// is a slice of the inner dimension, accumulated into y. Returns 0, or -1 when no scratch could be had.
int half_mm(const float *x, const uint16_t *s, float *y, int M, int K, int N, int trans, int fmt) {
  const int R = trans ? N : K, C = trans ? K : N;
  if (M <= 0 || N <= 0) return 0;
  if (R <= 0 || C <= 0) { memset(y, 0, (size_t)M * N * sizeof *y); return 0; }
  int rb = PANEL / C;
  rb = rb < 1 ? 1 : rb > R ? R : rb;
  float *p = panel((size_t)rb * C);
  if (!p) return -1;
  for (int r0 = 0; r0 < R; r0 += rb) {
    const int n = R - r0 < rb ? R - r0 : rb;
    half_widen(s + (size_t)r0 * C, p, (size_t)n * C, fmt);
    if (trans) blas_sgemm(0, 1, M, n, K, x, K, p, K, 0.0f, y + r0, N); // y[:, r0:r0+n] = x · panelᵀ
    else blas_sgemm(0, 0, M, N, n, x + r0, K, p, N, r0 ? 1.0f : 0.0f, y, N); // y += x[:, r0:r0+n] · panel
  }
  return 0;
}

// out [n, C] = rows ids[i] of S [R, C], widened. Returns the index of the first id outside [0, R), or -1.
long half_gather(const uint16_t *s, const int32_t *ids, float *out, size_t n, size_t R, size_t C, int fmt) {
  for (size_t i = 0; i < n; i++) {
    const int32_t id = ids[i];
    if (id < 0 || (size_t)id >= R) return (long)i;
    half_widen(s + (size_t)id * C, out + i * C, C, fmt);
  }
  return -1;
}

// Data-movement and broadcasting kernels for the native CPU backend (cpuKernels.ts), whose tensors
// live in JavaScript typed arrays outside any wasm heap: a transpose of any permutation up to rank 6
// (tf.transpose semantics) and the four arithmetic ops over the broadcasts a transformer step uses
// (tf.add/sub/mul/div: same shape, a row vector repeated over rows, a column repeated over columns).
// tfjs's cpu backend runs both through per-element index arithmetic; these are plain loops.
#include <string.h>
#include "native.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

// y = transpose(x, perm) for 4-byte elements; shape is x's. Runs of the last axis are copied whole
// when it stays last.
void transpose4(const uint32_t *x, uint32_t *y, int rank, const int *shape, const int *perm) {
  size_t xs[6], os[6], n = 1; // x strides; output shape
  int idx[6] = { 0 };
  for (int i = rank - 1; i >= 0; i--) { xs[i] = n; n *= (size_t)shape[i]; }
  for (int i = 0; i < rank; i++) os[i] = (size_t)shape[perm[i]];
  if (n == 0) return;
  const int inner = perm[rank - 1] == rank - 1;
  const size_t run = inner ? os[rank - 1] : 1, step = xs[perm[rank - 1]];
  const int top = rank - 1; // the innermost output axis is walked by the run loop
  size_t o = 0;
  while (o < n) {
    size_t src = 0;
    for (int i = 0; i < top; i++) src += (size_t)idx[i] * xs[perm[i]];
    if (inner) { memcpy(y + o, x + src, run * sizeof *x); o += run; }
    else { for (size_t j = 0; j < os[top]; j++) y[o++] = x[src + j * step]; }
    for (int i = top - 1; i >= 0; i--) { if (++idx[i] < (int)os[i]) break; idx[i] = 0; }
  }
}

#define LOOP(EXPR) \
  switch (mode) { \
  case 0: for (size_t i = 0; i < R * C; i++) { const float u = a[i], w = b[i]; o[i] = EXPR; } break; \
  case 1: for (size_t r = 0; r < R; r++) for (size_t c = 0; c < C; c++) { const float u = a[r * C + c], w = b[c]; o[r * C + c] = EXPR; } break; \
  case 2: for (size_t r = 0; r < R; r++) { const float w = b[r]; for (size_t c = 0; c < C; c++) { const float u = a[r * C + c]; o[r * C + c] = EXPR; } } break; \
  case 3: for (size_t r = 0; r < R; r++) for (size_t c = 0; c < C; c++) { const float u = a[c], w = b[r * C + c]; o[r * C + c] = EXPR; } break; \
  default: for (size_t r = 0; r < R; r++) { const float u = a[r]; for (size_t c = 0; c < C; c++) { const float w = b[r * C + c]; o[r * C + c] = EXPR; } } break; \
  }

// o = a (op) b over an [R, C] result. mode 0: a, b [R, C]; 1: b [C]; 2: b [R]; 3: a [C]; 4: a [R].
// op 0 add, 1 sub, 2 mul, 3 div.
CLONES void binary_f32(int op, const float *a, const float *b, float *o, size_t R, size_t C, int mode) {
  switch (op) {
  case 0: LOOP(u + w); break;
  case 1: LOOP(u - w); break;
  case 2: LOOP(u * w); break;
  default: LOOP(u / w); break;
  }
}

// Helpers shared by the element-wise C kernels (fused.c, attention.c): target_clones so that AVX2
// machines get 8-wide loops and others the baseline, and a branch-free exp that vectorises with
// -fno-trapping-math alone (-ffast-math would change float semantics for the whole process).
#ifndef ORPO_SIMD_H
#define ORPO_SIMD_H
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

// e^x for x in [-87, 88]: x = n ln2 + r with |r| <= ln2/2, e^r by its degree-6 Taylor polynomial
// (relative error < 2e-7), 2^n put straight into the exponent bits.
static inline float vexp(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  const float n = (x * 1.44269504f + 12582912.0f) - 12582912.0f; // round to nearest
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;    // ln2 in two parts
  const float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.6666667e-1f + r * (4.1666668e-2f + r * (8.3333338e-3f + r * 1.3888889e-3f)))));
  const int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}
#endif

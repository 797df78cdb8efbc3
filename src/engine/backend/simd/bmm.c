// Batched matrix product for the tfjs wasm backend, in WebAssembly SIMD128: C[z] = A[z]·B[z] with
// A [Z, M, K], B [Z, K, N], C [Z, M, N], all row-major float32. tfjs-wasm 4.22 runs rank-3 products
// through a scalar loop (1.5-2 GFLOP/s on attention shapes); this kernel keeps four rows of C in
// registers per 4-column strip (a 4x4 register block) and streams B. Build: scripts/build-simd.sh.
#include <wasm_simd128.h>

#define ROW(p, r, stride) ((p) + (r) * (stride))

static void block4(const float *A, const float *B, float *C, int K, int N, int j, int rows) {
  v128_t c0 = wasm_f32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
  for (int k = 0; k < K; k++) {
    v128_t b = wasm_v128_load(B + k * N + j);
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_f32x4_splat(A[k]), b));
    if (rows > 1) c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(wasm_f32x4_splat(A[K + k]), b));
    if (rows > 2) c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(wasm_f32x4_splat(A[2 * K + k]), b));
    if (rows > 3) c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(wasm_f32x4_splat(A[3 * K + k]), b));
  }
  wasm_v128_store(C + j, c0);
  if (rows > 1) wasm_v128_store(C + N + j, c1);
  if (rows > 2) wasm_v128_store(C + 2 * N + j, c2);
  if (rows > 3) wasm_v128_store(C + 3 * N + j, c3);
}

__attribute__((export_name("bmm")))
void bmm(const float *A, const float *B, float *C, int Z, int M, int K, int N) {
  int n4 = N & ~3;
  for (int z = 0; z < Z; z++) {
    const float *a = A + (long)z * M * K;
    const float *b = B + (long)z * K * N;
    float *c = C + (long)z * M * N;
    for (int i = 0; i < M; i += 4) {
      int rows = M - i < 4 ? M - i : 4;
      for (int j = 0; j < n4; j += 4) block4(ROW(a, i, K), b, ROW(c, i, N), K, N, j, rows);
      for (int r = 0; r < rows; r++) {  // columns past the last multiple of 4
        for (int j = n4; j < N; j++) {
          float s = 0;
          for (int k = 0; k < K; k++) s += a[(i + r) * K + k] * b[k * N + j];
          c[(i + r) * N + j] = s;
        }
      }
    }
  }
}

// No libc: the compiler may turn zeroing loops into memset calls.
void *memset(void *d, int v, unsigned long n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)v;
  return d;
}

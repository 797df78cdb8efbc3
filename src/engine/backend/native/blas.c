// Float32 matrix products through the system's CBLAS (OpenBLAS, BLIS, MKL, ...), found with dlopen
// at run time so that the addon links against no BLAS and loads everywhere; without one, init()
// reports failure and the engine keeps the wasm kernels. Row-major cblas_sgemm, the routine PyTorch's
// CPU matmul reaches through OpenBLAS.
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>
#include "native.h"

enum { RowMajor = 101, NoTrans = 111, Trans = 112 };
typedef void (*sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc);
typedef void (*set_threads_fn)(int n);
typedef int (*get_threads_fn)(void);

static sgemm_fn sgemm;
static set_threads_fn set_threads;
static get_threads_fn get_threads;
static char library[512];

static const char *const candidates[] = {
  "libopenblas.so.0", "libopenblas.so", "libopenblasp-r0.3.so", "libblis.so.4", "libmkl_rt.so.2", "libmkl_rt.so",
  "/System/Library/Frameworks/Accelerate.framework/Accelerate", "libopenblas.dylib", "libblas.so.3", NULL,
};

static int try_open(const char *name) {
  if (!name || !*name) return 0;
  void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!h) return 0;
  sgemm_fn f = (sgemm_fn)dlsym(h, "cblas_sgemm");
  if (!f) { dlclose(h); return 0; }
  sgemm = f;
  set_threads = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
  if (!set_threads) set_threads = (set_threads_fn)dlsym(h, "bli_thread_set_num_threads");
  if (!set_threads) set_threads = (set_threads_fn)dlsym(h, "MKL_Set_Num_Threads");
  get_threads = (get_threads_fn)dlsym(h, "openblas_get_num_threads");
  strncpy(library, name, sizeof library - 1);
  return 1;
}

// Opens `preferred` (a path or soname; may be NULL), else the first known CBLAS that loads.
const char *blas_init(const char *preferred) {
  if (sgemm) return library;
  if (try_open(preferred)) return library;
  for (int i = 0; candidates[i]; i++) if (try_open(candidates[i])) return library;
  return NULL;
}

int blas_threads(int n) {
  if (n > 0 && set_threads) set_threads(n);
  return get_threads ? get_threads() : (n > 0 ? n : 0);
}

// c = op(a)·op(b) + beta·c, row-major, with the caller's leading dimensions (half.c's panels).
void blas_sgemm(int ta, int tb, int M, int N, int K, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
  sgemm(RowMajor, ta ? Trans : NoTrans, tb ? Trans : NoTrans, M, N, K, 1.0f, a, lda, b, ldb, beta, c, ldc);
}

// c[z] = op(a[z])·op(b[z]) for z < Z; op transposes when asked. a's matrices are M×K (K×M when ta),
// b's K×N (N×K when tb), c's M×N, all row-major and contiguous; sa/sb are the strides between
// batch entries (0 broadcasts one matrix over the batch).
void blas_bmm(const float *a, const float *b, float *c, int Z, int M, int K, int N, int ta, int tb, size_t sa, size_t sb) {
  const int lda = ta ? M : K, ldb = tb ? K : N;
  for (int z = 0; z < Z; z++) {
    sgemm(RowMajor, ta ? Trans : NoTrans, tb ? Trans : NoTrans, M, N, K, 1.0f, a + z * sa, lda, b + z * sb, ldb, 0.0f,
          c + (size_t)z * M * N, N);
  }
}

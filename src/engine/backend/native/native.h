// The native kernels' C interface (blas.c, fused.c, ops.c, half.c, attention.c), bound to JavaScript in addon.c.
#ifndef ORPO_NATIVE_H
#define ORPO_NATIVE_H
#include <stddef.h>
#include <stdint.h>

const char *blas_init(const char *preferred);
int blas_threads(int n);
void blas_sgemm(int ta, int tb, int M, int N, int K, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
void blas_bmm(const float *a, const float *b, float *c, int Z, int M, int K, int N, int ta, int tb, size_t sa, size_t sb);

void log_softmax_pick(const float *x, const int32_t *t, float *out, float *lse, int N, int V);
void log_softmax_pick_grad(const float *x, const float *lse, const int32_t *t, const float *dy, float *dx, int N, int V);
void gelu_tanh(const float *x, float *y, size_t n);
void gelu_tanh_grad(const float *x, const float *dy, float *dx, size_t n);
void sum_leading(const float *x, float *out, size_t R, size_t C);
void sum_trailing(const float *x, float *out, size_t R, size_t C);
void layer_norm(const float *x, const float *w, const float *b, float *y, float *mean, float *rstd, size_t N, size_t C, float eps);
void layer_norm_grad(const float *x, const float *w, const float *mean, const float *rstd, const float *dy, float *dx, float *dw,
                     float *db, size_t N, size_t C);
void add_rows(const float *x, const float *b, float *out, size_t R, size_t C);
typedef struct { float coef, b1, ob1, b2, ob2, lr, eps, decay, bc1, bc2; } adamw_args;
void adamw(const float *p, const float *g, const float *m, const float *v, float *po, float *mo, float *vo, size_t n,
           const adamw_args *a);
// ops.c and the softmax in fused.c: the native CPU backend's data movement and broadcasts.
void transpose4(const uint32_t *x, uint32_t *y, int rank, const int *shape, const int *perm);
void binary_f32(int op, const float *a, const float *b, float *o, size_t R, size_t C, int mode);
void softmax_rows(const float *x, float *y, size_t R, size_t C);
// half.c: products with and gathers from 16-bit weights (bfloat16 or binary16 bits), widened as read.
enum { HALF_BF16 = 0, HALF_F16 = 1 };
void half_widen(const uint16_t *s, float *d, size_t n, int fmt);
int half_mm(const float *x, const uint16_t *s, float *y, int M, int K, int N, int trans, int fmt);
long half_gather(const uint16_t *s, const int32_t *ids, float *out, size_t n, size_t R, size_t C, int fmt);
// attention.c: fused causal attention over a packed qkv [B, T, (H+2KV)·hd]; 0, or -1 out of memory.
int attention_fwd(const float *qkv, const int32_t *lens, float *y, float *lse, int B, int T, int H, int KV, int hd);
int attention_bwd(const float *qkv, const float *y, const float *lse, const float *dy, const int32_t *lens, float *dqkv, int B, int T,
                  int H, int KV, int hd);
#endif

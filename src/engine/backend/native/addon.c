// Node-API glue for the native CPU kernels (blas.c, fused.c, ops.c, half.c, attention.c). Every array
// argument is a typed-array view into the tfjs wasm heap, or a native backend tensor's typed array:
// the kernels read and write it in place, with no copies. Shapes and sizes are checked here, once,
// so the kernels can trust them.
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdio.h>
#include <string.h>
#include "native.h"

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "orpo-native: " #call " failed"); return NULL; } } while (0)

typedef struct { void *data; size_t len; } view;

// Argument i as a typed array of at least `need` elements of `want` type.
static int arr(napi_env env, napi_value v, napi_typedarray_type want, size_t need, view *out) {
  napi_typedarray_type type; size_t len; void *data; napi_value ab; size_t off;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, &ab, &off) != napi_ok || type != want || len < need) {
    napi_throw_type_error(env, NULL, "orpo-native: a typed array argument has the wrong type or size");
    return 0;
  }
  out->data = data; out->len = len;
  return 1;
}

static int num(napi_env env, napi_value v, double *out) {
  if (napi_get_value_double(env, v, out) != napi_ok) { napi_throw_type_error(env, NULL, "orpo-native: expected a number"); return 0; }
  return 1;
}

static napi_value args(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < n) {
    napi_throw_type_error(env, NULL, "orpo-native: too few arguments");
    return NULL;
  }
  return argv[0];
}

// init(preferred: string) -> name of the CBLAS library opened, or null.
static napi_value js_init(napi_env env, napi_callback_info info) {
  napi_value argv[1]; char path[512] = "";
  size_t argc = 1;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc >= 1) napi_get_value_string_utf8(env, argv[0], path, sizeof path, NULL);
  const char *lib = blas_init(path);
  napi_value r;
  if (lib) CHECK(napi_create_string_utf8(env, lib, NAPI_AUTO_LENGTH, &r)); else CHECK(napi_get_null(env, &r));
  return r;
}

// threads(n: number) -> the BLAS thread count after setting it (n <= 0 only reads it).
static napi_value js_threads(napi_env env, napi_callback_info info) {
  napi_value argv[1]; double n; napi_value r;
  if (!args(env, info, 1, argv) || !num(env, argv[0], &n)) return NULL;
  CHECK(napi_create_int32(env, blas_threads((int)n), &r));
  return r;
}

// bmm(a, b, c, Z, M, K, N, ta, tb, batchA, batchB): batchA/batchB are 1 (broadcast) or Z.
static napi_value js_bmm(napi_env env, napi_callback_info info) {
  napi_value argv[11]; double d[8]; view a, b, c;
  if (!args(env, info, 11, argv)) return NULL;
  for (int i = 0; i < 8; i++) if (!num(env, argv[3 + i], &d[i])) return NULL;
  const int Z = (int)d[0], M = (int)d[1], K = (int)d[2], N = (int)d[3], ta = d[4] != 0, tb = d[5] != 0;
  const size_t za = (size_t)d[6], zb = (size_t)d[7];
  if (!arr(env, argv[0], napi_float32_array, za * M * K, &a) || !arr(env, argv[1], napi_float32_array, zb * K * N, &b) ||
      !arr(env, argv[2], napi_float32_array, (size_t)Z * M * N, &c)) return NULL;
  blas_bmm(a.data, b.data, c.data, Z, M, K, N, ta, tb, za == 1 ? 0 : (size_t)M * K, zb == 1 ? 0 : (size_t)K * N);
  return NULL;
}

// logSoftmaxPick(x, t, out, lse, N, V)
static napi_value js_lsp(napi_env env, napi_callback_info info) {
  napi_value argv[6]; double n, v; view x, t, o, l;
  if (!args(env, info, 6, argv) || !num(env, argv[4], &n) || !num(env, argv[5], &v)) return NULL;
  const size_t N = (size_t)n, V = (size_t)v;
  if (!arr(env, argv[0], napi_float32_array, N * V, &x) || !arr(env, argv[1], napi_int32_array, N, &t) ||
      !arr(env, argv[2], napi_float32_array, N, &o) || !arr(env, argv[3], napi_float32_array, N, &l)) return NULL;
  log_softmax_pick(x.data, t.data, o.data, l.data, (int)N, (int)V);
  return NULL;
}

// logSoftmaxPickGrad(x, lse, t, dy, dx, N, V)
static napi_value js_lsp_grad(napi_env env, napi_callback_info info) {
  napi_value argv[7]; double n, v; view x, l, t, dy, dx;
  if (!args(env, info, 7, argv) || !num(env, argv[5], &n) || !num(env, argv[6], &v)) return NULL;
  const size_t N = (size_t)n, V = (size_t)v;
  if (!arr(env, argv[0], napi_float32_array, N * V, &x) || !arr(env, argv[1], napi_float32_array, N, &l) ||
      !arr(env, argv[2], napi_int32_array, N, &t) || !arr(env, argv[3], napi_float32_array, N, &dy) ||
      !arr(env, argv[4], napi_float32_array, N * V, &dx)) return NULL;
  log_softmax_pick_grad(x.data, l.data, t.data, dy.data, dx.data, (int)N, (int)V);
  return NULL;
}

// gelu(x, y) and geluGrad(x, dy, dx) over whole arrays of equal length.
static napi_value js_gelu(napi_env env, napi_callback_info info) {
  napi_value argv[2]; view x, y;
  if (!args(env, info, 2, argv) || !arr(env, argv[0], napi_float32_array, 0, &x) || !arr(env, argv[1], napi_float32_array, x.len, &y)) return NULL;
  gelu_tanh(x.data, y.data, x.len);
  return NULL;
}

static napi_value js_gelu_grad(napi_env env, napi_callback_info info) {
  napi_value argv[3]; view x, dy, dx;
  if (!args(env, info, 3, argv) || !arr(env, argv[0], napi_float32_array, 0, &x) || !arr(env, argv[1], napi_float32_array, x.len, &dy) ||
      !arr(env, argv[2], napi_float32_array, x.len, &dx)) return NULL;
  gelu_tanh_grad(x.data, dy.data, dx.data, x.len);
  return NULL;
}

// sum(x, out, R, C, leading): column sums of x [R, C] when leading, else row sums.
static napi_value js_sum(napi_env env, napi_callback_info info) {
  napi_value argv[5]; double r, c, lead; view x, o;
  if (!args(env, info, 5, argv) || !num(env, argv[2], &r) || !num(env, argv[3], &c) || !num(env, argv[4], &lead)) return NULL;
  const size_t R = (size_t)r, C = (size_t)c;
  if (!arr(env, argv[0], napi_float32_array, R * C, &x) || !arr(env, argv[1], napi_float32_array, lead != 0 ? C : R, &o)) return NULL;
  if (lead != 0) sum_leading(x.data, o.data, R, C); else sum_trailing(x.data, o.data, R, C);
  return NULL;
}

// addRows(x, b, out, R, C): out = x + b broadcast over the R rows of x [R, C].
static napi_value js_add_rows(napi_env env, napi_callback_info info) {
  napi_value argv[5]; double r, c; view x, b, o;
  if (!args(env, info, 5, argv) || !num(env, argv[3], &r) || !num(env, argv[4], &c)) return NULL;
  const size_t R = (size_t)r, C = (size_t)c;
  if (!arr(env, argv[0], napi_float32_array, R * C, &x) || !arr(env, argv[1], napi_float32_array, C, &b) ||
      !arr(env, argv[2], napi_float32_array, R * C, &o)) return NULL;
  add_rows(x.data, b.data, o.data, R, C);
  return NULL;
}

// layerNorm(x, w, b, y, mean, rstd, N, C, eps)
static napi_value js_layer_norm(napi_env env, napi_callback_info info) {
  napi_value argv[9]; double n, c, eps; view t[6];
  if (!args(env, info, 9, argv) || !num(env, argv[6], &n) || !num(env, argv[7], &c) || !num(env, argv[8], &eps)) return NULL;
  const size_t N = (size_t)n, C = (size_t)c, need[6] = { N * C, C, C, N * C, N, N };
  for (int i = 0; i < 6; i++) if (!arr(env, argv[i], napi_float32_array, need[i], &t[i])) return NULL;
  layer_norm(t[0].data, t[1].data, t[2].data, t[3].data, t[4].data, t[5].data, N, C, (float)eps);
  return NULL;
}

// layerNormGrad(x, w, mean, rstd, dy, dx, dw, db, N, C)
static napi_value js_layer_norm_grad(napi_env env, napi_callback_info info) {
  napi_value argv[10]; double n, c; view t[8];
  if (!args(env, info, 10, argv) || !num(env, argv[8], &n) || !num(env, argv[9], &c)) return NULL;
  const size_t N = (size_t)n, C = (size_t)c, need[8] = { N * C, C, N, N, N * C, N * C, C, C };
  for (int i = 0; i < 8; i++) if (!arr(env, argv[i], napi_float32_array, need[i], &t[i])) return NULL;
  layer_norm_grad(t[0].data, t[1].data, t[2].data, t[3].data, t[4].data, t[5].data, t[6].data, t[7].data, N, C);
  return NULL;
}

// adamw(p, g, m, v, pOut, mOut, vOut, coef, b1, 1-b1, b2, 1-b2, lr, eps, decay, bc1, bc2)
static napi_value js_adamw(napi_env env, napi_callback_info info) {
  napi_value argv[17]; view t[7]; double d[10];
  if (!args(env, info, 17, argv) || !arr(env, argv[0], napi_float32_array, 0, &t[0])) return NULL;
  for (int i = 1; i < 7; i++) if (!arr(env, argv[i], napi_float32_array, t[0].len, &t[i])) return NULL;
  for (int i = 0; i < 10; i++) if (!num(env, argv[7 + i], &d[i])) return NULL;
  const adamw_args a = { (float)d[0], (float)d[1], (float)d[2], (float)d[3], (float)d[4], (float)d[5], (float)d[6], (float)d[7], (float)d[8], (float)d[9] };
  adamw(t[0].data, t[1].data, t[2].data, t[3].data, t[4].data, t[5].data, t[6].data, t[0].len, &a);
  return NULL;
}

// Argument v as a typed array of 4-byte elements (float32, int32 or uint32) of exactly `need` elements.
static int arr4(napi_env env, napi_value v, size_t need, view *out) {
  napi_typedarray_type type; size_t len; void *data; napi_value ab; size_t off;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, &ab, &off) != napi_ok || len != need ||
      (type != napi_float32_array && type != napi_int32_array && type != napi_uint32_array)) {
    napi_throw_type_error(env, NULL, "orpo-native: a 4-byte typed array argument has the wrong type or size");
    return 0;
  }
  out->data = data; out->len = len;
  return 1;
}

// transpose(x, y, shape: Int32Array, perm: Int32Array): rank <= 6, 4-byte elements.
static napi_value js_transpose(napi_env env, napi_callback_info info) {
  napi_value argv[4]; view sh, pm, x, y;
  if (!args(env, info, 4, argv) || !arr(env, argv[2], napi_int32_array, 1, &sh) || !arr(env, argv[3], napi_int32_array, sh.len, &pm)) return NULL;
  const int rank = (int)sh.len, *shape = sh.data, *perm = pm.data;
  size_t n = 1; int seen = 0, ok = rank >= 1 && rank <= 6;
  for (int i = 0; ok && i < rank; i++) {
    n *= (size_t)(shape[i] < 0 ? 0 : shape[i]);
    ok = perm[i] >= 0 && perm[i] < rank && !(seen & (1 << perm[i]));
    seen |= ok ? 1 << perm[i] : 0;
  }
  if (!ok) { napi_throw_range_error(env, NULL, "orpo-native: transpose needs a permutation of rank 1 to 6"); return NULL; }
  if (!arr4(env, argv[0], n, &x) || !arr4(env, argv[1], n, &y)) return NULL;
  transpose4(x.data, y.data, rank, shape, perm);
  return NULL;
}

// binary(op, a, b, o, R, C, mode): see binary_f32 in ops.c for the modes.
static napi_value js_binary(napi_env env, napi_callback_info info) {
  napi_value argv[7]; double d[4]; view a, b, o;
  if (!args(env, info, 7, argv) || !num(env, argv[0], &d[0]) || !num(env, argv[4], &d[1]) || !num(env, argv[5], &d[2]) || !num(env, argv[6], &d[3])) return NULL;
  const size_t R = (size_t)d[1], C = (size_t)d[2];
  const int op = (int)d[0], mode = (int)d[3];
  const size_t na = mode == 0 || mode == 1 || mode == 2 ? R * C : mode == 3 ? C : R;
  const size_t nb = mode == 0 || mode >= 3 ? R * C : mode == 1 ? C : R;
  if (op < 0 || op > 3 || mode < 0 || mode > 4) { napi_throw_range_error(env, NULL, "orpo-native: binary op or mode out of range"); return NULL; }
  if (!arr(env, argv[1], napi_float32_array, na, &a) || !arr(env, argv[2], napi_float32_array, nb, &b) ||
      !arr(env, argv[3], napi_float32_array, R * C, &o)) return NULL;
  binary_f32(op, a.data, b.data, o.data, R, C, mode);
  return NULL;
}

// softmax(x, y, R, C): softmax over the rows of x [R, C].
static napi_value js_softmax(napi_env env, napi_callback_info info) {
  napi_value argv[4]; double r, c; view x, y;
  if (!args(env, info, 4, argv) || !num(env, argv[2], &r) || !num(env, argv[3], &c)) return NULL;
  const size_t R = (size_t)r, C = (size_t)c;
  if (C == 0 || !arr(env, argv[0], napi_float32_array, R * C, &x) || !arr(env, argv[1], napi_float32_array, R * C, &y)) return NULL;
  softmax_rows(x.data, y.data, R, C);
  return NULL;
}

// halfMatmul(x, s, y, M, K, N, trans, fmt): y = x · op(S), S's 16-bit values packed two to an int32
// element (half.c); fmt 0 bfloat16, 1 binary16.
static napi_value js_half_mm(napi_env env, napi_callback_info info) {
  napi_value argv[8]; double d[5]; view x, w, y;
  if (!args(env, info, 8, argv)) return NULL;
  for (int i = 0; i < 5; i++) if (!num(env, argv[3 + i], &d[i])) return NULL;
  const size_t M = (size_t)d[0], K = (size_t)d[1], N = (size_t)d[2];
  if (!arr(env, argv[0], napi_float32_array, M * K, &x) || !arr(env, argv[1], napi_int32_array, (K * N + 1) / 2, &w) ||
      !arr(env, argv[2], napi_float32_array, M * N, &y)) return NULL;
  if (half_mm(x.data, w.data, y.data, (int)M, (int)K, (int)N, d[3] != 0, d[4] != 0) != 0) napi_throw_error(env, NULL, "orpo-native: out of memory for a 16-bit weight's float32 panel");
  return NULL;
}

// halfGather(s, ids, out, R, C, fmt): out = rows ids of S [R, C] (packed as for halfMatmul), widened.
static napi_value js_half_gather(napi_env env, napi_callback_info info) {
  napi_value argv[6]; double d[3]; view w, ids, o;
  if (!args(env, info, 6, argv)) return NULL;
  for (int i = 0; i < 3; i++) if (!num(env, argv[3 + i], &d[i])) return NULL;
  const size_t R = (size_t)d[0], C = (size_t)d[1];
  if (!arr(env, argv[0], napi_int32_array, (R * C + 1) / 2, &w) || !arr(env, argv[1], napi_int32_array, 0, &ids) ||
      !arr(env, argv[2], napi_float32_array, ids.len * C, &o)) return NULL;
  const long bad = half_gather(w.data, ids.data, o.data, ids.len, R, C, d[2] != 0);
  if (bad >= 0) {
    char msg[160];
    snprintf(msg, sizeof msg, "orpo-native: id %d at index %ld is outside the 16-bit table's %zu rows", ((const int32_t *)ids.data)[bad], bad, R);
    napi_throw_range_error(env, NULL, msg);
  }
  return NULL;
}

// Shape [B, T, H, KV, hd] of attention(...) / attentionGrad(...) from arguments first..first+4, checked.
static int attn_dims(napi_env env, napi_value *argv, int first, int *D) {
  for (int i = 0; i < 5; i++) {
    double v;
    if (!num(env, argv[first + i], &v)) return 0;
    D[i] = (int)v;
  }
  if (D[0] < 0 || D[1] < 0 || D[2] <= 0 || D[3] <= 0 || D[4] <= 0 || D[2] % D[3] != 0) {
    napi_throw_range_error(env, NULL, "orpo-native: attention needs B, T >= 0 and H a multiple of KV > 0, hd > 0");
    return 0;
  }
  return 1;
}

// attention(qkv, lens, y, lse, B, T, H, KV, hd): qkv [B, T, (H+2KV)·hd], lens int32 [B] → y [B·T, H·hd], lse [B·H·T].
static napi_value js_attention(napi_env env, napi_callback_info info) {
  napi_value argv[9]; int D[5]; view t[4];
  if (!args(env, info, 9, argv) || !attn_dims(env, argv, 4, D)) return NULL;
  const size_t B = D[0], T = D[1], H = D[2], KV = D[3], hd = D[4];
  if (!arr(env, argv[0], napi_float32_array, B * T * (H + 2 * KV) * hd, &t[0]) || !arr(env, argv[1], napi_int32_array, B, &t[1]) ||
      !arr(env, argv[2], napi_float32_array, B * T * H * hd, &t[2]) || !arr(env, argv[3], napi_float32_array, B * H * T, &t[3])) return NULL;
  if (attention_fwd(t[0].data, t[1].data, t[2].data, t[3].data, D[0], D[1], D[2], D[3], D[4]) != 0) napi_throw_error(env, NULL, "orpo-native: out of memory for the attention scores");
  return NULL;
}

// attentionGrad(qkv, y, lse, dy, lens, dqkv, B, T, H, KV, hd) → dqkv, the shape of qkv.
static napi_value js_attention_grad(napi_env env, napi_callback_info info) {
  napi_value argv[11]; int D[5]; view t[6];
  if (!args(env, info, 11, argv) || !attn_dims(env, argv, 6, D)) return NULL;
  const size_t B = D[0], T = D[1], H = D[2], KV = D[3], hd = D[4], n = B * T * (H + 2 * KV) * hd;
  const size_t need[6] = { n, B * T * H * hd, B * H * T, B * T * H * hd, B, n };
  for (int i = 0; i < 6; i++) if (!arr(env, argv[i], i == 4 ? napi_int32_array : napi_float32_array, need[i], &t[i])) return NULL;
  if (attention_bwd(t[0].data, t[1].data, t[2].data, t[3].data, t[4].data, t[5].data, D[0], D[1], D[2], D[3], D[4]) != 0) napi_throw_error(env, NULL, "orpo-native: out of memory for the attention scores");
  return NULL;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor props[] = {
    { "init", NULL, js_init, NULL, NULL, NULL, napi_default, NULL },
    { "threads", NULL, js_threads, NULL, NULL, NULL, napi_default, NULL },
    { "bmm", NULL, js_bmm, NULL, NULL, NULL, napi_default, NULL },
    { "logSoftmaxPick", NULL, js_lsp, NULL, NULL, NULL, napi_default, NULL },
    { "logSoftmaxPickGrad", NULL, js_lsp_grad, NULL, NULL, NULL, napi_default, NULL },
    { "gelu", NULL, js_gelu, NULL, NULL, NULL, napi_default, NULL },
    { "geluGrad", NULL, js_gelu_grad, NULL, NULL, NULL, napi_default, NULL },
    { "sum", NULL, js_sum, NULL, NULL, NULL, napi_default, NULL },
    { "adamw", NULL, js_adamw, NULL, NULL, NULL, napi_default, NULL },
    { "addRows", NULL, js_add_rows, NULL, NULL, NULL, napi_default, NULL },
    { "layerNorm", NULL, js_layer_norm, NULL, NULL, NULL, napi_default, NULL },
    { "layerNormGrad", NULL, js_layer_norm_grad, NULL, NULL, NULL, napi_default, NULL },
    { "transpose", NULL, js_transpose, NULL, NULL, NULL, napi_default, NULL },
    { "binary", NULL, js_binary, NULL, NULL, NULL, napi_default, NULL },
    { "softmax", NULL, js_softmax, NULL, NULL, NULL, napi_default, NULL },
    { "halfMatmul", NULL, js_half_mm, NULL, NULL, NULL, napi_default, NULL },
    { "halfGather", NULL, js_half_gather, NULL, NULL, NULL, napi_default, NULL },
    { "attention", NULL, js_attention, NULL, NULL, NULL, napi_default, NULL },
    { "attentionGrad", NULL, js_attention_grad, NULL, NULL, NULL, napi_default, NULL },
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

// Batch normalisation over the rows of x [M, C] (M = N*H*W, channels last), fused with an
// optional residual add and ReLU: y = relu?((x - mean) * gamma / sqrt(var + eps) + beta + res?).
// Why fused: composed from tfjs ops this is ~20 kernels per layer, each a pass over the activation
// plus a saved copy; here it is two passes forward and two backward.
//
// The statistics take one pass: sums of d = x - K and of d^2 per channel, K a shift near the mean
// (the mean of BN_BLOCK rows spread over the batch), so var = E[d^2] - E[d]^2 cancels little. The
// sums accumulate in f32 over blocks of BN_BLOCK rows, then in f64 across blocks, so the
// statistics of 131,072 rows keep float32 accuracy. Scratch comes from the caller: `blk` holds
// 3C floats, `acc` 2C doubles (the module has no memory of its own).

#include "kernels.h"

// The row loops, for 4 lanes and, natively, for the widest vector (batchnorm.inc).
#define VT v4
#define VT_W 4
#define VT_(name) name
#define VT_LD ld
#define VT_ST st
#define VT_ZERO vsplat(0.f)
#define VT_ADD vadd
#define VT_SUB vsub
#define VT_MADD madd
#define VT_RELU relu4
#define VT_POS(g, y) vand(g, vgt(y, vsplat(0.f)))
#include "batchnorm.inc"
#if VW > 4
// Natively, 8 lanes (AVX2 + FMA; also in the AVX-512 object): these loops move more bytes than they
// compute on, and with 16-lane AVX-512 loads and stores the backward pass at 131,072 x 16 took
// 1.85 ms against 1.25 ms with 8 lanes (a standalone C harness on this project's AMD EPYC,
// 2026-12-07), slower than the 4-lane loops before them.
static inline v8 v8relu(v8 v) { return _mm256_and_ps(v, _mm256_cmp_ps(v, v8zero(), _CMP_NLE_UQ)); }
static inline v8 v8pos(v8 g, v8 y) { return _mm256_and_ps(g, _mm256_cmp_ps(y, v8zero(), _CMP_GT_OQ)); }
#define VT v8
#define VT_W 8
#define VT_(name) name##_w
#define VT_LD v8ld
#define VT_ST v8st
#define VT_ZERO v8zero()
#define VT_ADD(a, b) ((a) + (b))
#define VT_SUB(a, b) ((a) - (b))
#define VT_MADD v8madd
#define VT_RELU v8relu
#define VT_POS v8pos
#include "batchnorm.inc"
// Whether the 8-lane helpers cover all C channels.
static inline int bn_wide(int C) { return C % 8 == 0; }
#endif

// y = relu?((x - mean) * gamma / sqrt(var + eps) + beta + res?) as x * scale + shift, with the
// per-channel scale and shift in blk (2C floats of scratch): the second pass of batchNormForward,
// and the whole layer in inference mode (running statistics), where the composed tfjs ops took
// five passes over the activation.
static inline void bn_scale_shift(const f32 *gamma, const f32 *beta, const f32 *mean, const f32 *var, f32 *scale, f32 *shift, int C, f32 eps) {
  for (int c = 0; c < C; c++) {
    f32 s = gamma[c] / __builtin_sqrtf(var[c] + eps);
    scale[c] = s;
    shift[c] = beta[c] - mean[c] * s;
  }
}

EXPORT(batchNormApply)
void batchNormApply(const f32 *x, const f32 *gamma, const f32 *beta, const f32 *mean, const f32 *var, const f32 *res, f32 *y,
                    f32 *blk, int M, int C, int relu, f32 eps) {
  const int C4 = C & ~3;
  f32 *scale = blk, *shift = blk + C;
  bn_scale_shift(gamma, beta, mean, var, scale, shift, C, eps);
#if VW > 4
  if (bn_wide(C)) {
    bn_apply_w(x, scale, shift, res, y, M, C, C, relu);
    return;
  }
#endif
  bn_apply(x, scale, shift, res, y, M, C, C4, relu);
  if (C4 == C) return;
  for (int r = 0; r < M; r++) {
    const long o = (long)r * C;
    for (int c = C4; c < C; c++) {
      f32 v = x[o + c] * scale[c] + shift[c];
      if (res) v += res[o + c];
      if (relu && v < 0.f) v = 0.f;
      y[o + c] = v;
    }
  }
}

// scale[c] = gamma[c] / sqrt(var[c] + eps), shift[c] = beta[c] - mean[c] scale[c]: batchNormApply's
// per-channel factors, for winograd43ConvBn's epilogue (the same arithmetic, so the same bits).
EXPORT(batchNormScaleShift)
void batchNormScaleShift(const f32 *gamma, const f32 *beta, const f32 *mean, const f32 *var, f32 *scale, f32 *shift, int C, f32 eps) {
  bn_scale_shift(gamma, beta, mean, var, scale, shift, C, eps);
}

// shift[c] = the mean of x[r, c] over min(M, BN_BLOCK) rows, one from each of as many equal
// stretches of [0, M): the shift K of batchNormSums, close enough to the mean that E[d^2] - E[d]^2
// loses few bits, and the same whichever slice of rows a thread sums. The row within a stretch
// varies (7919 i mod its length) so that it is not the same pixel of every image.
EXPORT(batchNormShift)
void batchNormShift(const f32 *x, f32 *shift, int M, int C) {
  const int S = M < BN_BLOCK ? M : BN_BLOCK;
  for (int c = 0; c < C; c++) shift[c] = 0.f;
  for (int i = 0; i < S; i++) {
    const long lo = (long)i * M / S, len = (long)(i + 1) * M / S - lo;
    const f32 *row = x + (lo + (long)i * 7919 % len) * C;
    for (int c = 0; c < C; c++) shift[c] += row[c];
  }
  if (S > 0)
    for (int c = 0; c < C; c++) shift[c] /= (f32)S;
}

// acc[c] += the sum over the rows of x of d = x[r, c] - shift[c], acc[C + c] += the sum of d^2, in
// f32 over blocks of BN_BLOCK rows and f64 across blocks (blk: 2C floats of scratch). The statistics
// pass of batchNormForward; a slice of rows starting at a multiple of BN_BLOCK sums the same blocks,
// which is how the native addon splits it over threads.
EXPORT(batchNormSums)
void batchNormSums(const f32 *x, const f32 *shift, double *acc, f32 *blk, int M, int C) {
  const int C4 = C & ~3;
  for (int r0 = 0; r0 < M; r0 += BN_BLOCK) {
    int r1 = r0 + BN_BLOCK < M ? r0 + BN_BLOCK : M;
#if VW > 4
    if (bn_wide(C)) {
      bn_block_sums_w(x, shift, blk, r0, r1, C, C);
      flush(acc, blk, 2 * C);
      continue;
    }
#endif
    bn_block_sums(x, shift, blk, r0, r1, C, C4);
    for (int c = C4; c < C; c++) {
      f32 s = 0.f, q = 0.f;
      for (int r = r0; r < r1; r++) {
        f32 d = x[(long)r * C + c] - shift[c];
        s += d;
        q += d * d;
      }
      blk[c] = s;
      blk[C + c] = q;
    }
    flush(acc, blk, 2 * C);
  }
}

// mean = shift + E[d], var = E[d^2] - E[d]^2 (biased, at least 0) from batchNormSums' acc over M rows.
EXPORT(batchNormMoments)
void batchNormMoments(const f32 *shift, double *acc, f32 *mean, f32 *var, int M, int C) {
  SCALAR
  for (int c = 0; c < C; c++) {
    double d = acc[c] / M, v = acc[C + c] / M - d * d;
    mean[c] = (f32)((double)shift[c] + d);
    var[c] = (f32)(v > 0.0 ? v : 0.0);
  }
}

// Training batch norm: the per-channel mean and biased variance of the rows of x in one pass (acc
// and blk as scratch), then y through batchNormApply.
EXPORT(batchNormForward)
void batchNormForward(const f32 *x, const f32 *gamma, const f32 *beta, const f32 *res, f32 *y, f32 *mean, f32 *var,
                      double *acc, f32 *blk, int M, int C, int relu, f32 eps) {
  f32 *shift = blk + 2 * C;
  batchNormShift(x, shift, M, C);
  for (int c = 0; c < 2 * C; c++) acc[c] = 0.0;
  batchNormSums(x, shift, acc, blk, M, C);
  batchNormMoments(shift, acc, mean, var, M, C);
  batchNormApply(x, gamma, beta, mean, var, res, y, blk, M, C, relu, eps);
}

// Pass 1 of batchNormBackward: acc[c] += sum of g, acc[C + c] += sum of g * (x - mean) over the
// rows (blk: 2C floats of scratch), g = dy masked by y > 0 when relu, written to dz when dz is not
// null. Split over threads by the native addon as batchNormSums.
EXPORT(batchNormGradSums)
void batchNormGradSums(const f32 *dy, const f32 *x, const f32 *y, const f32 *mean, f32 *dz, double *acc, f32 *blk, int M, int C, int relu) {
  const int C4 = C & ~3;
  for (int r0 = 0; r0 < M; r0 += BN_BLOCK) {
    int r1 = r0 + BN_BLOCK < M ? r0 + BN_BLOCK : M;
#if VW > 4
    if (bn_wide(C)) {
      bn_block_grad_sums_w(dy, x, y, mean, dz, blk, r0, r1, C, C, relu);
      flush(acc, blk, 2 * C);
      continue;
    }
#endif
    bn_block_grad_sums(dy, x, y, mean, dz, blk, r0, r1, C, C4, relu);
    for (int c = C4; c < C; c++) {
      f32 s = 0.f, q = 0.f;
      for (int r = r0; r < r1; r++) {
        const long o = (long)r * C + c;
        f32 g = dy[o];
        if (relu && !(y[o] > 0.f)) g = 0.f;
        if (dz) dz[o] = g;
        s += g;
        q += g * (x[o] - mean[c]);
      }
      blk[c] = s;
      blk[C + c] = q;
    }
    flush(acc, blk, 2 * C);
  }
}

// From pass 1's sums (acc, 2C doubles, over M rows): dx = k * g + a * x + b per channel, with
// k = gamma * invStd, a = -k * invStd^2 * sgx / M, b = -k * sg / M - a * mean, into kab (3C floats:
// k, a, b), and dgamma = sgx * invStd.
EXPORT(batchNormGradCoefficients)
void batchNormGradCoefficients(const f32 *gamma, const f32 *mean, const f32 *var, double *acc, f32 *kab, f32 *dgamma, int M, int C,
                               f32 eps) {
  SCALAR
  for (int c = 0; c < C; c++) {
    double inv = 1.0 / __builtin_sqrt((double)var[c] + (double)eps);
    double k = (double)gamma[c] * inv;
    double a = -k * inv * inv * acc[C + c] / M;
    double b = -k * acc[c] / M - a * (double)mean[c];
    kab[c] = (f32)k;
    kab[C + c] = (f32)a;
    kab[2 * C + c] = (f32)b;
    dgamma[c] = (f32)(acc[C + c] * inv);
  }
}

// Pass 2 of batchNormBackward: dx = k * g + a * x + b over the rows, kab from
// batchNormGradCoefficients; g = dy masked by y > 0 when relu (y is not read otherwise).
EXPORT(batchNormGradApply)
void batchNormGradApply(const f32 *dy, const f32 *x, const f32 *y, const f32 *kab, f32 *dx, int M, int C, int relu) {
  const int C4 = C & ~3;
  const f32 *kk = kab, *aa = kab + C, *bb = kab + 2 * C;
#if VW > 4
  if (bn_wide(C)) {
    bn_grad_apply_w(dy, x, y, kk, aa, bb, dx, M, C, C, relu);
    return;
  }
#endif
  bn_grad_apply(dy, x, y, kk, aa, bb, dx, M, C, C4, relu);
  if (C4 == C) return;
  for (int r = 0; r < M; r++) {
    const long o = (long)r * C;
    for (int c = C4; c < C; c++) {
      f32 g = dy[o + c];
      if (relu && !(y[o + c] > 0.f)) g = 0.f;
      dx[o + c] = bb[c] + kk[c] * g + aa[c] * x[o + c];
    }
  }
}

// The gradient of batchNormForward. g = dy masked by y > 0 when relu (y is the forward output);
// dres = g (written to dz when dz is not null); dbeta = sum g; dgamma = sum g * xhat;
// dx = gamma * invStd * (g - dbeta / M - xhat * dgamma / M), xhat = (x - mean) * invStd.
// Scratch: acc 2C doubles, blk 3C floats.
EXPORT(batchNormBackward)
void batchNormBackward(const f32 *dy, const f32 *x, const f32 *y, const f32 *gamma, const f32 *mean, const f32 *var,
                       f32 *dx, f32 *dgamma, f32 *dbeta, f32 *dz, double *acc, f32 *blk, int M, int C, int relu,
                       f32 eps) {
  for (int c = 0; c < 2 * C; c++) acc[c] = 0.0;
  batchNormGradSums(dy, x, y, mean, dz, acc, blk, M, C, relu);
  batchNormGradCoefficients(gamma, mean, var, acc, blk, dgamma, M, C, eps);
  // Where the residual's gradient was written it is g (dy masked by y > 0): the second pass reads
  // it instead of dy and y, one stream fewer.
  if (dz)
    batchNormGradApply(dz, x, 0, blk, dx, M, C, 0);
  else
    batchNormGradApply(dy, x, y, blk, dx, M, C, relu);
  SCALAR
  for (int c = 0; c < C; c++) dbeta[c] = (f32)acc[c];
}

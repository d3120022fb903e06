// Batch normalisation over the rows of x [M, C] (M = N*H*W, channels last), fused with an
// optional residual add and ReLU: y = relu?((x - mean) * gamma / sqrt(var + eps) + beta + res?).
// Why fused: composed from tfjs ops this is ~20 kernels per layer, each a pass over the activation
// plus a saved copy; here it is three passes forward and two backward.
//
// Per-channel sums accumulate in f32 over blocks of BN_BLOCK rows, then in f64 across blocks, so
// the statistics of 131,072 rows keep float32 accuracy. Scratch comes from the caller: `blk` holds
// 2C floats, `acc` 2C doubles (the module has no memory of its own).

#include "kernels.h"

// y = relu?((x - mean) * gamma / sqrt(var + eps) + beta + res?) as x * scale + shift, with the
// per-channel scale and shift in blk (2C floats of scratch): pass 3 of batchNormForward, and the
// whole layer in inference mode (running statistics), where the composed tfjs ops took five
// passes over the activation.
EXPORT(batchNormApply)
void batchNormApply(const f32 *x, const f32 *gamma, const f32 *beta, const f32 *mean, const f32 *var, const f32 *res, f32 *y,
                    f32 *blk, int M, int C, int relu, f32 eps) {
  const int C4 = C & ~3;
  f32 *scale = blk, *shift = blk + C;
  for (int c = 0; c < C; c++) {
    f32 s = gamma[c] / __builtin_sqrtf(var[c] + eps);
    scale[c] = s;
    shift[c] = beta[c] - mean[c] * s;
  }
  for (int r = 0; r < M; r++) {
    const f32 *row = x + (long)r * C;
    const f32 *rr = res ? res + (long)r * C : 0;
    f32 *out = y + (long)r * C;
    int c = 0;
    for (; c < C4; c += 4) {
      v4 v = madd(ld(shift + c), ld(row + c), ld(scale + c));
      if (rr) v = vadd(v, ld(rr + c));
      if (relu) v = relu4(v);
      st(out + c, v);
    }
    for (; c < C; c++) {
      f32 v = row[c] * scale[c] + shift[c];
      if (rr) v += rr[c];
      if (relu && v < 0.f) v = 0.f;
      out[c] = v;
    }
  }
}

// acc[c] += the sum over the rows of x of x[r, c] (mean null) or of (x[r, c] - mean[c])^2, in f32
// over blocks of BN_BLOCK rows and f64 across blocks (blk: C floats of scratch). The statistics
// pass of batchNormForward; a slice of rows starting at a multiple of BN_BLOCK sums the same blocks,
// which is how the native addon splits it over threads.
EXPORT(batchNormSums)
void batchNormSums(const f32 *x, const f32 *mean, double *acc, f32 *blk, int M, int C) {
  const int C4 = C & ~3;
  for (int c = 0; c < C; c++) blk[c] = 0.f;
  for (int r0 = 0; r0 < M; r0 += BN_BLOCK) {
    int r1 = r0 + BN_BLOCK < M ? r0 + BN_BLOCK : M;
    for (int r = r0; r < r1; r++) {
      const f32 *row = x + (long)r * C;
      int c = 0;
      if (mean == 0) {
        for (; c < C4; c += 4) st(blk + c, vadd(ld(blk + c), ld(row + c)));
        for (; c < C; c++) blk[c] += row[c];
        continue;
      }
      for (; c < C4; c += 4) {
        v4 d = vsub(ld(row + c), ld(mean + c));
        st(blk + c, madd(ld(blk + c), d, d));
      }
      for (; c < C; c++) {
        f32 d = row[c] - mean[c];
        blk[c] += d * d;
      }
    }
    flush(acc, blk, C);
  }
}

// Training batch norm: the per-channel mean and biased variance of the rows of x (two passes,
// acc and blk as scratch), then y through batchNormApply.
EXPORT(batchNormForward)
void batchNormForward(const f32 *x, const f32 *gamma, const f32 *beta, const f32 *res, f32 *y, f32 *mean, f32 *var,
                      double *acc, f32 *blk, int M, int C, int relu, f32 eps) {
  // Pass 1: mean.
  for (int c = 0; c < C; c++) acc[c] = 0.0;
  batchNormSums(x, 0, acc, blk, M, C);
  SCALAR
  for (int c = 0; c < C; c++) mean[c] = (f32)(acc[c] / M);
  // Pass 2: biased variance, two-pass for accuracy.
  for (int c = 0; c < C; c++) acc[c] = 0.0;
  batchNormSums(x, mean, acc, blk, M, C);
  SCALAR
  for (int c = 0; c < C; c++) var[c] = (f32)(acc[c] / M);
  // Pass 3: y = x * scale + shift (+ res) (ReLU).
  batchNormApply(x, gamma, beta, mean, var, res, y, blk, M, C, relu, eps);
}

// Pass 1 of batchNormBackward: acc[c] += sum of g, acc[C + c] += sum of g * (x - mean) over the
// rows (blk: 2C floats of scratch), g = dy masked by y > 0 when relu, written to dz when dz is not
// null. Split over threads by the native addon as batchNormSums.
EXPORT(batchNormGradSums)
void batchNormGradSums(const f32 *dy, const f32 *x, const f32 *y, const f32 *mean, f32 *dz, double *acc, f32 *blk, int M, int C, int relu) {
  const int C4 = C & ~3;
  const v4 zero4 = vsplat(0.f);
  for (int c = 0; c < 2 * C; c++) blk[c] = 0.f;
  f32 *sg = blk, *sgx = blk + C;
  for (int r0 = 0; r0 < M; r0 += BN_BLOCK) {
    int r1 = r0 + BN_BLOCK < M ? r0 + BN_BLOCK : M;
    for (int r = r0; r < r1; r++) {
      const long o = (long)r * C;
      int c = 0;
      for (; c < C4; c += 4) {
        v4 g = ld(dy + o + c);
        if (relu) g = vand(g, vgt(ld(y + o + c), zero4));
        if (dz) st(dz + o + c, g);
        st(sg + c, vadd(ld(sg + c), g));
        st(sgx + c, madd(ld(sgx + c), g, vsub(ld(x + o + c), ld(mean + c))));
      }
      for (; c < C; c++) {
        f32 g = dy[o + c];
        if (relu && !(y[o + c] > 0.f)) g = 0.f;
        if (dz) dz[o + c] = g;
        sg[c] += g;
        sgx[c] += g * (x[o + c] - mean[c]);
      }
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
// batchNormGradCoefficients.
EXPORT(batchNormGradApply)
void batchNormGradApply(const f32 *dy, const f32 *x, const f32 *y, const f32 *kab, f32 *dx, int M, int C, int relu) {
  const int C4 = C & ~3;
  const v4 zero4 = vsplat(0.f);
  const f32 *kk = kab, *aa = kab + C, *bb = kab + 2 * C;
  for (int r = 0; r < M; r++) {
    const long o = (long)r * C;
    int c = 0;
    for (; c < C4; c += 4) {
      v4 g = ld(dy + o + c);
      if (relu) g = vand(g, vgt(ld(y + o + c), zero4));
      v4 v = madd(madd(ld(bb + c), ld(kk + c), g), ld(aa + c), ld(x + o + c));
      st(dx + o + c, v);
    }
    for (; c < C; c++) {
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
  batchNormGradApply(dy, x, y, blk, dx, M, C, relu);
  SCALAR
  for (int c = 0; c < C; c++) dbeta[c] = (f32)acc[c];
}

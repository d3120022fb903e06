// Training kernels for the tfjs wasm backend, compiled by scripts/build-wasm.ts (clang --target=wasm32
// -msimd128) into convWasm.ts. The module imports the backend's own memory, so the kernels read and
// write tensors where tfjs keeps them: no copy in or out.
//
// Layouts are tfjs's: images NHWC, filters [kh, kw, in, out]. Every kernel is register-tiled so
// that the accumulators of one tile stay in SIMD registers for a whole image; an image's rows fit
// in L2, so each tile pass streams from cache.

#include <wasm_simd128.h>

typedef float f32;
typedef v128_t v4;

#define EXPORT(name) __attribute__((export_name(#name)))

static inline v4 ld(const f32 *p) { return wasm_v128_load(p); }
static inline void st(f32 *p, v4 v) { wasm_v128_store(p, v); }
static inline v4 splat(const f32 *p) { return wasm_v128_load32_splat(p); }
static inline v4 madd(v4 acc, v4 a, v4 b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }

static void zero(f32 *p, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) st(p + i, wasm_f32x4_splat(0.f));
  for (; i < n; i++) p[i] = 0.f;
}

// The first and one-past-last output column whose input column ox*s + k - pad lies in [0, W).
static inline int first_valid(int k, int pad, int s) {
  int t = pad - k; // ox*s >= t
  return t <= 0 ? 0 : (t + s - 1) / s;
}
static inline int end_valid(int k, int pad, int s, int W, int Wo) {
  int t = W + pad - k; // ox*s < t
  if (t <= 0) return 0;
  int e = (t + s - 1) / s;
  return e < Wo ? e : Wo;
}

// dw[kh, kw, c, f] = sum over n, oy, ox of x[n, oy*sh + kh - pt, ox*sw + kw - pl, c] * dy[n, oy, ox, f]
EXPORT(conv2dBackpropFilter)
void conv2dBackpropFilter(const f32 *x, const f32 *dy, f32 *dw, int N, int H, int W, int C, int Ho, int Wo,
                          int F, int KH, int KW, int sh, int sw, int pt, int pl) {
  zero(dw, KH * KW * C * F);
  const int F8 = F & ~7;
  const int C4 = C & ~3;
  for (int n = 0; n < N; n++) {
    const f32 *xn = x + (long)n * H * W * C;
    const f32 *dyn = dy + (long)n * Ho * Wo * F;
    for (int kh = 0; kh < KH; kh++) {
      int oy0 = first_valid(kh, pt, sh), oy1 = end_valid(kh, pt, sh, H, Ho);
      for (int kw = 0; kw < KW; kw++) {
        int ox0 = first_valid(kw, pl, sw), ox1 = end_valid(kw, pl, sw, W, Wo);
        if (oy0 >= oy1 || ox0 >= ox1) continue;
        f32 *dwt = dw + (kh * KW + kw) * C * F;
        const int xstep = sw * C;
        for (int c = 0; c < C4; c += 4) {
          for (int f = 0; f < F8; f += 8) {
            f32 *d0 = dwt + c * F + f;
            v4 a00 = ld(d0), a01 = ld(d0 + 4), a10 = ld(d0 + F), a11 = ld(d0 + F + 4);
            v4 a20 = ld(d0 + 2 * F), a21 = ld(d0 + 2 * F + 4), a30 = ld(d0 + 3 * F), a31 = ld(d0 + 3 * F + 4);
            for (int oy = oy0; oy < oy1; oy++) {
              const f32 *xp = xn + ((oy * sh + kh - pt) * W + ox0 * sw + kw - pl) * C + c;
              const f32 *gp = dyn + (oy * Wo + ox0) * F + f;
              for (int ox = ox0; ox < ox1; ox++, xp += xstep, gp += F) {
                v4 g0 = ld(gp), g1 = ld(gp + 4);
                v4 x0 = splat(xp), x1 = splat(xp + 1), x2 = splat(xp + 2), x3 = splat(xp + 3);
                a00 = madd(a00, x0, g0); a01 = madd(a01, x0, g1);
                a10 = madd(a10, x1, g0); a11 = madd(a11, x1, g1);
                a20 = madd(a20, x2, g0); a21 = madd(a21, x2, g1);
                a30 = madd(a30, x3, g0); a31 = madd(a31, x3, g1);
              }
            }
            st(d0, a00); st(d0 + 4, a01); st(d0 + F, a10); st(d0 + F + 4, a11);
            st(d0 + 2 * F, a20); st(d0 + 2 * F + 4, a21); st(d0 + 3 * F, a30); st(d0 + 3 * F + 4, a31);
          }
        }
        // Channel tail (the RGB input layer's 3 channels): one channel x 8 filters at a time. As a
        // scalar loop this was 24 ms of ResNet's first layer (4.7 GFLOP/s).
        for (int c = C4; c < C; c++) {
          for (int f = 0; f < F8; f += 8) {
            f32 *d0 = dwt + c * F + f;
            v4 a0 = ld(d0), a1 = ld(d0 + 4);
            for (int oy = oy0; oy < oy1; oy++) {
              const f32 *xp = xn + ((oy * sh + kh - pt) * W + ox0 * sw + kw - pl) * C + c;
              const f32 *gp = dyn + (oy * Wo + ox0) * F + f;
              for (int ox = ox0; ox < ox1; ox++, xp += xstep, gp += F) {
                v4 x0 = splat(xp);
                a0 = madd(a0, x0, ld(gp));
                a1 = madd(a1, x0, ld(gp + 4));
              }
            }
            st(d0, a0); st(d0 + 4, a1);
          }
        }
        // Filter tail (odd filter counts): plain loops.
        if (F8 < F) {
          for (int oy = oy0; oy < oy1; oy++) {
            for (int ox = ox0; ox < ox1; ox++) {
              const f32 *xp = xn + ((oy * sh + kh - pt) * W + ox * sw + kw - pl) * C;
              const f32 *gp = dyn + (oy * Wo + ox) * F;
              for (int c = 0; c < C; c++) {
                f32 xv = xp[c];
                f32 *d = dwt + c * F;
                for (int f = F8; f < F; f++) d[f] += xv * gp[f];
              }
            }
          }
        }
      }
    }
  }
}

// The output row (or column) whose tap k reads input i, or -1 when no output does:
// i = o*s + k - pad for an integer o in [0, n).
static inline int source_index(int i, int pad, int k, int s, int n) {
  int num = i + pad - k;
  if (num < 0 || num % s != 0) return -1;
  int o = num / s;
  return o < n ? o : -1;
}

// dx[n, iy, ix, c] = sum over kh, kw, f of dy[n, oy, ox, f] * w[kh, kw, c, f] where
// iy = oy*sh + kh - pt, ix = ox*sw + kw - pl. `wt` is scratch for w transposed to [kh, kw, f, c],
// so that the inner loop broadcasts one gradient value against a row of channels.
EXPORT(conv2dBackpropInput)
void conv2dBackpropInput(const f32 *dy, const f32 *w, f32 *dx, f32 *wt, int N, int H, int W, int C, int Ho,
                         int Wo, int F, int KH, int KW, int sh, int sw, int pt, int pl) {
  for (int t = 0; t < KH * KW; t++)
    for (int c = 0; c < C; c++)
      for (int f = 0; f < F; f++) wt[(t * F + f) * C + c] = w[(t * C + c) * F + f];
  const int C8 = C & ~7;
  for (int n = 0; n < N; n++) {
    const f32 *dyn = dy + (long)n * Ho * Wo * F;
    f32 *dxn = dx + (long)n * H * W * C;
    for (int iy = 0; iy < H; iy++) {
      // Pixels of one row in groups of four that share a column phase modulo sw, so the same taps
      // are valid for all four and their gradient columns are consecutive.
      for (int r = 0; r < sw && r < W; r++) {
        int ix = r;
        for (; ix < W; ix += sw) {
          int group = ix + 3 * sw < W;
          // A group needs every valid tap in range for all four pixels.
          if (group) {
            for (int kw = 0; kw < KW && group; kw++) {
              int num = ix + pl - kw;
              if (num % sw != 0) continue;
              int ox = num / sw;
              if (num < 0 || ox + 3 >= Wo) group = 0;
            }
          }
          f32 *out = dxn + (iy * W + ix) * C;
          if (group) {
            for (int c = 0; c < C8; c += 8) {
              v4 a00 = wasm_f32x4_splat(0.f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
              for (int kh = 0; kh < KH; kh++) {
                int oy = source_index(iy, pt, kh, sh, Ho);
                if (oy < 0) continue;
                for (int kw = 0; kw < KW; kw++) {
                  // In a group every tap of this phase is in range for all four pixels.
                  int ox = source_index(ix, pl, kw, sw, Wo);
                  if (ox < 0) continue;
                  const f32 *g = dyn + (oy * Wo + ox) * F;
                  const f32 *wp = wt + ((kh * KW + kw) * F) * C + c;
                  for (int f = 0; f < F; f++, wp += C) {
                    v4 w0 = ld(wp), w1 = ld(wp + 4);
                    v4 g0 = splat(g + f), g1 = splat(g + F + f), g2 = splat(g + 2 * F + f), g3 = splat(g + 3 * F + f);
                    a00 = madd(a00, g0, w0); a01 = madd(a01, g0, w1);
                    a10 = madd(a10, g1, w0); a11 = madd(a11, g1, w1);
                    a20 = madd(a20, g2, w0); a21 = madd(a21, g2, w1);
                    a30 = madd(a30, g3, w0); a31 = madd(a31, g3, w1);
                  }
                }
              }
              const int step = sw * C;
              st(out + c, a00); st(out + c + 4, a01);
              st(out + step + c, a10); st(out + step + c + 4, a11);
              st(out + 2 * step + c, a20); st(out + 2 * step + c + 4, a21);
              st(out + 3 * step + c, a30); st(out + 3 * step + c + 4, a31);
            }
          }
          int pixels = group ? 4 : 1;
          if (!group) {
            // One pixel (at the borders, where a tap falls outside dy for some of four): 8
            // channels at a time. As a scalar loop this took about half of a stride-2 ResNet
            // layer's input gradient (a quarter of its pixels land here).
            f32 *o = dxn + (iy * W + ix) * C;
            for (int c = 0; c < C8; c += 8) {
              v4 a0 = wasm_f32x4_splat(0.f), a1 = a0;
              for (int kh = 0; kh < KH; kh++) {
                int oy = source_index(iy, pt, kh, sh, Ho);
                if (oy < 0) continue;
                for (int kw = 0; kw < KW; kw++) {
                  int ox = source_index(ix, pl, kw, sw, Wo);
                  if (ox < 0) continue;
                  const f32 *g = dyn + (oy * Wo + ox) * F;
                  const f32 *wp = wt + ((kh * KW + kw) * F) * C + c;
                  for (int f = 0; f < F; f++, wp += C) {
                    v4 gv = splat(g + f);
                    a0 = madd(a0, gv, ld(wp));
                    a1 = madd(a1, gv, ld(wp + 4));
                  }
                }
              }
              st(o + c, a0); st(o + c + 4, a1);
            }
          }
          // Channel tail (C not a multiple of 8): plain loops.
          for (int p = 0; p < pixels; p++) {
            int px = ix + p * sw;
            f32 *o = dxn + (iy * W + px) * C;
            for (int c = C8; c < C; c++) o[c] = 0.f;
            if (C8 == C) continue;
            for (int kh = 0; kh < KH; kh++) {
              int oy = source_index(iy, pt, kh, sh, Ho);
              if (oy < 0) continue;
              for (int kw = 0; kw < KW; kw++) {
                int ox = source_index(px, pl, kw, sw, Wo);
                if (ox < 0) continue;
                const f32 *g = dyn + (oy * Wo + ox) * F;
                const f32 *wp = wt + ((kh * KW + kw) * F) * C;
                for (int f = 0; f < F; f++, wp += C) {
                  f32 gv = g[f];
                  for (int c = C8; c < C; c++) o[c] += gv * wp[c];
                }
              }
            }
          }
          if (group) ix += 3 * sw;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Batch normalisation over the rows of x [M, C] (M = N*H*W, channels last), fused with an
// optional residual add and ReLU: y = relu?((x - mean) * gamma / sqrt(var + eps) + beta + res?).
// Why fused: composed from tfjs ops this is ~20 kernels per layer, each a pass over the activation
// plus a saved copy; here it is three passes forward and two backward.
//
// Per-channel sums accumulate in f32 over blocks of BN_BLOCK rows, then in f64 across blocks, so
// the statistics of 131,072 rows keep float32 accuracy. Scratch comes from the caller: `blk` holds
// 2C floats, `acc` 2C doubles (the module has no memory of its own).

#define BN_BLOCK 64

static inline v4 relu4(v4 v) { return wasm_f32x4_max(v, wasm_f32x4_splat(0.f)); }

// Per-channel loops that convert between f32 and f64 stay scalar: vectorised, clang emits
// f64x2.promote_low_f32x4 / f32x4.demote_f64x2_zero, which V8 11 (Node 20) miscompiles once the
// function tiers up to TurboFan (lanes 4-5 of a 6-channel flush came out as zero after ~400 calls).
#define SCALAR _Pragma("clang loop vectorize(disable) interleave(disable)")

// acc[c] += the f32 block sums in blk, which are reset to zero.
static inline void flush(double *acc, f32 *blk, int n) {
  SCALAR
  for (int c = 0; c < n; c++) {
    acc[c] += (double)blk[c];
    blk[c] = 0.f;
  }
}

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
      if (rr) v = wasm_f32x4_add(v, ld(rr + c));
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

EXPORT(batchNormForward)
void batchNormForward(const f32 *x, const f32 *gamma, const f32 *beta, const f32 *res, f32 *y, f32 *mean, f32 *var,
                      double *acc, f32 *blk, int M, int C, int relu, f32 eps) {
  const int C4 = C & ~3;
  // Pass 1: mean.
  for (int c = 0; c < C; c++) { acc[c] = 0.0; blk[c] = 0.f; }
  for (int r0 = 0; r0 < M; r0 += BN_BLOCK) {
    int r1 = r0 + BN_BLOCK < M ? r0 + BN_BLOCK : M;
    for (int r = r0; r < r1; r++) {
      const f32 *row = x + (long)r * C;
      int c = 0;
      for (; c < C4; c += 4) st(blk + c, wasm_f32x4_add(ld(blk + c), ld(row + c)));
      for (; c < C; c++) blk[c] += row[c];
    }
    flush(acc, blk, C);
  }
  SCALAR
  for (int c = 0; c < C; c++) mean[c] = (f32)(acc[c] / M);
  // Pass 2: biased variance, two-pass for accuracy.
  for (int c = 0; c < C; c++) acc[c] = 0.0;
  for (int r0 = 0; r0 < M; r0 += BN_BLOCK) {
    int r1 = r0 + BN_BLOCK < M ? r0 + BN_BLOCK : M;
    for (int r = r0; r < r1; r++) {
      const f32 *row = x + (long)r * C;
      int c = 0;
      for (; c < C4; c += 4) {
        v4 d = wasm_f32x4_sub(ld(row + c), ld(mean + c));
        st(blk + c, madd(ld(blk + c), d, d));
      }
      for (; c < C; c++) {
        f32 d = row[c] - mean[c];
        blk[c] += d * d;
      }
    }
    flush(acc, blk, C);
  }
  SCALAR
  for (int c = 0; c < C; c++) var[c] = (f32)(acc[c] / M);
  // Pass 3: y = x * scale + shift (+ res) (ReLU).
  batchNormApply(x, gamma, beta, mean, var, res, y, blk, M, C, relu, eps);
}

// The gradient of batchNormForward. g = dy masked by y > 0 when relu (y is the forward output);
// dres = g (written to dz when dz is not null); dbeta = sum g; dgamma = sum g * xhat;
// dx = gamma * invStd * (g - dbeta / M - xhat * dgamma / M), xhat = (x - mean) * invStd.
EXPORT(batchNormBackward)
void batchNormBackward(const f32 *dy, const f32 *x, const f32 *y, const f32 *gamma, const f32 *mean, const f32 *var,
                       f32 *dx, f32 *dgamma, f32 *dbeta, f32 *dz, double *acc, f32 *blk, int M, int C, int relu,
                       f32 eps) {
  const int C4 = C & ~3;
  const v4 zero4 = wasm_f32x4_splat(0.f);
  // Pass 1: sum g and sum g * (x - mean).
  for (int c = 0; c < 2 * C; c++) { acc[c] = 0.0; blk[c] = 0.f; }
  f32 *sg = blk, *sgx = blk + C;
  for (int r0 = 0; r0 < M; r0 += BN_BLOCK) {
    int r1 = r0 + BN_BLOCK < M ? r0 + BN_BLOCK : M;
    for (int r = r0; r < r1; r++) {
      const long o = (long)r * C;
      int c = 0;
      for (; c < C4; c += 4) {
        v4 g = ld(dy + o + c);
        if (relu) g = wasm_v128_and(g, wasm_f32x4_gt(ld(y + o + c), zero4));
        if (dz) st(dz + o + c, g);
        st(sg + c, wasm_f32x4_add(ld(sg + c), g));
        st(sgx + c, madd(ld(sgx + c), g, wasm_f32x4_sub(ld(x + o + c), ld(mean + c))));
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
  // dx = k * g + a * x + b per channel, with k = gamma * invStd, a = -k * invStd^2 * sgx / M,
  // b = -k * sg / M - a * mean: k and a in blk, b in dbeta until the end (blk holds only 2C).
  f32 *kk = blk, *aa = blk + C;
  SCALAR
  for (int c = 0; c < C; c++) {
    double inv = 1.0 / __builtin_sqrt((double)var[c] + (double)eps);
    double k = (double)gamma[c] * inv;
    double a = -k * inv * inv * acc[C + c] / M;
    double b = -k * acc[c] / M - a * (double)mean[c];
    kk[c] = (f32)k;
    aa[c] = (f32)a;
    dgamma[c] = (f32)(acc[C + c] * inv);
    dbeta[c] = (f32)b; // temporarily b; set to sum g below
  }
  for (int r = 0; r < M; r++) {
    const long o = (long)r * C;
    int c = 0;
    for (; c < C4; c += 4) {
      v4 g = ld(dy + o + c);
      if (relu) g = wasm_v128_and(g, wasm_f32x4_gt(ld(y + o + c), zero4));
      v4 v = madd(madd(ld(dbeta + c), ld(kk + c), g), ld(aa + c), ld(x + o + c));
      st(dx + o + c, v);
    }
    for (; c < C; c++) {
      f32 g = dy[o + c];
      if (relu && !(y[o + c] > 0.f)) g = 0.f;
      dx[o + c] = dbeta[c] + kk[c] * g + aa[c] * x[o + c];
    }
  }
  SCALAR
  for (int c = 0; c < C; c++) dbeta[c] = (f32)acc[c];
}

// wf[kh, kw, f, c] = w[KH-1-kh, KW-1-kw, c, f]: the filter that turns the input gradient of a
// stride-1 convolution into a forward convolution of dy (run by XNNPACK, faster than a scatter).
EXPORT(flipFilter)
void flipFilter(const f32 *w, f32 *wf, int KH, int KW, int C, int F) {
  for (int kh = 0; kh < KH; kh++)
    for (int kw = 0; kw < KW; kw++) {
      const f32 *src = w + ((KH - 1 - kh) * KW + (KW - 1 - kw)) * C * F;
      f32 *dst = wf + (kh * KW + kw) * F * C;
      for (int c = 0; c < C; c++)
        for (int f = 0; f < F; f++) dst[f * C + c] = src[c * F + f];
    }
}

// One SGD step with momentum and L2 weight decay, PyTorch's formulation:
// m' = mu * m + (g + wd * v); v' = v - lr * m'. Written to new buffers (tfjs tensors are immutable).
EXPORT(sgdMomentum)
void sgdMomentum(const f32 *v, const f32 *m, const f32 *g, f32 *vOut, f32 *mOut, int n, f32 lr, f32 mu, f32 wd) {
  const v4 lr4 = wasm_f32x4_splat(lr), mu4 = wasm_f32x4_splat(mu), wd4 = wasm_f32x4_splat(wd);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v4 vv = ld(v + i);
    v4 mm = wasm_f32x4_add(wasm_f32x4_mul(mu4, ld(m + i)), wasm_f32x4_add(ld(g + i), wasm_f32x4_mul(wd4, vv)));
    st(mOut + i, mm);
    st(vOut + i, wasm_f32x4_sub(vv, wasm_f32x4_mul(lr4, mm)));
  }
  for (; i < n; i++) {
    f32 mm = mu * m[i] + (g[i] + wd * v[i]);
    mOut[i] = mm;
    vOut[i] = v[i] - lr * mm;
  }
}

// out = alpha * a + beta * b (batch norm's running statistics).
EXPORT(axpby)
void axpby(const f32 *a, const f32 *b, f32 *out, int n, f32 alpha, f32 beta) {
  for (int i = 0; i < n; i++) out[i] = alpha * a[i] + beta * b[i];
}

// He et al.'s option-A shortcut: subsample by s and zero-pad channels to Cout, the input's
// channels at [lo, lo + C). out [N, Ho, Wo, Cout], Ho = ceil(H / s).
EXPORT(shortcutForward)
void shortcutForward(const f32 *in, f32 *out, int N, int H, int W, int C, int Ho, int Wo, int Cout, int s, int lo) {
  for (int n = 0; n < N; n++)
    for (int y = 0; y < Ho; y++)
      for (int x = 0; x < Wo; x++) {
        const f32 *src = in + (((long)n * H + y * s) * W + x * s) * C;
        f32 *dst = out + (((long)n * Ho + y) * Wo + x) * Cout;
        for (int c = 0; c < lo; c++) dst[c] = 0.f;
        for (int c = 0; c < C; c++) dst[lo + c] = src[c];
        for (int c = lo + C; c < Cout; c++) dst[c] = 0.f;
      }
}

// Its gradient: din [N, H, W, C] is dout's channels [lo, lo + C) at the subsampled pixels, else 0.
EXPORT(shortcutBackward)
void shortcutBackward(const f32 *dout, f32 *din, int N, int H, int W, int C, int Ho, int Wo, int Cout, int s, int lo) {
  for (int n = 0; n < N; n++)
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        f32 *dst = din + (((long)n * H + y) * W + x) * C;
        if (y % s != 0 || x % s != 0) {
          zero(dst, C);
          continue;
        }
        const f32 *src = dout + (((long)n * Ho + y / s) * Wo + x / s) * Cout + lo;
        for (int c = 0; c < C; c++) dst[c] = src[c];
      }
}

// dst row r = src row idx[r] (rows of `row` floats); an index outside [0, rows) gives zeros.
// tfjs-wasm's GatherV2 moves a training batch ~20x slower than a row copy.
EXPORT(gatherRows)
void gatherRows(const f32 *src, const int *idx, f32 *dst, int count, int rows, int row) {
  for (int r = 0; r < count; r++) {
    int i = idx[r];
    f32 *d = dst + (long)r * row;
    if (i < 0 || i >= rows) {
      zero(d, row);
      continue;
    }
    const f32 *s = src + (long)i * row;
    int k = 0;
    for (; k + 4 <= row; k += 4) st(d + k, ld(s + k));
    for (; k < row; k++) d[k] = s[k];
  }
}

// xp [N, H + pt + pb, W + pl + pr, C] = x with a zero border (pb, pr from the padded shape).
EXPORT(padImages)
void padImages(const f32 *x, f32 *xp, int N, int H, int W, int C, int Hp, int Wp, int pt, int pl) {
  for (int n = 0; n < N; n++)
    for (int y = 0; y < Hp; y++) {
      f32 *dst = xp + ((long)n * Hp + y) * Wp * C;
      int sy = y - pt;
      if (sy < 0 || sy >= H) {
        zero(dst, Wp * C);
        continue;
      }
      const f32 *src = x + ((long)n * H + sy) * W * C;
      zero(dst, pl * C);
      int k = 0;
      const int row = W * C;
      f32 *d = dst + pl * C;
      for (; k + 4 <= row; k += 4) st(d + k, ld(src + k));
      for (; k < row; k++) d[k] = src[k];
      zero(dst + (pl + W) * C, (Wp - pl - W) * C);
    }
}

// wp [F / 8][KH * KW * C][8] = w [KH * KW * C][F] for the first F & ~7 filters: each tile's
// weights in the order the convolution reads them (for 256 channels the strided rows of w did not
// stay in L1).
EXPORT(packFilter8)
void packFilter8(const f32 *w, f32 *wp, int T, int F) {
  for (int fb = 0; fb < (F >> 3); fb++)
    for (int t = 0; t < T; t++) {
      st(wp + ((long)fb * T + t) * 8, ld(w + (long)t * F + fb * 8));
      st(wp + ((long)fb * T + t) * 8 + 4, ld(w + (long)t * F + fb * 8 + 4));
    }
}

// A stride-1 'valid' convolution of the padded images xp [N, Hp, Wp, C] with w [KH, KW, C, F]
// (packed by packFilter8 into wp): y [N, Ho, Wo, F]. Tiles of 4 output pixels x 8 filters keep 8
// accumulators in SIMD registers over all taps and channels (the tile of conv2dBackpropFilter).
EXPORT(conv2dValid)
void conv2dValid(const f32 *xp, const f32 *w, const f32 *wp, f32 *y, int N, int Hp, int Wp, int C, int Ho, int Wo, int F, int KH, int KW) {
  const int F8 = F & ~7;
  const int T = KH * KW * C;
  for (int n = 0; n < N; n++) {
    const f32 *xn = xp + (long)n * Hp * Wp * C;
    f32 *yn = y + (long)n * Ho * Wo * F;
    for (int oy = 0; oy < Ho; oy++) {
      for (int f = 0; f < F8; f += 8) {
        int ox = 0;
        for (; ox + 4 <= Wo; ox += 4) {
          v4 a00 = wasm_f32x4_splat(0.f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
          for (int kh = 0; kh < KH; kh++) {
            for (int kw = 0; kw < KW; kw++) {
              const f32 *xq = xn + ((oy + kh) * Wp + ox + kw) * C;
              const f32 *wq = wp + ((f >> 3) * T + (kh * KW + kw) * C) * 8;
              for (int c = 0; c < C; c++, wq += 8) {
                v4 w0 = ld(wq), w1 = ld(wq + 4);
                v4 x0 = splat(xq + c), x1 = splat(xq + C + c), x2 = splat(xq + 2 * C + c), x3 = splat(xq + 3 * C + c);
                a00 = madd(a00, x0, w0); a01 = madd(a01, x0, w1);
                a10 = madd(a10, x1, w0); a11 = madd(a11, x1, w1);
                a20 = madd(a20, x2, w0); a21 = madd(a21, x2, w1);
                a30 = madd(a30, x3, w0); a31 = madd(a31, x3, w1);
              }
            }
          }
          f32 *o = yn + (oy * Wo + ox) * F + f;
          st(o, a00); st(o + 4, a01); st(o + F, a10); st(o + F + 4, a11);
          st(o + 2 * F, a20); st(o + 2 * F + 4, a21); st(o + 3 * F, a30); st(o + 3 * F + 4, a31);
        }
        for (; ox < Wo; ox++) {
          v4 a0 = wasm_f32x4_splat(0.f), a1 = a0;
          for (int kh = 0; kh < KH; kh++)
            for (int kw = 0; kw < KW; kw++) {
              const f32 *xq = xn + ((oy + kh) * Wp + ox + kw) * C;
              const f32 *wq = wp + ((f >> 3) * T + (kh * KW + kw) * C) * 8;
              for (int c = 0; c < C; c++, wq += 8) {
                v4 x0 = splat(xq + c);
                a0 = madd(a0, x0, ld(wq));
                a1 = madd(a1, x0, ld(wq + 4));
              }
            }
          f32 *o = yn + (oy * Wo + ox) * F + f;
          st(o, a0); st(o + 4, a1);
        }
      }
      // Filter tail (F not a multiple of 8): scalar.
      for (int f = F8; f < F; f++)
        for (int ox = 0; ox < Wo; ox++) {
          f32 acc = 0.f;
          for (int kh = 0; kh < KH; kh++)
            for (int kw = 0; kw < KW; kw++) {
              const f32 *xq = xn + ((oy + kh) * Wp + ox + kw) * C;
              const f32 *wq = w + (kh * KW + kw) * C * F + f;
              for (int c = 0; c < C; c++) acc += xq[c] * wq[c * F];
            }
          yn[(oy * Wo + ox) * F + f] = acc;
        }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The char-CNN's kernels.

// out [M, N] = A [M, K] B [K, N] with A(m, k) = a[m*sam + k*sak] and B(k, n) = b[k*sbk + n*sbn], so
// that one kernel serves matMul's transposes (a dense layer's gradients are A^T B and A B^T).
// Why not the package's: tfjs-wasm's BatchMatMul runs the transposed cases as a scalar loop
// (~1.3 GFLOP/s on the char-CNN's 8704x1024 layer). K is cut into chunks of MM_KC rows; each
// chunk of B is packed into panels of 8 columns [N / 8][kc][8] (scratch `bp`, MM_KC * N floats),
// and a panel (8 KB) stays in L1 while tiles of 4 rows x 8 columns of a block of MM_MC rows of A
// (in L2) run over it, 8 accumulators in SIMD registers.
#define MM_KC 256
#define MM_MC 64

EXPORT(matMul)
void matMul(const f32 *a, const f32 *b, f32 *bp, f32 *out, int M, int K, int N, int sam, int sak, int sbk, int sbn) {
  const int N8 = N & ~7;
  for (int k0 = 0; k0 < K; k0 += MM_KC) {
    const int kc = K - k0 < MM_KC ? K - k0 : MM_KC;
    const int first = k0 == 0;
    for (int nb = 0; nb < N8; nb += 8) {
      f32 *p = bp + (long)nb * kc;
      for (int k = 0; k < kc; k++, p += 8) {
        const f32 *src = b + (long)(k0 + k) * sbk + (long)nb * sbn;
        if (sbn == 1) {
          st(p, ld(src));
          st(p + 4, ld(src + 4));
        } else {
          for (int j = 0; j < 8; j++) p[j] = src[(long)j * sbn];
        }
      }
    }
    for (int m0 = 0; m0 < M; m0 += MM_MC) {
      const int m1 = m0 + MM_MC < M ? m0 + MM_MC : M;
      for (int nb = 0; nb < N8; nb += 8) {
        const f32 *panel = bp + (long)nb * kc;
        int m = m0;
        for (; m + 4 <= m1; m += 4) {
          f32 *o = out + (long)m * N + nb;
          v4 a00, a01, a10, a11, a20, a21, a30, a31;
          if (first) {
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = wasm_f32x4_splat(0.f);
          } else {
            a00 = ld(o); a01 = ld(o + 4); a10 = ld(o + N); a11 = ld(o + N + 4);
            a20 = ld(o + 2 * N); a21 = ld(o + 2 * N + 4); a30 = ld(o + 3 * N); a31 = ld(o + 3 * N + 4);
          }
          const f32 *ap = a + (long)m * sam + (long)k0 * sak;
          const f32 *wq = panel;
          for (int k = 0; k < kc; k++, ap += sak, wq += 8) {
            v4 w0 = ld(wq), w1 = ld(wq + 4);
            v4 x0 = splat(ap), x1 = splat(ap + sam), x2 = splat(ap + 2 * sam), x3 = splat(ap + 3 * sam);
            a00 = madd(a00, x0, w0); a01 = madd(a01, x0, w1);
            a10 = madd(a10, x1, w0); a11 = madd(a11, x1, w1);
            a20 = madd(a20, x2, w0); a21 = madd(a21, x2, w1);
            a30 = madd(a30, x3, w0); a31 = madd(a31, x3, w1);
          }
          st(o, a00); st(o + 4, a01); st(o + N, a10); st(o + N + 4, a11);
          st(o + 2 * N, a20); st(o + 2 * N + 4, a21); st(o + 3 * N, a30); st(o + 3 * N + 4, a31);
        }
        for (; m < m1; m++) {
          f32 *o = out + (long)m * N + nb;
          v4 a0 = first ? wasm_f32x4_splat(0.f) : ld(o), a1 = first ? wasm_f32x4_splat(0.f) : ld(o + 4);
          const f32 *ap = a + (long)m * sam + (long)k0 * sak;
          const f32 *wq = panel;
          for (int k = 0; k < kc; k++, ap += sak, wq += 8) {
            v4 x0 = splat(ap);
            a0 = madd(a0, x0, ld(wq));
            a1 = madd(a1, x0, ld(wq + 4));
          }
          st(o, a0); st(o + 4, a1);
        }
      }
      // Column tail (N not a multiple of 8, e.g. the 2-class output layer): scalar.
      for (int m = m0; m < m1; m++)
        for (int n = N8; n < N; n++) {
          f32 acc = first ? 0.f : out[(long)m * N + n];
          for (int k = k0; k < k0 + kc; k++) acc += a[(long)m * sam + (long)k * sak] * b[(long)k * sbk + (long)n * sbn];
          out[(long)m * N + n] = acc;
        }
    }
  }
}

// y [N, L - KW + 1, F] = the 'valid' convolution of one-hot characters with w [KW, A, F], the
// characters given as codes [N, L] (an entry of the A-letter alphabet, or negative for none):
// y[n, o] = sum over k of w[k, codes[n, o + k]]. A gather-sum of KW filter rows per position
// instead of KW * A multiply-adds per filter (the char-CNN's first layer is 70 channels of zeros
// and one 1).
EXPORT(oneHotConv)
void oneHotConv(const int *codes, const f32 *w, f32 *y, int N, int L, int A, int KW, int F) {
  const int Lo = L - KW + 1;
  const int F4 = F & ~3;
  for (int n = 0; n < N; n++) {
    const int *cn = codes + (long)n * L;
    for (int o = 0; o < Lo; o++) {
      f32 *out = y + ((long)n * Lo + o) * F;
      zero(out, F);
      for (int k = 0; k < KW; k++) {
        int c = cn[o + k];
        if (c < 0 || c >= A) continue;
        const f32 *row = w + ((long)k * A + c) * F;
        int f = 0;
        for (; f < F4; f += 4) st(out + f, wasm_f32x4_add(ld(out + f), ld(row + f)));
        for (; f < F; f++) out[f] += row[f];
      }
    }
  }
}

// Its filter gradient: dw[k, c] = the sum of dy[n, o] over the positions whose tap k reads letter c,
// a scatter-add of gradient rows (dw, KW * A * F floats, stays in L2).
EXPORT(oneHotConvFilterGrad)
void oneHotConvFilterGrad(const int *codes, const f32 *dy, f32 *dw, int N, int L, int A, int KW, int F) {
  const int Lo = L - KW + 1;
  const int F4 = F & ~3;
  zero(dw, KW * A * F);
  for (int n = 0; n < N; n++) {
    const int *cn = codes + (long)n * L;
    for (int o = 0; o < Lo; o++) {
      const f32 *g = dy + ((long)n * Lo + o) * F;
      for (int k = 0; k < KW; k++) {
        int c = cn[o + k];
        if (c < 0 || c >= A) continue;
        f32 *row = dw + ((long)k * A + c) * F;
        int f = 0;
        for (; f < F4; f += 4) st(row + f, wasm_f32x4_add(ld(row + f), ld(g + f)));
        for (; f < F; f++) row[f] += g[f];
      }
    }
  }
}

// y = relu(x + bias) over the rows of x [M, C]: the conv layers' bias and activation in one pass.
EXPORT(biasRelu)
void biasRelu(const f32 *x, const f32 *bias, f32 *y, int M, int C) {
  const int C4 = C & ~3;
  for (int r = 0; r < M; r++) {
    const f32 *row = x + (long)r * C;
    f32 *out = y + (long)r * C;
    int c = 0;
    for (; c < C4; c += 4) st(out + c, relu4(wasm_f32x4_add(ld(row + c), ld(bias + c))));
    for (; c < C; c++) {
      f32 v = row[c] + bias[c];
      out[c] = v > 0.f ? v : 0.f;
    }
  }
}

// Its gradient from the output y: dx = dy where y > 0, else 0; dbias = the column sums of dx,
// in f32 over blocks of BN_BLOCK rows and f64 across blocks (`acc` C doubles, `blk` C floats).
EXPORT(biasReluGrad)
void biasReluGrad(const f32 *dy, const f32 *y, f32 *dx, f32 *dbias, double *acc, f32 *blk, int M, int C) {
  const int C4 = C & ~3;
  const v4 zero4 = wasm_f32x4_splat(0.f);
  for (int c = 0; c < C; c++) { acc[c] = 0.0; blk[c] = 0.f; }
  for (int r0 = 0; r0 < M; r0 += BN_BLOCK) {
    int r1 = r0 + BN_BLOCK < M ? r0 + BN_BLOCK : M;
    for (int r = r0; r < r1; r++) {
      const long o = (long)r * C;
      int c = 0;
      for (; c < C4; c += 4) {
        v4 g = wasm_v128_and(ld(dy + o + c), wasm_f32x4_gt(ld(y + o + c), zero4));
        st(dx + o + c, g);
        st(blk + c, wasm_f32x4_add(ld(blk + c), g));
      }
      for (; c < C; c++) {
        f32 g = y[o + c] > 0.f ? dy[o + c] : 0.f;
        dx[o + c] = g;
        blk[c] += g;
      }
    }
    flush(acc, blk, C);
  }
  SCALAR
  for (int c = 0; c < C; c++) dbias[c] = (f32)acc[c];
}

// The gradient of a max pooling of x [N, H, W, C] into [N, Ho, Wo, C] (windows KH x KW, strides
// sh x sw, padding pt, pl; dilation 1): each output's gradient goes to the first maximum of its
// window in row-major order, as the cpu backend's maxPoolPositions (ties are common after a ReLU).
// The package's wasm MaxPoolGrad took ~0.4 s per char-CNN layer.
EXPORT(maxPoolGrad)
void maxPoolGrad(const f32 *dy, const f32 *x, f32 *dx, int N, int H, int W, int C, int Ho, int Wo, int KH, int KW, int sh, int sw, int pt, int pl) {
  zero(dx, N * H * W * C);
  for (int n = 0; n < N; n++) {
    const f32 *xn = x + (long)n * H * W * C;
    f32 *dxn = dx + (long)n * H * W * C;
    for (int oy = 0; oy < Ho; oy++)
      for (int ox = 0; ox < Wo; ox++) {
        const f32 *g = dy + (((long)n * Ho + oy) * Wo + ox) * C;
        const int C4 = C & ~3;
        // 4 channels at a time: the window's maximum, then its first position holding it (the
        // scalar loop's '>' from -inf: nothing when all are -inf or NaN) takes the gradient.
        for (int c = 0; c < C4; c += 4) {
          v4 best = wasm_f32x4_splat(-__builtin_inff());
          for (int kh = 0; kh < KH; kh++) {
            int iy = oy * sh - pt + kh;
            if (iy < 0 || iy >= H) continue;
            for (int kw = 0; kw < KW; kw++) {
              int ix = ox * sw - pl + kw;
              if (ix < 0 || ix >= W) continue;
              v4 v = ld(xn + ((long)iy * W + ix) * C + c);
              best = wasm_v128_bitselect(v, best, wasm_f32x4_gt(v, best));
            }
          }
          v4 open = wasm_f32x4_gt(best, wasm_f32x4_splat(-__builtin_inff()));
          const v4 gv = ld(g + c);
          for (int kh = 0; kh < KH; kh++) {
            int iy = oy * sh - pt + kh;
            if (iy < 0 || iy >= H) continue;
            for (int kw = 0; kw < KW; kw++) {
              int ix = ox * sw - pl + kw;
              if (ix < 0 || ix >= W) continue;
              long i = ((long)iy * W + ix) * C + c;
              v4 hit = wasm_v128_and(open, wasm_f32x4_eq(ld(xn + i), best));
              open = wasm_v128_andnot(open, hit);
              st(dxn + i, wasm_f32x4_add(ld(dxn + i), wasm_v128_and(gv, hit)));
            }
          }
        }
        for (int c = C4; c < C; c++) {
          f32 best = -__builtin_inff();
          long at = -1;
          for (int kh = 0; kh < KH; kh++) {
            int iy = oy * sh - pt + kh;
            if (iy < 0 || iy >= H) continue;
            for (int kw = 0; kw < KW; kw++) {
              int ix = ox * sw - pl + kw;
              if (ix < 0 || ix >= W) continue;
              long i = ((long)iy * W + ix) * C + c;
              if (xn[i] > best) {
                best = xn[i];
                at = i;
              }
            }
          }
          if (at >= 0) dxn[at] += g[c];
        }
      }
  }
}

// ---------------------------------------------------------------------------------------------
// Winograd F(2x2, 3x3) for stride-1 3x3 convolutions (Lavin & Gray 2016): each 2x2 block of
// outputs ("tile") from its 4x4 input patch with 16 multiplies per channel and filter instead of
// 36. Per image and block of T tiles: V[16][T][C] = B^T d B of each patch, M[xi] = V[xi] U[xi]
// (16 matrix products, the register tile of conv2dValid), y = A^T M A. U[16][F / 8][C][8] is the
// transformed filter G g G^T, packed in panels of 8 filters. Needs C % 4 == 0 and F % 8 == 0.

// U from w [3, 3, C, F].
EXPORT(winogradFilter)
void winogradFilter(const f32 *w, f32 *U, int C, int F) {
  for (int c = 0; c < C; c++)
    for (int f = 0; f < F; f++) {
      f32 g[3][3], t[4][3];
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) g[i][j] = w[((i * 3 + j) * C + c) * F + f];
      for (int j = 0; j < 3; j++) {
        t[0][j] = g[0][j];
        t[1][j] = 0.5f * (g[0][j] + g[1][j] + g[2][j]);
        t[2][j] = 0.5f * (g[0][j] - g[1][j] + g[2][j]);
        t[3][j] = g[2][j];
      }
      for (int i = 0; i < 4; i++) {
        f32 u[4] = {t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]), 0.5f * (t[i][0] - t[i][1] + t[i][2]), t[i][2]};
        for (int j = 0; j < 4; j++) U[(((long)(i * 4 + j) * (F >> 3) + (f >> 3)) * C + c) * 8 + (f & 7)] = u[j];
      }
    }
}

// y [N, Ho, Wo, F] from the images x [N, H, W, C] zero-padded by pt rows above and pl columns
// to the left (and as many below and to the right as Ho, Wo need), and U. The padding is read as
// zeros by the input transform instead of copied: a padded copy cost ~2 ms per ResNet layer.
// Scratch: V 16 * T * C floats, M 16 * T * F floats, T = WG_BLOCK tiles.
#define WG_BLOCK 32
EXPORT(winogradConv)
void winogradConv(const f32 *x, const f32 *U, f32 *V, f32 *M, f32 *y, int N, int H, int W, int C, int Ho, int Wo, int F, int pt, int pl) {
  const int th = (Ho + 1) / 2, tw = (Wo + 1) / 2;
  const int tiles = th * tw;
  const v4 z = wasm_f32x4_splat(0.f);
  for (int n = 0; n < N; n++) {
    const f32 *xn = x + (long)n * H * W * C;
    f32 *yn = y + (long)n * Ho * Wo * F;
    for (int t0 = 0; t0 < tiles; t0 += WG_BLOCK) {
      const int T = tiles - t0 < WG_BLOCK ? tiles - t0 : WG_BLOCK;
      // Input transform; rows and columns outside the image read as zeros.
      for (int t = 0; t < T; t++) {
        int ty = (t0 + t) / tw, tx = (t0 + t) % tw;
        int iy = 2 * ty - pt, ix = 2 * tx - pl;
        int ok[4][4];
        for (int i = 0; i < 4; i++)
          for (int j = 0; j < 4; j++) ok[i][j] = iy + i >= 0 && iy + i < H && ix + j >= 0 && ix + j < W;
        const int inside = iy >= 0 && iy + 4 <= H && ix >= 0 && ix + 4 <= W;
        for (int c = 0; c < C; c += 4) {
          v4 d[4][4];
          if (inside) {
            for (int i = 0; i < 4; i++)
              for (int j = 0; j < 4; j++) d[i][j] = ld(xn + ((long)(iy + i) * W + ix + j) * C + c);
          } else {
            for (int i = 0; i < 4; i++)
              for (int j = 0; j < 4; j++) d[i][j] = ok[i][j] ? ld(xn + ((long)(iy + i) * W + ix + j) * C + c) : z;
          }
          v4 s[4][4];
          for (int j = 0; j < 4; j++) {
            s[0][j] = wasm_f32x4_sub(d[0][j], d[2][j]);
            s[1][j] = wasm_f32x4_add(d[1][j], d[2][j]);
            s[2][j] = wasm_f32x4_sub(d[2][j], d[1][j]);
            s[3][j] = wasm_f32x4_sub(d[1][j], d[3][j]);
          }
          for (int i = 0; i < 4; i++) {
            f32 *v = V + ((long)(i * 4) * T + t) * C + c;
            const long xi = (long)T * C;
            st(v, wasm_f32x4_sub(s[i][0], s[i][2]));
            st(v + xi, wasm_f32x4_add(s[i][1], s[i][2]));
            st(v + 2 * xi, wasm_f32x4_sub(s[i][2], s[i][1]));
            st(v + 3 * xi, wasm_f32x4_sub(s[i][1], s[i][3]));
          }
        }
      }
      // 16 products M[xi] [T, F] = V[xi] [T, C] U[xi] [C, F].
      for (int xi = 0; xi < 16; xi++) {
        const f32 *Vx = V + (long)xi * T * C;
        f32 *Mx = M + (long)xi * T * F;
        for (int fb = 0; fb < F; fb += 8) {
          const f32 *panel = U + ((long)xi * (F >> 3) + (fb >> 3)) * C * 8;
          int t = 0;
          for (; t + 4 <= T; t += 4) {
            v4 a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
            const f32 *vp = Vx + (long)t * C;
            const f32 *wq = panel;
            for (int c = 0; c < C; c++, wq += 8) {
              v4 w0 = ld(wq), w1 = ld(wq + 4);
              v4 x0 = splat(vp + c), x1 = splat(vp + C + c), x2 = splat(vp + 2 * C + c), x3 = splat(vp + 3 * C + c);
              a00 = madd(a00, x0, w0); a01 = madd(a01, x0, w1);
              a10 = madd(a10, x1, w0); a11 = madd(a11, x1, w1);
              a20 = madd(a20, x2, w0); a21 = madd(a21, x2, w1);
              a30 = madd(a30, x3, w0); a31 = madd(a31, x3, w1);
            }
            f32 *o = Mx + (long)t * F + fb;
            st(o, a00); st(o + 4, a01); st(o + F, a10); st(o + F + 4, a11);
            st(o + 2 * F, a20); st(o + 2 * F + 4, a21); st(o + 3 * F, a30); st(o + 3 * F + 4, a31);
          }
          for (; t < T; t++) {
            v4 a0 = z, a1 = z;
            const f32 *vp = Vx + (long)t * C;
            const f32 *wq = panel;
            for (int c = 0; c < C; c++, wq += 8) {
              v4 x0 = splat(vp + c);
              a0 = madd(a0, x0, ld(wq));
              a1 = madd(a1, x0, ld(wq + 4));
            }
            f32 *o = Mx + (long)t * F + fb;
            st(o, a0); st(o + 4, a1);
          }
        }
      }
      // Output transform.
      for (int t = 0; t < T; t++) {
        int ty = (t0 + t) / tw, tx = (t0 + t) % tw;
        int oy = 2 * ty, ox = 2 * tx;
        for (int f = 0; f < F; f += 4) {
          v4 m[4][4];
          for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) m[i][j] = ld(M + ((long)(i * 4 + j) * T + t) * F + f);
          v4 s[2][4];
          for (int j = 0; j < 4; j++) {
            s[0][j] = wasm_f32x4_add(wasm_f32x4_add(m[0][j], m[1][j]), m[2][j]);
            s[1][j] = wasm_f32x4_sub(wasm_f32x4_sub(m[1][j], m[2][j]), m[3][j]);
          }
          for (int i = 0; i < 2; i++) {
            if (oy + i >= Ho) break;
            f32 *o = yn + ((long)(oy + i) * Wo + ox) * F + f;
            st(o, wasm_f32x4_add(wasm_f32x4_add(s[i][0], s[i][1]), s[i][2]));
            if (ox + 1 < Wo) st(o + F, wasm_f32x4_sub(wasm_f32x4_sub(s[i][1], s[i][2]), s[i][3]));
          }
        }
      }
    }
  }
}


// ---------------------------------------------------------------------------------------------
// Winograd F(4x4, 3x3) (Lavin & Gray 2016; the transforms ncnn uses, points 0, +-1, +-2, inf):
// each 4x4 block of outputs from its 6x6 input patch with 36 multiplies per channel and filter
// instead of 144 (F(2x2, 3x3): 64 for the same 16 outputs). The rounding error grows with the
// tile (the transforms multiply by up to 8 and divide by 24): ~1e-5 of the output scale here
// against ~1e-6 for F(2x2), checked against the cpu backend in test/kernels/parity.test.ts.
//
// Tiles are numbered across the whole batch (image n's tiles follow image n - 1's), so a block of
// WG4_BLOCK tiles spans several small images: on the 8x8 layers an image has only 4 tiles, and
// blocking per image re-read the transformed filter (36 C F floats, 590 KB at 64 channels) from
// memory for every 4 tiles.
//
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]

#define WG4_BLOCK 32
// Small fixed loops fully unrolled, so that their arrays live in locals: the module may not use a stack.
#define UNROLL _Pragma("clang loop unroll(full)")

static inline v4 vadd(v4 a, v4 b) { return wasm_f32x4_add(a, b); }
static inline v4 vsub(v4 a, v4 b) { return wasm_f32x4_sub(a, b); }
static inline v4 vmul(v4 a, f32 s) { return wasm_f32x4_mul(a, wasm_f32x4_splat(s)); }

// r = B^T d for one column of 6 values.
static inline void bt6(const v4 d[6], v4 r[6]) {
  v4 d4m2 = vsub(d[4], d[2]);
  v4 d1m3 = vsub(d[1], d[3]);
  r[0] = vadd(vsub(vmul(d[0], 4.f), vmul(d[2], 5.f)), d[4]);
  r[1] = vsub(vadd(d[3], d[4]), vmul(vadd(d[1], d[2]), 4.f));
  r[2] = vadd(vmul(vsub(d[1], d[2]), 4.f), vsub(d[4], d[3]));
  r[3] = vsub(d4m2, vmul(d1m3, 2.f));
  r[4] = vadd(d4m2, vmul(d1m3, 2.f));
  r[5] = vadd(vsub(vmul(d[1], 4.f), vmul(d[3], 5.f)), d[5]);
}

// o = A^T m for one column of 6 values (4 outputs).
static inline void at6(const v4 m[6], v4 o[4]) {
  v4 s12 = vadd(m[1], m[2]), d12 = vsub(m[1], m[2]);
  v4 s34 = vadd(m[3], m[4]), d34 = vsub(m[3], m[4]);
  o[0] = vadd(vadd(m[0], s12), s34);
  o[1] = vadd(d12, vmul(d34, 2.f));
  o[2] = vadd(s12, vmul(s34, 4.f));
  o[3] = vadd(vadd(d12, vmul(d34, 8.f)), m[5]);
}

// r = A y for one column of 4 values (6 outputs): the transform of an output gradient.
static inline void a4(const v4 y[4], v4 r[6]) {
  v4 s02 = vadd(y[0], y[2]), s13 = vadd(y[1], y[3]);
  v4 t02 = vadd(y[0], vmul(y[2], 4.f)), t13 = vadd(vmul(y[1], 2.f), vmul(y[3], 8.f));
  r[0] = y[0];
  r[1] = vadd(s02, s13);
  r[2] = vsub(s02, s13);
  r[3] = vadd(t02, t13);
  r[4] = vsub(t02, t13);
  r[5] = y[3];
}

// The 6x6 input patch at (iy, ix) of image xn [H, W, C], channels c..c+3, transformed to B^T d B.
// Value xi = 6 i + j (4 channels) goes to V[xi * vstride]. (A layout with the 4 tiles of a
// register tile interleaved, so the product splats them at constant offsets, counted the same
// instructions under callgrind.) `checked`: rows and columns outside the image read
// as zeros (a constant at each call, so the patches inside the image load without branches).
static inline __attribute__((always_inline)) void input_tile6(const f32 *xn, int H, int W, int C, int iy, int ix, int c, f32 *V,
                                                             long vstride, int checked) {
  const v4 z = wasm_f32x4_splat(0.f);
  v4 t[6][6];
  UNROLL
  for (int j = 0; j < 6; j++) {
    v4 d[6];
    int okx = ix + j >= 0 && ix + j < W;
    UNROLL
    for (int i = 0; i < 6; i++) {
      const f32 *p = xn + ((long)(iy + i) * W + ix + j) * C + c;
      d[i] = !checked ? ld(p) : okx && iy + i >= 0 && iy + i < H ? ld(p) : z;
    }
    v4 r[6];
    bt6(d, r);
    UNROLL
    for (int i = 0; i < 6; i++) t[i][j] = r[i];
  }
  UNROLL
  for (int i = 0; i < 6; i++) {
    v4 r[6];
    bt6(t[i], r);
    UNROLL
    for (int j = 0; j < 6; j++) st(V + (long)(i * 6 + j) * vstride, r[j]);
  }
}

// input_tile6 for every group of 4 channels, with the bounds checks only where the patch crosses
// the image's border.
static inline __attribute__((always_inline)) void input_tiles6(const f32 *xn, int H, int W, int C, int iy, int ix, f32 *V, long vstride) {
  if (iy >= 0 && iy + 6 <= H && ix >= 0 && ix + 6 <= W) {
    for (int c = 0; c < C; c += 4) input_tile6(xn, H, W, C, iy, ix, c, V + c, vstride, 0);
  } else {
    for (int c = 0; c < C; c += 4) input_tile6(xn, H, W, C, iy, ix, c, V + c, vstride, 1);
  }
}

// U[36][F / 8][C][8] = G g G^T for w [3, 3, C, F].
EXPORT(winograd43Filter)
void winograd43Filter(const f32 *w, f32 *U, int C, int F) {
  for (int c = 0; c < C; c++)
    for (int f = 0; f < F; f++) {
      f32 g[3][3], t[6][3];
      UNROLL
      for (int i = 0; i < 3; i++)
        UNROLL
        for (int j = 0; j < 3; j++) g[i][j] = w[((i * 3 + j) * C + c) * F + f];
      UNROLL
      for (int j = 0; j < 3; j++) {
        f32 g0 = g[0][j], g1 = g[1][j], g2 = g[2][j];
        t[0][j] = g0 / 4.f;
        t[1][j] = -(g0 + g1 + g2) / 6.f;
        t[2][j] = -(g0 - g1 + g2) / 6.f;
        t[3][j] = g0 / 24.f + g1 / 12.f + g2 / 6.f;
        t[4][j] = g0 / 24.f - g1 / 12.f + g2 / 6.f;
        t[5][j] = g2;
      }
      UNROLL
      for (int i = 0; i < 6; i++) {
        f32 g0 = t[i][0], g1 = t[i][1], g2 = t[i][2];
        f32 u[6] = {g0 / 4.f, -(g0 + g1 + g2) / 6.f, -(g0 - g1 + g2) / 6.f, g0 / 24.f + g1 / 12.f + g2 / 6.f,
                    g0 / 24.f - g1 / 12.f + g2 / 6.f, g2};
        UNROLL
        for (int j = 0; j < 6; j++) U[(((long)(i * 6 + j) * (F >> 3) + (f >> 3)) * C + c) * 8 + (f & 7)] = u[j];
      }
    }
}

// y [N, Ho, Wo, F] from x [N, H, W, C] zero-padded by pt rows above and pl columns to the left,
// and U from winograd43Filter. Scratch: V 36 * WG4_BLOCK * C floats, M 36 * WG4_BLOCK * F.
EXPORT(winograd43Conv)
void winograd43Conv(const f32 *x, const f32 *U, f32 *V, f32 *M, f32 *y, int N, int H, int W, int C, int Ho, int Wo, int F, int pt, int pl) {
  const int th = (Ho + 3) / 4, tw = (Wo + 3) / 4;
  const int tiles = th * tw;
  const long total = (long)N * tiles;
  const v4 z = wasm_f32x4_splat(0.f);
  for (long g0 = 0; g0 < total; g0 += WG4_BLOCK) {
    const int T = total - g0 < WG4_BLOCK ? (int)(total - g0) : WG4_BLOCK;
    for (int t = 0; t < T; t++) {
      const long g = g0 + t;
      const int n = (int)(g / tiles), r = (int)(g % tiles);
      input_tiles6(x + (long)n * H * W * C, H, W, C, 4 * (r / tw) - pt, 4 * (r % tw) - pl, V + (long)t * C, (long)T * C);
    }
    // 36 products M[xi] [T, F] = V[xi] [T, C] U[xi] [C, F].
    for (int xi = 0; xi < 36; xi++) {
      const f32 *Vx = V + (long)xi * T * C;
      f32 *Mx = M + (long)xi * T * F;
      for (int fb = 0; fb < F; fb += 8) {
        const f32 *panel = U + ((long)xi * (F >> 3) + (fb >> 3)) * C * 8;
        int t = 0;
        for (; t + 4 <= T; t += 4) {
          v4 a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
          const f32 *vp = Vx + (long)t * C;
          const f32 *wq = panel;
          for (int c = 0; c < C; c++, wq += 8) {
            v4 w0 = ld(wq), w1 = ld(wq + 4);
            v4 x0 = splat(vp + c), x1 = splat(vp + C + c), x2 = splat(vp + 2 * C + c), x3 = splat(vp + 3 * C + c);
            a00 = madd(a00, x0, w0); a01 = madd(a01, x0, w1);
            a10 = madd(a10, x1, w0); a11 = madd(a11, x1, w1);
            a20 = madd(a20, x2, w0); a21 = madd(a21, x2, w1);
            a30 = madd(a30, x3, w0); a31 = madd(a31, x3, w1);
          }
          f32 *o = Mx + (long)t * F + fb;
          st(o, a00); st(o + 4, a01); st(o + F, a10); st(o + F + 4, a11);
          st(o + 2 * F, a20); st(o + 2 * F + 4, a21); st(o + 3 * F, a30); st(o + 3 * F + 4, a31);
        }
        for (; t < T; t++) {
          v4 a0 = z, a1 = z;
          const f32 *vp = Vx + (long)t * C;
          const f32 *wq = panel;
          for (int c = 0; c < C; c++, wq += 8) {
            v4 x0 = splat(vp + c);
            a0 = madd(a0, x0, ld(wq));
            a1 = madd(a1, x0, ld(wq + 4));
          }
          f32 *o = Mx + (long)t * F + fb;
          st(o, a0); st(o + 4, a1);
        }
      }
    }
    // Output transform A^T m A; outputs past Ho, Wo (a partial last tile) are not written.
    for (int t = 0; t < T; t++) {
      const long g = g0 + t;
      const int n = (int)(g / tiles), r = (int)(g % tiles);
      f32 *yn = y + (long)n * Ho * Wo * F;
      const int oy = 4 * (r / tw), ox = 4 * (r % tw);
      const long ms = (long)T * F;
      for (int f = 0; f < F; f += 4) {
        const f32 *mp = M + (long)t * F + f;
        v4 s[4][6];
        UNROLL
        for (int j = 0; j < 6; j++) {
          v4 m[6], o[4];
          UNROLL
          for (int i = 0; i < 6; i++) m[i] = ld(mp + (i * 6 + j) * ms);
          at6(m, o);
          UNROLL
          for (int i = 0; i < 4; i++) s[i][j] = o[i];
        }
        UNROLL
        for (int i = 0; i < 4; i++) {
          v4 o[4];
          at6(s[i], o);
          f32 *out = yn + ((long)(oy + i) * Wo + ox) * F + f;
          UNROLL
          for (int j = 0; j < 4; j++)
            if (oy + i < Ho && ox + j < Wo) st(out + j * F, o[j]);
        }
      }
    }
  }
}

// The filter gradient of a stride-1 3x3 convolution through the same transform:
// dw = G^T [sum over tiles of (B^T d B) . (A dy A^T)] G, 36 products of [C, T] x [T, F] per block
// of tiles accumulated into Macc [36][C][F] (scratch, zeroed here), 4x fewer multiplies than the
// direct kernel. x [N, H, W, C] zero-padded by pt, pl; dy [N, Ho, Wo, F]; dw [3, 3, C, F].
// Scratch: V 36 * WG4_BLOCK * C floats, D 36 * WG4_BLOCK * F, Macc 36 * C * F.
EXPORT(winograd43FilterGrad)
void winograd43FilterGrad(const f32 *x, const f32 *dy, f32 *V, f32 *D, f32 *Macc, f32 *dw, int N, int H, int W, int C, int Ho, int Wo, int F, int pt, int pl) {
  const int th = (Ho + 3) / 4, tw = (Wo + 3) / 4;
  const int tiles = th * tw;
  const long total = (long)N * tiles;
  const v4 z = wasm_f32x4_splat(0.f);
  zero(Macc, 36 * C * F);
  for (long g0 = 0; g0 < total; g0 += WG4_BLOCK) {
    const int T = total - g0 < WG4_BLOCK ? (int)(total - g0) : WG4_BLOCK;
    for (int t = 0; t < T; t++) {
      const long g = g0 + t;
      const int n = (int)(g / tiles), r = (int)(g % tiles);
      const int oy = 4 * (r / tw), ox = 4 * (r % tw);
      input_tiles6(x + (long)n * H * W * C, H, W, C, oy - pt, ox - pl, V + (long)t * C, (long)T * C);
      // A dy A^T of the tile's 4x4 output gradient (zero past Ho, Wo).
      const f32 *dyn = dy + (long)n * Ho * Wo * F;
      const long ds = (long)T * F;
      for (int f = 0; f < F; f += 4) {
        v4 s[6][4];
        UNROLL
        for (int j = 0; j < 4; j++) {
          v4 yv[4], r6[6];
          UNROLL
          for (int i = 0; i < 4; i++) yv[i] = oy + i < Ho && ox + j < Wo ? ld(dyn + ((long)(oy + i) * Wo + ox + j) * F + f) : z;
          a4(yv, r6);
          UNROLL
          for (int i = 0; i < 6; i++) s[i][j] = r6[i];
        }
        f32 *dp = D + (long)t * F + f;
        UNROLL
        for (int i = 0; i < 6; i++) {
          v4 r6[6];
          a4(s[i], r6);
          UNROLL
          for (int j = 0; j < 6; j++) st(dp + (i * 6 + j) * ds, r6[j]);
        }
      }
    }
    // Macc[xi] [C, F] += V[xi]^T [C, T] D[xi] [T, F]: tiles of 4 channels x 8 filters in registers.
    for (int xi = 0; xi < 36; xi++) {
      const f32 *Vx = V + (long)xi * T * C;
      const f32 *Dx = D + (long)xi * T * F;
      f32 *Mx = Macc + (long)xi * C * F;
      for (int c = 0; c < C; c += 4)
        for (int f = 0; f < F; f += 8) {
          f32 *m = Mx + (long)c * F + f;
          v4 a00 = ld(m), a01 = ld(m + 4), a10 = ld(m + F), a11 = ld(m + F + 4);
          v4 a20 = ld(m + 2 * F), a21 = ld(m + 2 * F + 4), a30 = ld(m + 3 * F), a31 = ld(m + 3 * F + 4);
          const f32 *vp = Vx + c;
          const f32 *dp = Dx + f;
          for (int t = 0; t < T; t++, vp += C, dp += F) {
            v4 d0 = ld(dp), d1 = ld(dp + 4);
            v4 x0 = splat(vp), x1 = splat(vp + 1), x2 = splat(vp + 2), x3 = splat(vp + 3);
            a00 = madd(a00, x0, d0); a01 = madd(a01, x0, d1);
            a10 = madd(a10, x1, d0); a11 = madd(a11, x1, d1);
            a20 = madd(a20, x2, d0); a21 = madd(a21, x2, d1);
            a30 = madd(a30, x3, d0); a31 = madd(a31, x3, d1);
          }
          st(m, a00); st(m + 4, a01); st(m + F, a10); st(m + F + 4, a11);
          st(m + 2 * F, a20); st(m + 2 * F + 4, a21); st(m + 3 * F, a30); st(m + 3 * F + 4, a31);
        }
    }
  }
  // dw = G^T Macc G per (c, f), 4 filters at a time.
  const long cf = (long)C * F;
  for (long k = 0; k < cf; k += 4) {
    v4 s[3][6];
    UNROLL
    for (int j = 0; j < 6; j++) {
      v4 u[6];
      UNROLL
      for (int i = 0; i < 6; i++) u[i] = ld(Macc + (i * 6 + j) * cf + k);
      v4 u12 = vadd(u[1], u[2]), u34 = vadd(u[3], u[4]);
      v4 d12 = vsub(u[2], u[1]), d34 = vsub(u[3], u[4]);
      s[0][j] = vadd(vsub(vmul(u[0], 0.25f), vmul(u12, 1.f / 6.f)), vmul(u34, 1.f / 24.f));
      s[1][j] = vadd(vmul(d12, 1.f / 6.f), vmul(d34, 1.f / 12.f));
      s[2][j] = vadd(vmul(vsub(u34, u12), 1.f / 6.f), u[5]);
    }
    UNROLL
    for (int i = 0; i < 3; i++) {
      const v4 *u = s[i];
      v4 u12 = vadd(u[1], u[2]), u34 = vadd(u[3], u[4]);
      v4 d12 = vsub(u[2], u[1]), d34 = vsub(u[3], u[4]);
      st(dw + (i * 3 + 0) * cf + k, vadd(vsub(vmul(u[0], 0.25f), vmul(u12, 1.f / 6.f)), vmul(u34, 1.f / 24.f)));
      st(dw + (i * 3 + 1) * cf + k, vadd(vmul(d12, 1.f / 6.f), vmul(d34, 1.f / 12.f)));
      st(dw + (i * 3 + 2) * cf + k, vadd(vmul(vsub(u34, u12), 1.f / 6.f), u[5]));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 1-D Winograd F(m, r) for stride-1 1 x r convolutions along the rows (the char-CNN's 1 x 3 and
// 1 x 7 layers, 256 channels): m outputs from a = m + r - 1 inputs with a multiplies per channel
// pair instead of m r. The transforms come as data (BT [a][a], G [a][r], AT [m][a], from the
// glue, a <= 8), applied as sums that skip zero coefficients: with 256 channels the a products
// [T, C] x [C, F] per block dominate and the transforms cost little. Rows are x [R, W, C] (R = N H),
// zero-padded by pl columns on the left (and as many on the right as Wo needs).

// U[a][F / 8][C][8] = G w for w [1, r, C, F].
EXPORT(winograd1dFilter)
void winograd1dFilter(const f32 *w, const f32 *G, f32 *U, int r, int a, int C, int F) {
  for (int xi = 0; xi < a; xi++)
    for (int c = 0; c < C; c++)
      for (int f = 0; f < F; f++) {
        f32 s = 0.f;
        for (int k = 0; k < r; k++) s += G[xi * r + k] * w[((long)k * C + c) * F + f];
        U[(((long)xi * (F >> 3) + (f >> 3)) * C + c) * 8 + (f & 7)] = s;
      }
}

// V[xi][t][c..c+3] = sum over k of BT[xi][k] d[k], d the a inputs of tile t (zero outside [0, W)).
static inline void input_tile1d(const f32 *xr, int W, int C, int ix, int c, const f32 *BT, int a, f32 *V, long vstride) {
  const v4 z = wasm_f32x4_splat(0.f);
  const int inside = ix >= 0 && ix + a <= W;
  for (int xi = 0; xi < a; xi++) {
    v4 s = z;
    for (int k = 0; k < a; k++) {
      const f32 b = BT[xi * a + k];
      if (b == 0.f || (!inside && (ix + k < 0 || ix + k >= W))) continue;
      s = madd(s, ld(xr + (long)(ix + k) * C + c), wasm_f32x4_splat(b));
    }
    st(V + xi * vstride, s);
  }
}

// y [R, Wo, F] from x [R, W, C] and U. Scratch: V a * WG1_BLOCK * C floats, M a * WG1_BLOCK * F.
#define WG1_BLOCK 32
EXPORT(winograd1dConv)
void winograd1dConv(const f32 *x, const f32 *U, const f32 *BT, const f32 *AT, f32 *V, f32 *M, f32 *y, int R, int W, int C, int Wo, int F,
                    int pl, int m, int a) {
  const int tiles = (Wo + m - 1) / m;
  const long total = (long)R * tiles;
  const v4 z = wasm_f32x4_splat(0.f);
  for (long g0 = 0; g0 < total; g0 += WG1_BLOCK) {
    const int T = total - g0 < WG1_BLOCK ? (int)(total - g0) : WG1_BLOCK;
    for (int t = 0; t < T; t++) {
      const long g = g0 + t;
      const int row = (int)(g / tiles), tile = (int)(g % tiles);
      for (int c = 0; c < C; c += 4) input_tile1d(x + (long)row * W * C, W, C, tile * m - pl, c, BT, a, V + (long)t * C + c, (long)T * C);
    }
    for (int xi = 0; xi < a; xi++) {
      const f32 *Vx = V + (long)xi * T * C;
      f32 *Mx = M + (long)xi * T * F;
      for (int fb = 0; fb < F; fb += 8) {
        const f32 *panel = U + ((long)xi * (F >> 3) + (fb >> 3)) * C * 8;
        int t = 0;
        for (; t + 4 <= T; t += 4) {
          v4 a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
          const f32 *vp = Vx + (long)t * C;
          const f32 *wq = panel;
          for (int c = 0; c < C; c++, wq += 8) {
            v4 w0 = ld(wq), w1 = ld(wq + 4);
            v4 x0 = splat(vp + c), x1 = splat(vp + C + c), x2 = splat(vp + 2 * C + c), x3 = splat(vp + 3 * C + c);
            a00 = madd(a00, x0, w0); a01 = madd(a01, x0, w1);
            a10 = madd(a10, x1, w0); a11 = madd(a11, x1, w1);
            a20 = madd(a20, x2, w0); a21 = madd(a21, x2, w1);
            a30 = madd(a30, x3, w0); a31 = madd(a31, x3, w1);
          }
          f32 *o = Mx + (long)t * F + fb;
          st(o, a00); st(o + 4, a01); st(o + F, a10); st(o + F + 4, a11);
          st(o + 2 * F, a20); st(o + 2 * F + 4, a21); st(o + 3 * F, a30); st(o + 3 * F + 4, a31);
        }
        for (; t < T; t++) {
          v4 a0 = z, a1 = z;
          const f32 *vp = Vx + (long)t * C;
          const f32 *wq = panel;
          for (int c = 0; c < C; c++, wq += 8) {
            v4 x0 = splat(vp + c);
            a0 = madd(a0, x0, ld(wq));
            a1 = madd(a1, x0, ld(wq + 4));
          }
          f32 *o = Mx + (long)t * F + fb;
          st(o, a0); st(o + 4, a1);
        }
      }
    }
    // y[tile m + i] = sum over xi of AT[i][xi] M[xi]; outputs past Wo are not written.
    for (int t = 0; t < T; t++) {
      const long g = g0 + t;
      const int row = (int)(g / tiles), tile = (int)(g % tiles);
      for (int i = 0; i < m && tile * m + i < Wo; i++) {
        f32 *out = y + ((long)row * Wo + tile * m + i) * F;
        for (int f = 0; f < F; f += 4) {
          v4 s = z;
          for (int xi = 0; xi < a; xi++) {
            const f32 b = AT[i * a + xi];
            if (b != 0.f) s = madd(s, ld(M + ((long)xi * T + t) * F + f), wasm_f32x4_splat(b));
          }
          st(out + f, s);
        }
      }
    }
  }
}

// The filter gradient through the same transforms: dw[k] = sum over xi of G[xi][k] Macc[xi], with
// Macc[xi] [C, F] = sum over tiles of V[xi]^T D[xi], D[xi][t] = sum over i of AT[i][xi] dy[t m + i].
// Scratch: V a * WG1_BLOCK * C floats, D a * WG1_BLOCK * F, Macc a * C * F.
EXPORT(winograd1dFilterGrad)
void winograd1dFilterGrad(const f32 *x, const f32 *dy, const f32 *BT, const f32 *AT, const f32 *G, f32 *V, f32 *D, f32 *Macc, f32 *dw, int R,
                          int W, int C, int Wo, int F, int pl, int m, int r) {
  const int a = m + r - 1;
  const int tiles = (Wo + m - 1) / m;
  const long total = (long)R * tiles;
  const v4 z = wasm_f32x4_splat(0.f);
  zero(Macc, a * C * F);
  for (long g0 = 0; g0 < total; g0 += WG1_BLOCK) {
    const int T = total - g0 < WG1_BLOCK ? (int)(total - g0) : WG1_BLOCK;
    for (int t = 0; t < T; t++) {
      const long g = g0 + t;
      const int row = (int)(g / tiles), tile = (int)(g % tiles);
      for (int c = 0; c < C; c += 4) input_tile1d(x + (long)row * W * C, W, C, tile * m - pl, c, BT, a, V + (long)t * C + c, (long)T * C);
      const f32 *dyr = dy + (long)row * Wo * F;
      for (int xi = 0; xi < a; xi++)
        for (int f = 0; f < F; f += 4) {
          v4 s = z;
          for (int i = 0; i < m && tile * m + i < Wo; i++) {
            const f32 b = AT[i * a + xi];
            if (b != 0.f) s = madd(s, ld(dyr + (long)(tile * m + i) * F + f), wasm_f32x4_splat(b));
          }
          st(D + ((long)xi * T + t) * F + f, s);
        }
    }
    for (int xi = 0; xi < a; xi++) {
      const f32 *Vx = V + (long)xi * T * C;
      const f32 *Dx = D + (long)xi * T * F;
      f32 *Mx = Macc + (long)xi * C * F;
      for (int c = 0; c < C; c += 4)
        for (int f = 0; f < F; f += 8) {
          f32 *mm = Mx + (long)c * F + f;
          v4 a00 = ld(mm), a01 = ld(mm + 4), a10 = ld(mm + F), a11 = ld(mm + F + 4);
          v4 a20 = ld(mm + 2 * F), a21 = ld(mm + 2 * F + 4), a30 = ld(mm + 3 * F), a31 = ld(mm + 3 * F + 4);
          const f32 *vp = Vx + c;
          const f32 *dp = Dx + f;
          for (int t = 0; t < T; t++, vp += C, dp += F) {
            v4 d0 = ld(dp), d1 = ld(dp + 4);
            v4 x0 = splat(vp), x1 = splat(vp + 1), x2 = splat(vp + 2), x3 = splat(vp + 3);
            a00 = madd(a00, x0, d0); a01 = madd(a01, x0, d1);
            a10 = madd(a10, x1, d0); a11 = madd(a11, x1, d1);
            a20 = madd(a20, x2, d0); a21 = madd(a21, x2, d1);
            a30 = madd(a30, x3, d0); a31 = madd(a31, x3, d1);
          }
          st(mm, a00); st(mm + 4, a01); st(mm + F, a10); st(mm + F + 4, a11);
          st(mm + 2 * F, a20); st(mm + 2 * F + 4, a21); st(mm + 3 * F, a30); st(mm + 3 * F + 4, a31);
        }
    }
  }
  const long cf = (long)C * F;
  for (int k = 0; k < r; k++)
    for (long j = 0; j < cf; j += 4) {
      v4 s = z;
      for (int xi = 0; xi < a; xi++) {
        const f32 b = G[xi * r + k];
        if (b != 0.f) s = madd(s, ld(Macc + xi * cf + j), wasm_f32x4_splat(b));
      }
      st(dw + k * cf + j, s);
    }
}

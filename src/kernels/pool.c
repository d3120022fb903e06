// Pooling: the gradient of max pooling.

#include "kernels.h"

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
          v4 best = vsplat(-__builtin_inff());
          for (int kh = 0; kh < KH; kh++) {
            int iy = oy * sh - pt + kh;
            if (iy < 0 || iy >= H) continue;
            for (int kw = 0; kw < KW; kw++) {
              int ix = ox * sw - pl + kw;
              if (ix < 0 || ix >= W) continue;
              v4 v = ld(xn + ((long)iy * W + ix) * C + c);
              best = vbitselect(v, best, vgt(v, best));
            }
          }
          v4 open = vgt(best, vsplat(-__builtin_inff()));
          const v4 gv = ld(g + c);
          for (int kh = 0; kh < KH; kh++) {
            int iy = oy * sh - pt + kh;
            if (iy < 0 || iy >= H) continue;
            for (int kw = 0; kw < KW; kw++) {
              int ix = ox * sw - pl + kw;
              if (ix < 0 || ix >= W) continue;
              long i = ((long)iy * W + ix) * C + c;
              v4 hit = vand(open, veq(ld(xn + i), best));
              open = vandnot(open, hit);
              st(dxn + i, vadd(ld(dxn + i), vand(gv, hit)));
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

// y [N, C] = the mean of x [N, P, C] over its P positions (a global average pooling), each sum in
// double in position order and divided in double, rounded once (acc: C doubles of scratch).
EXPORT(spatialMean)
void spatialMean(const f32 *x, f32 *y, double *acc, int N, int P, int C) {
  for (int n = 0; n < N; n++) {
    for (int c = 0; c < C; c++) acc[c] = 0.0;
    const f32 *xn = x + (long)n * P * C;
    for (int p = 0; p < P; p++)
      for (int c = 0; c < C; c++) acc[c] += (double)xn[(long)p * C + c];
    for (int c = 0; c < C; c++) y[(long)n * C + c] = (f32)(acc[c] / (double)P);
  }
}

// The gradient of spatialMean: dx [N, P, C] = dy [N, C] / P at every position (what tfjs's Mean
// gradient computes as dy * ones / P, without the ones).
EXPORT(spatialMeanGrad)
void spatialMeanGrad(const f32 *dy, f32 *dx, int N, int P, int C) {
  for (int n = 0; n < N; n++) {
    f32 *dxn = dx + (long)n * P * C;
    for (int c = 0; c < C; c++) dxn[c] = dy[(long)n * C + c] / (f32)P;
    for (int p = 1; p < P; p++)
      for (int c = 0; c < C; c++) dxn[(long)p * C + c] = dxn[c];
  }
}

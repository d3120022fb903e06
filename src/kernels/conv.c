// The direct convolutions and what prepares their operands: the filter gradient
// (conv2dBackpropFilter), the input gradient of strided convolutions (conv2dBackpropInput), the
// register-tiled convolution of a zero-padded copy (padImages, packFilter8, conv2dValid)
// and the flipped filter that turns a stride-1 input gradient into a forward convolution
// (flipFilter). The stride-1 3x3 and 1 x r convolutions go through winograd.c instead.
//
// Every kernel is register-tiled so that the accumulators of one tile stay in SIMD registers for
// a whole image; an image's rows fit in L2, so each tile pass streams from cache.

#include "kernels.h"

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
          int f0 = 0;
#if VW > 4
          // Natively, 4 channels x 2 VW filters: 8 accumulators of the widest vector.
          for (; f0 + 2 * VW <= F; f0 += 2 * VW) {
            f32 *d0 = dwt + c * F + f0;
            vw a00 = vwld(d0), a01 = vwld(d0 + VW), a10 = vwld(d0 + F), a11 = vwld(d0 + F + VW);
            vw a20 = vwld(d0 + 2 * F), a21 = vwld(d0 + 2 * F + VW), a30 = vwld(d0 + 3 * F), a31 = vwld(d0 + 3 * F + VW);
            for (int oy = oy0; oy < oy1; oy++) {
              const f32 *xp = xn + ((oy * sh + kh - pt) * W + ox0 * sw + kw - pl) * C + c;
              const f32 *gp = dyn + (oy * Wo + ox0) * F + f0;
              for (int ox = ox0; ox < ox1; ox++, xp += xstep, gp += F) {
                vw g0 = vwld(gp), g1 = vwld(gp + VW);
                vw x0 = vwsplat(xp), x1 = vwsplat(xp + 1), x2 = vwsplat(xp + 2), x3 = vwsplat(xp + 3);
                a00 = vwmadd(a00, x0, g0); a01 = vwmadd(a01, x0, g1);
                a10 = vwmadd(a10, x1, g0); a11 = vwmadd(a11, x1, g1);
                a20 = vwmadd(a20, x2, g0); a21 = vwmadd(a21, x2, g1);
                a30 = vwmadd(a30, x3, g0); a31 = vwmadd(a31, x3, g1);
              }
            }
            vwst(d0, a00); vwst(d0 + VW, a01); vwst(d0 + F, a10); vwst(d0 + F + VW, a11);
            vwst(d0 + 2 * F, a20); vwst(d0 + 2 * F + VW, a21); vwst(d0 + 3 * F, a30); vwst(d0 + 3 * F + VW, a31);
          }
#endif
          for (int f = f0; f < F8; f += 8) {
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
          int f0 = 0;
#if VW > 4
          // Natively, one channel x VW filters at a time.
          for (; f0 + VW <= F; f0 += VW) {
            f32 *d0 = dwt + c * F + f0;
            vw a0 = vwld(d0);
            for (int oy = oy0; oy < oy1; oy++) {
              const f32 *xp = xn + ((oy * sh + kh - pt) * W + ox0 * sw + kw - pl) * C + c;
              const f32 *gp = dyn + (oy * Wo + ox0) * F + f0;
              for (int ox = ox0; ox < ox1; ox++, xp += xstep, gp += F) a0 = vwmadd(a0, vwsplat(xp), vwld(gp));
            }
            vwst(d0, a0);
          }
#endif
          for (int f = f0; f < F8; f += 8) {
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

#if VW > 4
// conv2dBackpropInput's native tile: P pixels (a group's 4, sw apart, or 1) x J vectors of 8
// channels from channel c, over every tap valid for the first pixel (in a group, for all four)
// and every filter. P and J are constants at each call, so the accumulators stay in registers.
static inline __attribute__((always_inline)) void input_grad_tile8(const f32 *dyn, const f32 *wt, f32 *out, int c, int P, int J, int iy, int ix,
                                                                   int C, int Ho, int Wo, int F, int KH, int KW, int sh, int sw, int pt,
                                                                   int pl) {
  v8 acc[4][4];
  UNROLL for (int p = 0; p < P; p++) UNROLL for (int j = 0; j < J; j++) acc[p][j] = v8zero();
  for (int kh = 0; kh < KH; kh++) {
    int oy = source_index(iy, pt, kh, sh, Ho);
    if (oy < 0) continue;
    for (int kw = 0; kw < KW; kw++) {
      int ox = source_index(ix, pl, kw, sw, Wo);
      if (ox < 0) continue;
      const f32 *g = dyn + (oy * Wo + ox) * F;
      const f32 *wp = wt + ((kh * KW + kw) * F) * C + c;
      for (int f = 0; f < F; f++, wp += C) {
        v8 w[4];
        UNROLL for (int j = 0; j < J; j++) w[j] = v8ld(wp + 8 * j);
        UNROLL for (int p = 0; p < P; p++) {
          const v8 gp = v8splat(g + p * F + f);
          UNROLL for (int j = 0; j < J; j++) acc[p][j] = v8madd(acc[p][j], gp, w[j]);
        }
      }
    }
  }
  UNROLL for (int p = 0; p < P; p++) UNROLL for (int j = 0; j < J; j++) v8st(out + p * sw * C + c + 8 * j, acc[p][j]);
}
#endif

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
#if VW > 4
          // Natively, the four pixels in 8-lane vectors: 16 channels at a time (twice the lanes of
          // the 4-lane tile below with the same 8 accumulators), 32 with AVX-512's 32 registers
          // (16 accumulators, half the broadcasts per multiply-add).
          if (group && C % 16 == 0) {
            int c = 0;
#if VW == 16
            for (; c + 32 <= C; c += 32) input_grad_tile8(dyn, wt, out, c, 4, 4, iy, ix, C, Ho, Wo, F, KH, KW, sh, sw, pt, pl);
#endif
            for (; c < C; c += 16) input_grad_tile8(dyn, wt, out, c, 4, 2, iy, ix, C, Ho, Wo, F, KH, KW, sh, sw, pt, pl);
            ix += 3 * sw;
            continue;
          }
#endif
          if (group) {
            for (int c = 0; c < C8; c += 8) {
              v4 a00 = vsplat(0.f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
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
#if VW > 4
          if (!group && C % 16 == 0) {
            for (int c = 0; c < C; c += 16) input_grad_tile8(dyn, wt, out, c, 1, 2, iy, ix, C, Ho, Wo, F, KH, KW, sh, sw, pt, pl);
            continue;
          }
#endif
          if (!group) {
            // One pixel (at the borders, where a tap falls outside dy for some of four): 8
            // channels at a time. As a scalar loop this took about half of a stride-2 ResNet
            // layer's input gradient (a quarter of its pixels land here).
            f32 *o = dxn + (iy * W + ix) * C;
            for (int c = 0; c < C8; c += 8) {
              v4 a0 = vsplat(0.f), a1 = a0;
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

// conv2dValid's row of tiles (conv_valid.inc), for 4 lanes and, natively, the widest vector and 8 lanes.
#define VT v4
#define VT_W 4
#define VT_(name) name
#define VT_LD ld
#define VT_ST st
#define VT_SPLAT splat
#define VT_ZERO vsplat(0.f)
#define VT_MADD madd
#include "conv_valid.inc"
#if VW > 4
#define VT vw
#define VT_W VW
#define VT_(name) name##_w
#define VT_LD vwld
#define VT_ST vwst
#define VT_SPLAT vwsplat
#define VT_ZERO vwzero()
#define VT_MADD vwmadd
#include "conv_valid.inc"
#define VT v8
#define VT_W 8
#define VT_(name) name##_8
#define VT_LD v8ld
#define VT_ST v8st
#define VT_SPLAT v8splat
#define VT_ZERO v8zero()
#define VT_MADD v8madd
#include "conv_valid.inc"
#endif

// A 'valid' convolution of the padded images xp [N, Hp, Wp, C] with w [KH, KW, C, F] (packed by
// packFilter8 into wp), strides sh, sw: y [N, Ho, Wo, F]. Tiles of 4 output pixels x 8 filters keep
// 8 accumulators in SIMD registers over all taps and channels (the tile of conv2dBackpropFilter);
// natively, 4 pixels x 2 vectors of the widest width, reading the unpacked w (a row of F filters
// per tap and channel). Stride 1 serves the padded stride-1 layers (the RGB layer, filters Winograd
// does not take); stride 2 the ResNet's downsampling layers, which tfjs-wasm runs in XNNPACK on
// one thread and which here split over intra-op threads.
EXPORT(conv2dValid)
void conv2dValid(const f32 *xp, const f32 *w, const f32 *wp, f32 *y, int N, int Hp, int Wp, int C, int Ho, int Wo, int F, int KH, int KW, int sh,
                 int sw) {
  const int F8 = F & ~7;
  const int T = KH * KW * C;
  for (int n = 0; n < N; n++) {
    const f32 *xn = xp + (long)n * Hp * Wp * C;
    f32 *yn = y + (long)n * Ho * Wo * F;
    for (int oy = 0; oy < Ho; oy++) {
      int f = 0;
#if VW > 4
      for (; f + 2 * VW <= F; f += 2 * VW) valid_row_w(xn, w + f, (long)C * F, F, yn, oy, f, Wp, C, Wo, F, KH, KW, sh, sw);
      // 16 filters in 8-lane vectors where fewer than 2 VW remain: the RGB layer's 16 filters
      // ran the 4-lane tile below with AVX-512.
      for (; f + 16 <= F; f += 16) valid_row_8(xn, w + f, (long)C * F, F, yn, oy, f, Wp, C, Wo, F, KH, KW, sh, sw);
#endif
      for (; f < F8; f += 8) valid_row(xn, wp + (long)(f >> 3) * T * 8, (long)C * 8, 8, yn, oy, f, Wp, C, Wo, F, KH, KW, sh, sw);
      // Filter tail (F not a multiple of 8): scalar.
      for (f = F8; f < F; f++)
        for (int ox = 0; ox < Wo; ox++) {
          f32 acc = 0.f;
          for (int kh = 0; kh < KH; kh++)
            for (int kw = 0; kw < KW; kw++) {
              const f32 *xq = xn + ((oy * sh + kh) * Wp + ox * sw + kw) * C;
              const f32 *wq = w + (kh * KW + kw) * C * F + f;
              for (int c = 0; c < C; c++) acc += xq[c] * wq[c * F];
            }
          yn[(oy * Wo + ox) * F + f] = acc;
        }
    }
  }
}

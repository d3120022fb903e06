// Winograd convolutions (Lavin & Gray 2016) for stride-1 convolutions: F(2x2, 3x3) and
// F(4x4, 3x3) for ResNet's 3x3 layers (forward, and through the flipped filter the input
// gradient; F(4x4, 3x3) also for the filter gradient), and 1-D F(4, 3) and F(2, 7) for the
// char-CNN's 1 x 3 and 1 x 7 layers. Each computes a block of outputs ("tile") with fewer
// multiplies than the direct convolution: transforms of the input patches and of the filter,
// matrix products of the transformed values (the register tile of conv.c's conv2dValid), and a
// transform back.

#include "kernels.h"

// ---------------------------------------------------------------------------------------------
// The products every Winograd kernel spends its time in, one transformed point at a time.

// Mx [T, F] = Vx [T, C] Ux [C, F], Ux packed in panels (panel_index; Ux = U + xi C F). Tiles of 4
// tiles x 8 filters keep 8 accumulators in registers over all C channels; in a native object with
// wide vectors, panels of 32 filters take 8 tiles x 32 (AVX-512), panels of 16 filters 8 x 16
// (AVX-512) or 4 x 16 (AVX2) instead.
static inline __attribute__((always_inline)) void wg_products(const f32 *Vx, const f32 *Ux, f32 *Mx, int T, int C, int F) {
  const v4 z = vsplat(0.f);
  const int pw = PANEL(F);
  for (int fb = 0; fb < F; fb += pw) {
    const f32 *panel = Ux + (long)fb * C;
#if VW == 16
    if (pw == 32) {
      // 8 tiles x 32 filters: 16 accumulators, two loads and eight broadcasts per 16 FMAs.
      int t = 0;
      for (; t + 8 <= T; t += 8) {
        vw a00 = vwzero(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        vw a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        const f32 *vp = Vx + (long)t * C;
        const f32 *wq = panel;
        for (int c = 0; c < C; c++, wq += 32) {
          vw w0 = vwld(wq), w1 = vwld(wq + 16), x;
          x = vwsplat(vp + c); a00 = vwmadd(a00, x, w0); a01 = vwmadd(a01, x, w1);
          x = vwsplat(vp + C + c); a10 = vwmadd(a10, x, w0); a11 = vwmadd(a11, x, w1);
          x = vwsplat(vp + 2 * C + c); a20 = vwmadd(a20, x, w0); a21 = vwmadd(a21, x, w1);
          x = vwsplat(vp + 3 * C + c); a30 = vwmadd(a30, x, w0); a31 = vwmadd(a31, x, w1);
          x = vwsplat(vp + 4 * C + c); a40 = vwmadd(a40, x, w0); a41 = vwmadd(a41, x, w1);
          x = vwsplat(vp + 5 * C + c); a50 = vwmadd(a50, x, w0); a51 = vwmadd(a51, x, w1);
          x = vwsplat(vp + 6 * C + c); a60 = vwmadd(a60, x, w0); a61 = vwmadd(a61, x, w1);
          x = vwsplat(vp + 7 * C + c); a70 = vwmadd(a70, x, w0); a71 = vwmadd(a71, x, w1);
        }
        f32 *o = Mx + (long)t * F + fb;
        vwst(o, a00); vwst(o + 16, a01); vwst(o + F, a10); vwst(o + F + 16, a11);
        vwst(o + 2 * F, a20); vwst(o + 2 * F + 16, a21); vwst(o + 3 * F, a30); vwst(o + 3 * F + 16, a31);
        vwst(o + 4 * F, a40); vwst(o + 4 * F + 16, a41); vwst(o + 5 * F, a50); vwst(o + 5 * F + 16, a51);
        vwst(o + 6 * F, a60); vwst(o + 6 * F + 16, a61); vwst(o + 7 * F, a70); vwst(o + 7 * F + 16, a71);
      }
      for (; t < T; t++) {
        vw a0 = vwzero(), a1 = a0;
        const f32 *vp = Vx + (long)t * C;
        const f32 *wq = panel;
        for (int c = 0; c < C; c++, wq += 32) {
          vw x = vwsplat(vp + c);
          a0 = vwmadd(a0, x, vwld(wq));
          a1 = vwmadd(a1, x, vwld(wq + 16));
        }
        f32 *o = Mx + (long)t * F + fb;
        vwst(o, a0); vwst(o + 16, a1);
      }
      continue;
    }
    if (pw == 16) {
      int t = 0;
      for (; t + 8 <= T; t += 8) {
        vw a0 = vwzero(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        const f32 *vp = Vx + (long)t * C;
        const f32 *wq = panel;
        for (int c = 0; c < C; c++, wq += 16) {
          vw w = vwld(wq);
          a0 = vwmadd(a0, vwsplat(vp + c), w);
          a1 = vwmadd(a1, vwsplat(vp + C + c), w);
          a2 = vwmadd(a2, vwsplat(vp + 2 * C + c), w);
          a3 = vwmadd(a3, vwsplat(vp + 3 * C + c), w);
          a4 = vwmadd(a4, vwsplat(vp + 4 * C + c), w);
          a5 = vwmadd(a5, vwsplat(vp + 5 * C + c), w);
          a6 = vwmadd(a6, vwsplat(vp + 6 * C + c), w);
          a7 = vwmadd(a7, vwsplat(vp + 7 * C + c), w);
        }
        f32 *o = Mx + (long)t * F + fb;
        vwst(o, a0); vwst(o + F, a1); vwst(o + 2 * F, a2); vwst(o + 3 * F, a3);
        vwst(o + 4 * F, a4); vwst(o + 5 * F, a5); vwst(o + 6 * F, a6); vwst(o + 7 * F, a7);
      }
      for (; t < T; t++) {
        vw a0 = vwzero();
        const f32 *vp = Vx + (long)t * C;
        const f32 *wq = panel;
        for (int c = 0; c < C; c++, wq += 16) a0 = vwmadd(a0, vwsplat(vp + c), vwld(wq));
        vwst(Mx + (long)t * F + fb, a0);
      }
      continue;
    }
#elif VW == 8
    if (pw == 16) {
      int t = 0;
      for (; t + 4 <= T; t += 4) {
        vw a00 = vwzero(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        const f32 *vp = Vx + (long)t * C;
        const f32 *wq = panel;
        for (int c = 0; c < C; c++, wq += 16) {
          vw w0 = vwld(wq), w1 = vwld(wq + 8);
          vw x0 = vwsplat(vp + c), x1 = vwsplat(vp + C + c), x2 = vwsplat(vp + 2 * C + c), x3 = vwsplat(vp + 3 * C + c);
          a00 = vwmadd(a00, x0, w0); a01 = vwmadd(a01, x0, w1);
          a10 = vwmadd(a10, x1, w0); a11 = vwmadd(a11, x1, w1);
          a20 = vwmadd(a20, x2, w0); a21 = vwmadd(a21, x2, w1);
          a30 = vwmadd(a30, x3, w0); a31 = vwmadd(a31, x3, w1);
        }
        f32 *o = Mx + (long)t * F + fb;
        vwst(o, a00); vwst(o + 8, a01); vwst(o + F, a10); vwst(o + F + 8, a11);
        vwst(o + 2 * F, a20); vwst(o + 2 * F + 8, a21); vwst(o + 3 * F, a30); vwst(o + 3 * F + 8, a31);
      }
      for (; t < T; t++) {
        vw a0 = vwzero(), a1 = a0;
        const f32 *vp = Vx + (long)t * C;
        const f32 *wq = panel;
        for (int c = 0; c < C; c++, wq += 16) {
          vw x0 = vwsplat(vp + c);
          a0 = vwmadd(a0, x0, vwld(wq));
          a1 = vwmadd(a1, x0, vwld(wq + 8));
        }
        f32 *o = Mx + (long)t * F + fb;
        vwst(o, a0); vwst(o + 8, a1);
      }
      continue;
    }
#endif
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

// Mx [C, F] += Vx^T [C, T] Dx [T, F] (the filter gradients' accumulation): tiles of 4 channels x 8
// filters in registers over the T tiles; in a native object with wide vectors and F % 16 == 0,
// 8 channels x 16 filters (AVX-512, C % 8 == 0) or 4 x 16 (AVX2).
static inline __attribute__((always_inline)) void wg_accumulate(const f32 *Vx, const f32 *Dx, f32 *Mx, int T, int C, int F) {
#if VW == 16
  if (F % 16 == 0 && C % 8 == 0) {
    for (int c = 0; c < C; c += 8)
      for (int f = 0; f < F; f += 16) {
        f32 *m = Mx + (long)c * F + f;
        vw a0 = vwld(m), a1 = vwld(m + F), a2 = vwld(m + 2 * F), a3 = vwld(m + 3 * F);
        vw a4 = vwld(m + 4 * F), a5 = vwld(m + 5 * F), a6 = vwld(m + 6 * F), a7 = vwld(m + 7 * F);
        const f32 *vp = Vx + c;
        const f32 *dp = Dx + f;
        for (int t = 0; t < T; t++, vp += C, dp += F) {
          vw d = vwld(dp);
          a0 = vwmadd(a0, vwsplat(vp), d);
          a1 = vwmadd(a1, vwsplat(vp + 1), d);
          a2 = vwmadd(a2, vwsplat(vp + 2), d);
          a3 = vwmadd(a3, vwsplat(vp + 3), d);
          a4 = vwmadd(a4, vwsplat(vp + 4), d);
          a5 = vwmadd(a5, vwsplat(vp + 5), d);
          a6 = vwmadd(a6, vwsplat(vp + 6), d);
          a7 = vwmadd(a7, vwsplat(vp + 7), d);
        }
        vwst(m, a0); vwst(m + F, a1); vwst(m + 2 * F, a2); vwst(m + 3 * F, a3);
        vwst(m + 4 * F, a4); vwst(m + 5 * F, a5); vwst(m + 6 * F, a6); vwst(m + 7 * F, a7);
      }
    return;
  }
#elif VW == 8
  if (F % 16 == 0) {
    for (int c = 0; c < C; c += 4)
      for (int f = 0; f < F; f += 16) {
        f32 *m = Mx + (long)c * F + f;
        vw a00 = vwld(m), a01 = vwld(m + 8), a10 = vwld(m + F), a11 = vwld(m + F + 8);
        vw a20 = vwld(m + 2 * F), a21 = vwld(m + 2 * F + 8), a30 = vwld(m + 3 * F), a31 = vwld(m + 3 * F + 8);
        const f32 *vp = Vx + c;
        const f32 *dp = Dx + f;
        for (int t = 0; t < T; t++, vp += C, dp += F) {
          vw d0 = vwld(dp), d1 = vwld(dp + 8);
          vw x0 = vwsplat(vp), x1 = vwsplat(vp + 1), x2 = vwsplat(vp + 2), x3 = vwsplat(vp + 3);
          a00 = vwmadd(a00, x0, d0); a01 = vwmadd(a01, x0, d1);
          a10 = vwmadd(a10, x1, d0); a11 = vwmadd(a11, x1, d1);
          a20 = vwmadd(a20, x2, d0); a21 = vwmadd(a21, x2, d1);
          a30 = vwmadd(a30, x3, d0); a31 = vwmadd(a31, x3, d1);
        }
        vwst(m, a00); vwst(m + 8, a01); vwst(m + F, a10); vwst(m + F + 8, a11);
        vwst(m + 2 * F, a20); vwst(m + 2 * F + 8, a21); vwst(m + 3 * F, a30); vwst(m + 3 * F + 8, a31);
      }
    return;
  }
#endif
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
        for (int j = 0; j < 4; j++) U[panel_index(i * 4 + j, c, f, C, F)] = u[j];
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
  const v4 z = vsplat(0.f);
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
            s[0][j] = vsub(d[0][j], d[2][j]);
            s[1][j] = vadd(d[1][j], d[2][j]);
            s[2][j] = vsub(d[2][j], d[1][j]);
            s[3][j] = vsub(d[1][j], d[3][j]);
          }
          for (int i = 0; i < 4; i++) {
            f32 *v = V + ((long)(i * 4) * T + t) * C + c;
            const long xi = (long)T * C;
            st(v, vsub(s[i][0], s[i][2]));
            st(v + xi, vadd(s[i][1], s[i][2]));
            st(v + 2 * xi, vsub(s[i][2], s[i][1]));
            st(v + 3 * xi, vsub(s[i][1], s[i][3]));
          }
        }
      }
      // 16 products M[xi] [T, F] = V[xi] [T, C] U[xi] [C, F].
      for (int xi = 0; xi < 16; xi++) {
        const f32 *Vx = V + (long)xi * T * C;
        f32 *Mx = M + (long)xi * T * F;
        wg_products(Vx, U + (long)xi * C * F, Mx, T, C, F);
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
            s[0][j] = vadd(vadd(m[0][j], m[1][j]), m[2][j]);
            s[1][j] = vsub(vsub(m[1][j], m[2][j]), m[3][j]);
          }
          for (int i = 0; i < 2; i++) {
            if (oy + i >= Ho) break;
            f32 *o = yn + ((long)(oy + i) * Wo + ox) * F + f;
            st(o, vadd(vadd(s[i][0], s[i][1]), s[i][2]));
            if (ox + 1 < Wo) st(o + F, vsub(vsub(s[i][1], s[i][2]), s[i][3]));
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

// The F(4x4, 3x3) transforms (winograd43.inc), for 4 lanes and, natively, for the widest vector.
#define VT v4
#define VT_W 4
#define VT_(name) name
#define VT_ADD vadd
#define VT_SUB vsub
#define VT_MUL vmul
#define VT_LD ld
#define VT_ST st
#define VT_ZERO vsplat(0.f)
#define VT_MADDS(acc, a, s) vadd(acc, vmul(a, s))
#define VT_MSUBS(acc, a, s) vsub(acc, vmul(a, s))
#define VT_SMULADD(a, s, b) vadd(vmul(a, s), b)
#define VT_MADDV madd
#define VT_RELU relu4
#include "winograd43.inc"
#if VW > 4
#define VT vw
#define VT_W VW
#define VT_(name) name##_w
#define VT_ADD(a, b) ((a) + (b))
#define VT_SUB(a, b) ((a) - (b))
#define VT_MUL(a, s) ((a) * (s))
#define VT_LD vwld
#define VT_ST vwst
#define VT_ZERO vwzero()
#define VT_MADDV vwmadd
#define VT_RELU vwrelu
#if VW == 16
#define VT_MADDS(acc, a, s) _mm512_fmadd_ps(a, _mm512_set1_ps(s), acc)
#define VT_MSUBS(acc, a, s) _mm512_fnmadd_ps(a, _mm512_set1_ps(s), acc)
#define VT_SMULADD(a, s, b) _mm512_fmadd_ps(a, _mm512_set1_ps(s), b)
#else
#define VT_MADDS(acc, a, s) _mm256_fmadd_ps(a, _mm256_set1_ps(s), acc)
#define VT_MSUBS(acc, a, s) _mm256_fnmadd_ps(a, _mm256_set1_ps(s), acc)
#define VT_SMULADD(a, s, b) _mm256_fmadd_ps(a, _mm256_set1_ps(s), b)
#endif
#include "winograd43.inc"
#endif

// winograd43Filter for the input channels [c0, c1) only: how the native addon splits it over
// intra-op threads.
EXPORT(winograd43FilterRange)
void winograd43FilterRange(const f32 *w, f32 *U, int C, int F, int c0, int c1) {
  // Four filters at a time (F % 8 == 0: a block of 4 lies in one panel), with the divisions of
  // the scalar formulas kept as divisions, so U is what they gave bit for bit. Scalar, with a
  // panel_index per value, this took ~9% of a ResNet-20 step on two intra-op threads (perf,
  // 2026-12-07): it runs before every Winograd convolution and is not split.
  const int pw = PANEL(F);
  const long xs = (long)C * F;
  const v4 d4 = vsplat(4.f), d6 = vsplat(6.f), d12 = vsplat(12.f), d24 = vsplat(24.f);
  for (int c = c0; c < c1; c++)
    for (int f = 0; f < F; f += 4) {
      v4 g[3][3], t[6][3];
      UNROLL
      for (int i = 0; i < 3; i++)
        UNROLL
        for (int j = 0; j < 3; j++) g[i][j] = ld(w + ((i * 3 + j) * C + c) * F + f);
      UNROLL
      for (int j = 0; j < 3; j++) {
        v4 g0 = g[0][j], g1 = g[1][j], g2 = g[2][j];
        t[0][j] = vdivv(g0, d4);
        t[1][j] = vdivv(vneg(vadd(vadd(g0, g1), g2)), d6);
        t[2][j] = vdivv(vneg(vadd(vsub(g0, g1), g2)), d6);
        t[3][j] = vadd(vadd(vdivv(g0, d24), vdivv(g1, d12)), vdivv(g2, d6));
        t[4][j] = vadd(vsub(vdivv(g0, d24), vdivv(g1, d12)), vdivv(g2, d6));
        t[5][j] = g2;
      }
      f32 *out = U + (long)(f - f % pw) * C + (long)c * pw + f % pw;
      UNROLL
      for (int i = 0; i < 6; i++) {
        v4 g0 = t[i][0], g1 = t[i][1], g2 = t[i][2];
        f32 *o = out + (long)i * 6 * xs;
        st(o, vdivv(g0, d4));
        st(o + xs, vdivv(vneg(vadd(vadd(g0, g1), g2)), d6));
        st(o + 2 * xs, vdivv(vneg(vadd(vsub(g0, g1), g2)), d6));
        st(o + 3 * xs, vadd(vadd(vdivv(g0, d24), vdivv(g1, d12)), vdivv(g2, d6)));
        st(o + 4 * xs, vadd(vsub(vdivv(g0, d24), vdivv(g1, d12)), vdivv(g2, d6)));
        st(o + 5 * xs, g2);
      }
    }
}

// U[36][F / 8][C][8] = G g G^T for w [3, 3, C, F] (in panels: panel_index).
EXPORT(winograd43Filter)
void winograd43Filter(const f32 *w, f32 *U, int C, int F) { winograd43FilterRange(w, U, C, F, 0, C); }

// winograd43Conv, and with a not-null `scale` winograd43ConvBn's epilogue (output_tile6).
static inline __attribute__((always_inline)) void wg43_conv(const f32 *x, const f32 *U, f32 *V, f32 *M, f32 *y, int N, int H, int W, int C,
                                                           int Ho, int Wo, int F, int pt, int pl, const f32 *scale, const f32 *shift,
                                                           const f32 *res, int relu) {
  const int th = (Ho + 3) / 4, tw = (Wo + 3) / 4;
  const int tiles = th * tw;
  const long total = (long)N * tiles;
  for (long g0 = 0; g0 < total; g0 += WG4_BLOCK) {
    const int T = total - g0 < WG4_BLOCK ? (int)(total - g0) : WG4_BLOCK;
    for (int t = 0; t < T; t++) {
      const long g = g0 + t;
      const int n = (int)(g / tiles), r = (int)(g % tiles);
      const f32 *xn = x + (long)n * H * W * C;
#if VW > 4
      if (C % VW == 0) {
        input_tiles6_w(xn, H, W, C, 4 * (r / tw) - pt, 4 * (r % tw) - pl, V + (long)t * C, (long)T * C);
        continue;
      }
#endif
      input_tiles6(xn, H, W, C, 4 * (r / tw) - pt, 4 * (r % tw) - pl, V + (long)t * C, (long)T * C);
    }
    // 36 products M[xi] [T, F] = V[xi] [T, C] U[xi] [C, F].
    for (int xi = 0; xi < 36; xi++) {
      const f32 *Vx = V + (long)xi * T * C;
      f32 *Mx = M + (long)xi * T * F;
      wg_products(Vx, U + (long)xi * C * F, Mx, T, C, F);
    }
    // Output transform A^T m A; outputs past Ho, Wo (a partial last tile) are not written.
    for (int t = 0; t < T; t++) {
      const long g = g0 + t;
      const int n = (int)(g / tiles), r = (int)(g % tiles);
      f32 *yn = y + (long)n * Ho * Wo * F;
      const f32 *resn = res ? res + (long)n * Ho * Wo * F : 0;
      const int oy = 4 * (r / tw), ox = 4 * (r % tw);
#if VW > 4
      if (F % VW == 0) {
        output_tile6_w(M + (long)t * F, (long)T * F, yn, oy, ox, Ho, Wo, F, scale, shift, resn, relu);
        continue;
      }
#endif
      output_tile6(M + (long)t * F, (long)T * F, yn, oy, ox, Ho, Wo, F, scale, shift, resn, relu);
    }
  }
}

// y [N, Ho, Wo, F] from x [N, H, W, C] zero-padded by pt rows above and pl columns to the left,
// and U from winograd43Filter. Scratch: V 36 * WG4_BLOCK * C floats, M 36 * WG4_BLOCK * F.
EXPORT(winograd43Conv)
void winograd43Conv(const f32 *x, const f32 *U, f32 *V, f32 *M, f32 *y, int N, int H, int W, int C, int Ho, int Wo, int F, int pt, int pl) {
  wg43_conv(x, U, V, M, y, N, H, W, C, Ho, Wo, F, pt, pl, 0, 0, 0, 0);
}

// winograd43Conv followed by inference batch norm in its output transform: y = relu?(conv scale +
// shift + res?), scale and shift [F] from batchNormScaleShift, res (null for none) of y's shape.
// The same bits as winograd43Conv then batchNormApply, without the second pass over y (predict).
EXPORT(winograd43ConvBn)
void winograd43ConvBn(const f32 *x, const f32 *U, f32 *V, f32 *M, f32 *y, int N, int H, int W, int C, int Ho, int Wo, int F, int pt, int pl,
                      const f32 *scale, const f32 *shift, const f32 *res, int relu) {
  wg43_conv(x, U, V, M, y, N, H, W, C, Ho, Wo, F, pt, pl, scale, shift, res, relu);
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
  zero(Macc, 36 * C * F);
  for (long g0 = 0; g0 < total; g0 += WG4_BLOCK) {
    const int T = total - g0 < WG4_BLOCK ? (int)(total - g0) : WG4_BLOCK;
    for (int t = 0; t < T; t++) {
      const long g = g0 + t;
      const int n = (int)(g / tiles), r = (int)(g % tiles);
      const int oy = 4 * (r / tw), ox = 4 * (r % tw);
      const f32 *xn = x + (long)n * H * W * C;
#if VW > 4
      if (C % VW == 0)
        input_tiles6_w(xn, H, W, C, oy - pt, ox - pl, V + (long)t * C, (long)T * C);
      else
#endif
        input_tiles6(xn, H, W, C, oy - pt, ox - pl, V + (long)t * C, (long)T * C);
      // A dy A^T of the tile's 4x4 output gradient (zero past Ho, Wo).
      const f32 *dyn = dy + (long)n * Ho * Wo * F;
#if VW > 4
      if (F % VW == 0) {
        grad_tile4_w(dyn, oy, ox, Ho, Wo, F, D + (long)t * F, (long)T * F);
        continue;
      }
#endif
      grad_tile4(dyn, oy, ox, Ho, Wo, F, D + (long)t * F, (long)T * F);
    }
    // Macc[xi] [C, F] += V[xi]^T [C, T] D[xi] [T, F]: tiles of 4 channels x 8 filters in registers.
    for (int xi = 0; xi < 36; xi++) {
      const f32 *Vx = V + (long)xi * T * C;
      const f32 *Dx = D + (long)xi * T * F;
      f32 *Mx = Macc + (long)xi * C * F;
      wg_accumulate(Vx, Dx, Mx, T, C, F);
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
        U[panel_index(xi, c, f, C, F)] = s;
      }
}

// V[xi][t][c..c+3] = sum over k of BT[xi][k] d[k], d the a inputs of tile t (zero outside [0, W)).
static inline void input_tile1d(const f32 *xr, int W, int C, int ix, int c, const f32 *BT, int a, f32 *V, long vstride) {
  const v4 z = vsplat(0.f);
  const int inside = ix >= 0 && ix + a <= W;
  for (int xi = 0; xi < a; xi++) {
    v4 s = z;
    for (int k = 0; k < a; k++) {
      const f32 b = BT[xi * a + k];
      if (b == 0.f || (!inside && (ix + k < 0 || ix + k >= W))) continue;
      s = madd(s, ld(xr + (long)(ix + k) * C + c), vsplat(b));
    }
    st(V + xi * vstride, s);
  }
}

// y [R, Wo, F] from x [R, W, C] and U. Scratch: V a * WG1_BLOCK * C floats, M a * WG1_BLOCK * F.
EXPORT(winograd1dConv)
void winograd1dConv(const f32 *x, const f32 *U, const f32 *BT, const f32 *AT, f32 *V, f32 *M, f32 *y, int R, int W, int C, int Wo, int F,
                    int pl, int m, int a) {
  const int tiles = (Wo + m - 1) / m;
  const long total = (long)R * tiles;
  const v4 z = vsplat(0.f);
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
      wg_products(Vx, U + (long)xi * C * F, Mx, T, C, F);
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
            if (b != 0.f) s = madd(s, ld(M + ((long)xi * T + t) * F + f), vsplat(b));
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
  const v4 z = vsplat(0.f);
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
            if (b != 0.f) s = madd(s, ld(dyr + (long)(tile * m + i) * F + f), vsplat(b));
          }
          st(D + ((long)xi * T + t) * F + f, s);
        }
    }
    for (int xi = 0; xi < a; xi++) {
      const f32 *Vx = V + (long)xi * T * C;
      const f32 *Dx = D + (long)xi * T * F;
      f32 *Mx = Macc + (long)xi * C * F;
      wg_accumulate(Vx, Dx, Mx, T, C, F);
    }
  }
  const long cf = (long)C * F;
  for (int k = 0; k < r; k++)
    for (long j = 0; j < cf; j += 4) {
      v4 s = z;
      for (int xi = 0; xi < a; xi++) {
        const f32 b = G[xi * r + k];
        if (b != 0.f) s = madd(s, ld(Macc + xi * cf + j), vsplat(b));
      }
      st(dw + k * cf + j, s);
    }
}

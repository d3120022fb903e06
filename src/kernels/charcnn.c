// The char-CNN's kernels: the one-hot character convolution (forward and filter gradient) and
// the conv layers' fused bias + ReLU (forward and gradient).

#include "kernels.h"

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
        for (; f < F4; f += 4) st(out + f, vadd(ld(out + f), ld(row + f)));
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
        for (; f < F4; f += 4) st(row + f, vadd(ld(row + f), ld(g + f)));
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
    for (; c < C4; c += 4) st(out + c, relu4(vadd(ld(row + c), ld(bias + c))));
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
  const v4 zero4 = vsplat(0.f);
  for (int c = 0; c < C; c++) { acc[c] = 0.0; blk[c] = 0.f; }
  for (int r0 = 0; r0 < M; r0 += BN_BLOCK) {
    int r1 = r0 + BN_BLOCK < M ? r0 + BN_BLOCK : M;
    for (int r = r0; r < r1; r++) {
      const long o = (long)r * C;
      int c = 0;
      for (; c < C4; c += 4) {
        v4 g = vand(ld(dy + o + c), vgt(ld(y + o + c), zero4));
        st(dx + o + c, g);
        st(blk + c, vadd(ld(blk + c), g));
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

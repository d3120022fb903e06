// Linear algebra: the one matrix product (any transposes) behind tfjs's BatchMatMul on wasm.

#include "kernels.h"

// out [M, N] = A [M, K] B [K, N] with A(m, k) = a[m*sam + k*sak] and B(k, n) = b[k*sbk + n*sbn], so
// that one kernel serves matMul's transposes (a dense layer's gradients are A^T B and A B^T).
// Why not the package's: tfjs-wasm's BatchMatMul runs the transposed cases as a scalar loop
// (~1.3 GFLOP/s on the char-CNN's 8704x1024 layer). K is cut into chunks of MM_KC rows; each
// chunk of B is packed into panels of 8 columns [N / 8][kc][8] (scratch `bp`, MM_KC * N floats),
// and a panel (8 KB) stays in L1 while tiles of 4 rows x 8 columns of a block of MM_MC rows of A
// (in L2) run over it, 8 accumulators in SIMD registers.
#define MM_MC 64

#if VW > 4
// Natively, with N a multiple of two full-width vectors: panels of 2 VW columns and tiles of MM_RW
// rows x 2 vectors (AVX-512: 8 x 32, 16 accumulators; AVX2: 4 x 16, 8 of its 16 registers). Each
// output is the same chain of fused multiply-adds over k as in the 4-lane tile of these objects,
// so the same bits, at 4 (AVX-512) or 2 (AVX2) times the width.
#define MM_RW (VW == 16 ? 8 : 4)
static void matmul_wide(const f32 *a, const f32 *b, f32 *bp, f32 *out, int M, int K, int N, int sam, int sak, int sbk, int sbn) {
  const int PW = 2 * VW;
  for (int k0 = 0; k0 < K; k0 += MM_KC) {
    const int kc = K - k0 < MM_KC ? K - k0 : MM_KC;
    const int first = k0 == 0;
    for (int nb = 0; nb < N; nb += PW) {
      f32 *p = bp + (long)nb * kc;
      if (sbn == 1) {
        for (int k = 0; k < kc; k++, p += PW) {
          const f32 *src = b + (long)(k0 + k) * sbk + nb;
          vwst(p, vwld(src));
          vwst(p + VW, vwld(src + VW));
        }
      } else {
        // B transposed (a dense layer's input gradient): column by column, so that the reads run
        // along B's rows instead of striding a row apart per value.
        for (int j = 0; j < PW; j++) {
          const f32 *src = b + (long)k0 * sbk + (long)(nb + j) * sbn;
          for (int k = 0; k < kc; k++) p[(long)k * PW + j] = src[(long)k * sbk];
        }
      }
    }
    for (int m0 = 0; m0 < M; m0 += MM_MC) {
      const int m1 = m0 + MM_MC < M ? m0 + MM_MC : M;
      for (int nb = 0; nb < N; nb += PW) {
        const f32 *panel = bp + (long)nb * kc;
        int m = m0;
        for (; m + MM_RW <= m1; m += MM_RW) {
          f32 *o = out + (long)m * N + nb;
          vw acc[MM_RW][2];
          UNROLL
          for (int r = 0; r < MM_RW; r++) {
            acc[r][0] = first ? vwzero() : vwld(o + (long)r * N);
            acc[r][1] = first ? vwzero() : vwld(o + (long)r * N + VW);
          }
          const f32 *ap = a + (long)m * sam + (long)k0 * sak;
          const f32 *wq = panel;
          for (int k = 0; k < kc; k++, ap += sak, wq += PW) {
            const vw w0 = vwld(wq), w1 = vwld(wq + VW);
            UNROLL
            for (int r = 0; r < MM_RW; r++) {
              const vw x = vwsplat(ap + (long)r * sam);
              acc[r][0] = vwmadd(acc[r][0], x, w0);
              acc[r][1] = vwmadd(acc[r][1], x, w1);
            }
          }
          UNROLL
          for (int r = 0; r < MM_RW; r++) {
            vwst(o + (long)r * N, acc[r][0]);
            vwst(o + (long)r * N + VW, acc[r][1]);
          }
        }
        for (; m < m1; m++) {
          f32 *o = out + (long)m * N + nb;
          vw a0 = first ? vwzero() : vwld(o), a1 = first ? vwzero() : vwld(o + VW);
          const f32 *ap = a + (long)m * sam + (long)k0 * sak;
          const f32 *wq = panel;
          for (int k = 0; k < kc; k++, ap += sak, wq += PW) {
            const vw x = vwsplat(ap);
            a0 = vwmadd(a0, x, vwld(wq));
            a1 = vwmadd(a1, x, vwld(wq + VW));
          }
          vwst(o, a0);
          vwst(o + VW, a1);
        }
      }
    }
  }
}
#endif

EXPORT(matMul)
void matMul(const f32 *a, const f32 *b, f32 *bp, f32 *out, int M, int K, int N, int sam, int sak, int sbk, int sbn) {
#if VW > 4
  if (N % (2 * VW) == 0) {
    matmul_wide(a, b, bp, out, M, K, N, sam, sak, sbk, sbn);
    return;
  }
#endif
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
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = vsplat(0.f);
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
          v4 a0 = first ? vsplat(0.f) : ld(o), a1 = first ? vsplat(0.f) : ld(o + 4);
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

// Data movement of the ResNets: He et al.'s option-A shortcut (forward and gradient) and the row
// gather that builds a training batch.

#include "kernels.h"

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

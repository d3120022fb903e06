// The optimizer's kernels: the momentum-SGD step of one variable and batch norm's running
// statistics (axpby).

#include "kernels.h"

// One SGD step with momentum and L2 weight decay, PyTorch's formulation:
// m' = mu * m + (g + wd * v); v' = v - lr * m'. Written to new buffers (tfjs tensors are immutable).
EXPORT(sgdMomentum)
void sgdMomentum(const f32 *v, const f32 *m, const f32 *g, f32 *vOut, f32 *mOut, int n, f32 lr, f32 mu, f32 wd) {
  const v4 lr4 = vsplat(lr), mu4 = vsplat(mu), wd4 = vsplat(wd);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v4 vv = ld(v + i);
    v4 mm = vadd(vmulv(mu4, ld(m + i)), vadd(ld(g + i), vmulv(wd4, vv)));
    st(mOut + i, mm);
    st(vOut + i, vsub(vv, vmulv(lr4, mm)));
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

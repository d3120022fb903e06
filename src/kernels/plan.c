// A network's inference, layer after layer, on a few images at a time ("chunks"): the kernels of
// the other files called in sequence on activations small enough to stay in the caches. Run layer
// by layer over a batch of 256, each of a ResNet's 32x32x16 activations is 16 MB, so every
// convolution streamed its input, residual and output through memory; on chunks of 16 images
// (1 MB) the same chain of six 16-channel Winograd convolutions ran 1.45x faster
// (bench/winograd-chain.c: 127-139 ms per 1,024 images over 128 or more at a time, 92-95 ms over
// 8 or 16; one thread, AVX-512, 2026-12-08). Every kernel computes each
// image on its own, so the results are the layer-by-layer kernels' bits for any chunk size (and,
// split over intra-op threads by images, for any thread count).
//
// The plan is an int array: a header (PLAN_*), then `steps` steps of PLAN_STEP ints. Pointers in
// it are byte offsets into the memory the plan lives in, resolved against the plan's own address
// (its offset is in the header), so the same plan runs in the wasm module (offsets are addresses)
// and in the native addon (which passes the plan's address in its memory).

#include "kernels.h"
#include "plan.h"

// The kernels a plan calls (defined in the other files: one translation unit in the native
// objects, where EXPORT makes them static; linked together in the wasm module).
#if defined(__wasm__)
#define PLAN_KERNEL
#else
#define PLAN_KERNEL static
#endif
PLAN_KERNEL void batchNormApply(const f32 *x, const f32 *gamma, const f32 *beta, const f32 *mean, const f32 *var, const f32 *res, f32 *y,
                                f32 *blk, int M, int C, int relu, f32 eps);
PLAN_KERNEL void batchNormScaleShift(const f32 *gamma, const f32 *beta, const f32 *mean, const f32 *var, f32 *scale, f32 *shift, int C,
                                     f32 eps);
PLAN_KERNEL void padImages(const f32 *x, f32 *xp, int N, int H, int W, int C, int Hp, int Wp, int pt, int pl);
PLAN_KERNEL void conv2dValid(const f32 *xp, const f32 *w, const f32 *wp, f32 *y, int N, int Hp, int Wp, int C, int Ho, int Wo, int F, int KH,
                             int KW, int sh, int sw);
PLAN_KERNEL void winograd43ConvBn(const f32 *x, const f32 *U, f32 *V, f32 *M, f32 *y, int N, int H, int W, int C, int Ho, int Wo, int F,
                                  int pt, int pl, const f32 *scale, const f32 *shift, const f32 *res, int relu);
PLAN_KERNEL void shortcutForward(const f32 *in, f32 *out, int N, int H, int W, int C, int Ho, int Wo, int Cout, int s, int lo);
PLAN_KERNEL void spatialMean(const f32 *x, f32 *y, double *acc, int N, int P, int C);

static inline f32 plan_f32(int bits) {
  f32 f;
  __builtin_memcpy(&f, &bits, sizeof f);
  return f;
}

// Runs `plan` on images x [N, ...] into out [N, plan[PLAN_OUT]], with `work` (plan[PLAN_WORK]
// floats, 64-byte aligned) as its workspace: the batch-norm scale and shift (2 PLAN_BN), the mean's
// accumulators (PLAN_OUT doubles), Winograd's V and M (PLAN_WG), a padded input (chunk PLAN_PAD) and
// the slots (PLAN_SLOTS x chunk x PLAN_SLOT), each rounded up to 16 floats.
EXPORT(runPlan)
void runPlan(const int *plan, const f32 *x, f32 *out, f32 *work, int N) {
  // Offsets as unsigned: a wasm32 memory may pass 2 GB.
  const char *base = (const char *)plan - (unsigned)plan[PLAN_SELF];
#define AT(field) ((const f32 *)(base + (unsigned)s[field]))
  const int chunk = plan[PLAN_CHUNK];
#define ROUND16(n) (((long)(n) + 15) & ~15L)
  f32 *scale = work, *shift = work + plan[PLAN_BN];
  double *acc = (double *)(work + ROUND16(2L * plan[PLAN_BN]));
  f32 *V = work + ROUND16(2L * plan[PLAN_BN]) + ROUND16(2L * plan[PLAN_OUT]);
  f32 *padded = V + ROUND16(plan[PLAN_WG]);
  f32 *slots = padded + ROUND16((long)chunk * plan[PLAN_PAD]);
  const long slot = ROUND16((long)chunk * plan[PLAN_SLOT]);
#undef ROUND16
  for (int n0 = 0; n0 < N; n0 += chunk) {
    const int n = N - n0 < chunk ? N - n0 : chunk;
    const f32 *images = x + (long)n0 * plan[PLAN_IN];
    const int *s = plan + PLAN_HEADER;
    for (int i = 0; i < plan[PLAN_STEPS]; i++, s += PLAN_STEP) {
      const f32 *in = s[S_IN] < 0 ? images : slots + s[S_IN] * slot;
      f32 *y = s[S_OUT] < 0 ? 0 : slots + s[S_OUT] * slot;
      const f32 *res = s[S_RES] < 0 ? 0 : slots + s[S_RES] * slot;
      const f32 *g = AT(S_GAMMA), *b = AT(S_BETA), *m = AT(S_MEAN), *v = AT(S_VAR);
      switch (s[S_OP]) {
      case PLAN_WINOGRAD_BN: {
        const int C = s[S_C], F = s[S_F];
        batchNormScaleShift(g, b, m, v, scale, shift, F, plan_f32(s[S_EPS]));
        winograd43ConvBn(in, AT(S_FILTER), V, V + 36L * WG4_BLOCK * C, y, n, s[S_H], s[S_W], C, s[S_HO], s[S_WO], F,
                         s[S_PT], s[S_PL], scale, shift, res, s[S_RELU]);
        break;
      }
      case PLAN_DIRECT_BN: {
        const int Hp = s[S_H] + s[S_PT] + s[S_PB], Wp = s[S_W] + s[S_PL] + s[S_PR];
        const f32 *xp = in;
        if (Hp != s[S_H] || Wp != s[S_W]) {
          padImages(in, padded, n, s[S_H], s[S_W], s[S_C], Hp, Wp, s[S_PT], s[S_PL]);
          xp = padded;
        }
        conv2dValid(xp, AT(S_FILTER), AT(S_PACKED), y, n, Hp, Wp, s[S_C], s[S_HO], s[S_WO], s[S_F],
                    s[S_KH], s[S_KW], s[S_SH], s[S_SW]);
        batchNormApply(y, g, b, m, v, res, y, scale, n * s[S_HO] * s[S_WO], s[S_F], s[S_RELU], plan_f32(s[S_EPS]));
        break;
      }
      case PLAN_SHORTCUT:
        shortcutForward(in, y, n, s[S_H], s[S_W], s[S_C], s[S_HO], s[S_WO], s[S_F], s[S_SH], s[S_PT]);
        break;
      case PLAN_MEAN:
        spatialMean(in, out + (long)n0 * plan[PLAN_OUT], acc, n, s[S_H] * s[S_W], s[S_C]);
        break;
      }
    }
  }
#undef AT
}

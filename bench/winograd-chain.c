// Why inference plans (src/kernels/plan.c) run a few images at a time: ResNet-20's first stage —
// six 16-channel 3x3 convolutions with inference batch norm, ReLU and the residuals
// (winograd43ConvBn) — on 1,024 images of 32x32x16, run layer by layer over chunks of 8 to 1,024
// images. One thread, the kernel source as the native addon's AVX-512 object builds it:
//
//   gcc -O3 -std=gnu11 -ffp-contract=off -fno-math-errno -fno-strict-aliasing -mavx512f -mavx512vl \
//     -mavx512dq -mavx512bw -mavx2 -mfma -mprefer-vector-width=512 bench/winograd-chain.c -o /tmp/chain && /tmp/chain
//
// (without the -mavx512 flags: the AVX2 object). Prints ms per 1,024 images for each chunk size,
// three rounds; run it with nothing else on the machine.

#include "../src/kernels/winograd.c"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(void) {
  const int total = 1024, H = 32, C = 16, F = 16;
  f32 *w = aligned_alloc(64, 9 * C * F * 4), *U = aligned_alloc(64, 36 * C * F * 4);
  f32 *V = aligned_alloc(64, 36 * WG4_BLOCK * (C + F) * 4), *M = V + 36 * WG4_BLOCK * C;
  f32 scale[16], shift[16];
  for (int i = 0; i < 9 * C * F; i++) w[i] = ((f32)(i % 17) / 17.f - 0.5f) * 0.3f;
  for (int i = 0; i < F; i++) scale[i] = 1.0f, shift[i] = 0.01f;
  winograd43Filter(w, U, C, F);
  const size_t n = (size_t)total * H * H * C;
  f32 *buf[3];
  for (int b = 0; b < 3; b++) {
    buf[b] = aligned_alloc(64, n * 4);
    for (size_t i = 0; i < n; i++) buf[b][i] = (f32)((i * 2654435761u) % 1000) / 1000.f;
  }
  const int chunks[] = {8, 16, 32, 64, 128, 256, 1024};
  for (int round = 0; round < 3; round++)
    for (int k = 0; k < 7; k++) {
      const int N = chunks[k];
      double t0 = now();
      for (int s = 0; s < total; s += N) {
        const size_t at = (size_t)s * H * H * C;
        f32 *x = buf[0] + at, *a = buf[1] + at, *o = buf[2] + at;
        // Three blocks: a = relu(bn(conv(x))), then relu(bn(conv(a)) + x).
        for (int block = 0; block < 3; block++) {
          winograd43ConvBn(x, U, V, M, a, N, H, H, C, H, H, F, 1, 1, scale, shift, 0, 1);
          winograd43ConvBn(a, U, V, M, o, N, H, H, C, H, H, F, 1, 1, scale, shift, x, 1);
          f32 *t = x;
          x = o;
          o = t;
        }
      }
      printf("round %d, chunks of %4d images: %6.1f ms per %d images\n", round + 1, N, now() - t0, total);
    }
  return 0;
}

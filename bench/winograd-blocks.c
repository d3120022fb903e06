// Winograd F(4x4, 3x3) at one block size (WG4_BLOCK, set by the compiler's -D): the forward
// convolution and the filter gradient at ResNet-20's three stride-1 shapes, one thread, the median
// of `reps` calls each, as JSON lines. Built and run by bench/winograd-blocks.ts, once per block
// size and instruction set.
//
//   ./winograd-blocks N reps
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../src/kernels/winograd.c"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  const int N = argc > 1 ? atoi(argv[1]) : 128, reps = argc > 2 ? atoi(argv[2]) : 9;
  const int shapes[3][2] = {{32, 16}, {16, 32}, {8, 64}}; // H = W, C = F
  double *t = malloc(sizeof(double) * reps);
  for (int s = 0; s < 3; s++) {
    const int H = shapes[s][0], C = shapes[s][1], F = C;
    const size_t n = (size_t)N * H * H * C;
    f32 *x = aligned_alloc(64, n * 4), *y = aligned_alloc(64, n * 4), *w = aligned_alloc(64, 9L * C * F * 4);
    f32 *U = aligned_alloc(64, 36L * C * F * 4), *V = aligned_alloc(64, 36L * WG4_BLOCK * C * 4), *M = aligned_alloc(64, 36L * WG4_BLOCK * F * 4);
    f32 *Macc = aligned_alloc(64, 36L * C * F * 4), *dw = aligned_alloc(64, 9L * C * F * 4);
    for (size_t i = 0; i < n; i++) x[i] = y[i] = (f32)((i * 2654435761u) % 1000) / 1000.f - 0.5f;
    for (int i = 0; i < 9 * C * F; i++) w[i] = (f32)(i % 17) / 17.f - 0.5f;
    winograd43Filter(w, U, C, F);
    for (int kind = 0; kind < 2; kind++) {
      for (int r = 0; r < reps; r++) {
        const double t0 = now_ms();
        if (kind == 0)
          winograd43Conv(x, U, V, M, y, N, H, H, C, H, H, F, 1, 1);
        else
          winograd43FilterGrad(x, y, V, M, Macc, dw, N, H, H, C, H, H, F, 1, 1);
        t[r] = now_ms() - t0;
      }
      qsort(t, reps, sizeof(double), by_value);
      printf("{\"kernel\":\"%s\",\"shape\":\"%dx%dx%d\",\"ms\":%.3f}\n", kind == 0 ? "forward" : "filter gradient", H, H, C, t[reps / 2]);
    }
    free(x), free(y), free(w), free(U), free(V), free(M), free(Macc), free(dw);
  }
  free(t);
  return 0;
}

// How much a second thread adds on this machine, by kind of work: vector fused multiply-adds (the
// convolutions' inner loops: AVX-512 and AVX2, 12 independent chains, enough to fill the FMA
// pipes of one core), a latency-bound integer chain (what a second core, or an idle SMT sibling,
// doubles), and a memory stream. Each test runs the same work on 1 thread, then on N threads at
// once; the throughput ratio is N x time(1) / time(N). Built and run by bench/cpu-scaling.ts.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHAINS 12
static long reps = 100000000L;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

__attribute__((target("avx512f"))) static void *fma512(void *out) {
  __m512 x[CHAINS];
  for (int i = 0; i < CHAINS; i++) x[i] = _mm512_set1_ps(i * 0.001f);
  const __m512 m = _mm512_set1_ps(0.9999f), b = _mm512_set1_ps(0.0001f);
  for (long k = 0; k < reps; k++)
    for (int i = 0; i < CHAINS; i++) x[i] = _mm512_fmadd_ps(x[i], m, b);
  float s = 0;
  for (int i = 0; i < CHAINS; i++) s += _mm512_reduce_add_ps(x[i]);
  *(float *)out = s;
  return NULL;
}

__attribute__((target("avx2,fma"))) static void *fma256(void *out) {
  __m256 x[CHAINS];
  for (int i = 0; i < CHAINS; i++) x[i] = _mm256_set1_ps(i * 0.001f);
  const __m256 m = _mm256_set1_ps(0.9999f), b = _mm256_set1_ps(0.0001f);
  for (long k = 0; k < reps; k++)
    for (int i = 0; i < CHAINS; i++) x[i] = _mm256_fmadd_ps(x[i], m, b);
  float s[8];
  _mm256_storeu_ps(s, x[0]);
  *(float *)out = s[0];
  return NULL;
}

static void *int_chain(void *out) {
  unsigned long x = 1;
  for (long k = 0; k < 10 * reps; k++) x = x * 6364136223846793005UL + 1442695040888963407UL;
  *(float *)out = (float)x;
  return NULL;
}

#define STREAM (16L << 20)
static void *stream(void *out) {
  float *a = malloc(STREAM * sizeof *a);
  memset(a, 0, STREAM * sizeof *a);
  float s = 0;
  for (int r = 0; r < 10; r++)
    for (long i = 0; i < STREAM; i += 16) {
      s += a[i];
      a[i] = s;
    }
  free(a);
  *(float *)out = s;
  return NULL;
}

static void test(const char *name, void *(*f)(void *), int threads) {
  float r[64];
  pthread_t t[64];
  double t0 = now();
  f(r);
  double one = now() - t0;
  t0 = now();
  for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, f, &r[i]);
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  double many = now() - t0;
  printf("%s\t%.3f\t%.3f\t%.2f\n", name, one, many, threads * one / many);
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 2;
  if (argc > 2) reps = atol(argv[2]);
  if (threads < 2 || threads > 64) return 2;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) test("AVX-512 FMA", fma512, threads);
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) test("AVX2 FMA", fma256, threads);
  test("integer multiply chain", int_chain, threads);
  test("memory stream", stream, threads);
  return 0;
}

// Intra-op threads for the native kernels. A JS thread that asks for N threads (the addon's
// setThreads) gets N - 1 helper threads, and its calls go through a kernel table whose heavy
// entries split the call into N parts: part 0 on the calling thread, the others on the helpers,
// each part a call of the instruction set's own kernel on a slice of the batch (images, or blocks
// of rows for batch norm and elementwise passes). Every part's output is its slice of the tensor,
// so the split itself computes nothing differently, except:
//
// - the filter gradients and batch norm's per-channel sums reduce over the batch: each part sums
//   its slice into its own partial sum and the parts are added in part order afterwards, so the
//   result depends on the thread count (not on timing: the same threads, the same bits);
// - the Winograd kernels block tiles across images, so a slice's blocks differ from the whole
//   batch's where a block would straddle the slice boundary (the products per tile are the same
//   sums; only which register tile computes them changes).
//
// A call with fewer images (row blocks) than threads uses fewer parts. Scratch the kernels take
// from the caller serves part 0; the pool keeps one growing buffer per helper for the others
// (native memory: the wasm module's scratch rule is about the module, which has no allocator).
//
// Synchronisation is a mutex and two condition variables: a call wakes the helpers, runs part 0,
// and waits for the others. Both sides spin briefly before sleeping: the next kernel call of a
// training step follows within microseconds, and the parts take about the same time.

#include "threads.h"
#include "../src/kernels/plan.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef void (*PartFn)(void *job, int part);

// Pauses a helper spins on before sleeping (~1 us each here): long enough to catch the next call
// of a step's tight sequence, short enough not to hold an SMT sibling's pipes (the 2 vCPUs here can
// be two threads of one core) while the caller runs kernels that are not split.
#ifndef SPIN
#define SPIN 2000
#endif

struct Threads {
  int count;
  pthread_t helpers[BLINDSPOTS_MAX_THREADS];
  int started;
  pthread_mutex_t mu;
  pthread_cond_t go, done;
  atomic_ulong generation;
  PartFn fn;
  void *job;
  int parts;
  atomic_int pending;
  int quit;
  f32 *scratch[BLINDSPOTS_MAX_THREADS];
  size_t scratch_floats[BLINDSPOTS_MAX_THREADS];
};

typedef struct Helper {
  Threads *t;
  int part;
  // The generation when the helper was started, read by the starting thread: a helper that reads
  // it itself could start after the first call's increment and wait for the call after.
  unsigned long seen;
} Helper;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static void *helper_main(void *arg) {
  Helper h = *(Helper *)arg;
  free(arg);
  Threads *t = h.t;
  unsigned long seen = h.seen;
  for (;;) {
    // Spin a little: kernel calls of a step come back to back.
    for (int i = 0; i < SPIN; i++) {
      if (atomic_load_explicit(&t->generation, memory_order_acquire) != seen) break;
      cpu_relax();
    }
    pthread_mutex_lock(&t->mu);
    while (atomic_load(&t->generation) == seen && !t->quit) pthread_cond_wait(&t->go, &t->mu);
    if (t->quit) {
      pthread_mutex_unlock(&t->mu);
      return NULL;
    }
    seen = atomic_load(&t->generation);
    PartFn fn = t->fn;
    void *job = t->job;
    int parts = t->parts;
    pthread_mutex_unlock(&t->mu);
    if (h.part < parts) fn(job, h.part);
    if (atomic_fetch_sub_explicit(&t->pending, 1, memory_order_acq_rel) == 1) {
      pthread_mutex_lock(&t->mu);
      pthread_cond_signal(&t->done);
      pthread_mutex_unlock(&t->mu);
    }
  }
}

Threads *threads_new(void) {
  Threads *t = calloc(1, sizeof *t);
  if (t == NULL) return NULL;
  t->count = 1;
  pthread_mutex_init(&t->mu, NULL);
  pthread_cond_init(&t->go, NULL);
  pthread_cond_init(&t->done, NULL);
  return t;
}

void threads_free(Threads *t) {
  if (t == NULL) return;
  pthread_mutex_lock(&t->mu);
  t->quit = 1;
  pthread_cond_broadcast(&t->go);
  pthread_mutex_unlock(&t->mu);
  for (int i = 0; i < t->started; i++) pthread_join(t->helpers[i], NULL);
  for (int i = 0; i < BLINDSPOTS_MAX_THREADS; i++) free(t->scratch[i]);
  pthread_mutex_destroy(&t->mu);
  pthread_cond_destroy(&t->go);
  pthread_cond_destroy(&t->done);
  free(t);
}

int threads_resize(Threads *t, int count) {
  if (count < 1 || count > BLINDSPOTS_MAX_THREADS) return 0;
  // Helpers once started stay (asleep when unused): a model switches its count around every step.
  while (t->started < count - 1) {
    Helper *h = malloc(sizeof *h);
    if (h == NULL) return 0;
    h->t = t;
    h->part = t->started + 1;
    h->seen = atomic_load(&t->generation);
    if (pthread_create(&t->helpers[t->started], NULL, helper_main, h) != 0) {
      free(h);
      return 0;
    }
    t->started++;
  }
  t->count = count;
  return 1;
}

int threads_count(const Threads *t) { return t->count; }

// Runs fn(job, p) for p < parts (parts <= the pool's count), part 0 here.
static void run(Threads *t, int parts, PartFn fn, void *job) {
  if (parts <= 1) {
    if (parts == 1) fn(job, 0);
    return;
  }
  pthread_mutex_lock(&t->mu);
  t->fn = fn;
  t->job = job;
  t->parts = parts;
  // Every started helper wakes and answers; those past `parts` have nothing to do.
  atomic_store(&t->pending, t->started);
  atomic_fetch_add_explicit(&t->generation, 1, memory_order_release);
  pthread_cond_broadcast(&t->go);
  pthread_mutex_unlock(&t->mu);
  fn(job, 0);
  // The parts are about equal: the others are usually done or nearly so.
  for (int i = 0; i < 20000 && atomic_load_explicit(&t->pending, memory_order_acquire) != 0; i++) cpu_relax();
  while (atomic_load_explicit(&t->pending, memory_order_acquire) != 0) {
    pthread_mutex_lock(&t->mu);
    if (atomic_load(&t->pending) != 0) pthread_cond_wait(&t->done, &t->mu);
    pthread_mutex_unlock(&t->mu);
  }
}

// Scratch of `floats` for every helper part below `parts` (64-byte aligned); 0 when memory ran out.
static int reserve(Threads *t, int parts, size_t floats) {
  for (int p = 1; p < parts; p++) {
    if (t->scratch_floats[p] >= floats) continue;
    free(t->scratch[p]);
    size_t bytes = (floats * sizeof(f32) + 63) & ~(size_t)63;
    t->scratch[p] = aligned_alloc(64, bytes);
    t->scratch_floats[p] = t->scratch[p] == NULL ? 0 : floats;
    if (t->scratch[p] == NULL) return 0;
  }
  return 1;
}

// The calling JS thread's pool and instruction-set table (a call is synchronous on its thread).
static __thread Threads *pool;
static __thread const KernelTable *base;

void threads_enter(Threads *t, const KernelTable *table) {
  pool = t;
  base = table;
}

// Part p's slice [*b, *e) of n items.
static void slice(int n, int parts, int p, int *b, int *e) {
  *b = (int)((long)n * p / parts);
  *e = (int)((long)n * (p + 1) / parts);
}

// At least one part: a call over no images still runs (the filter gradients zero their output).
static int parts_for(int n) { return n < 1 ? 1 : n < pool->count ? n : pool->count; }

// dst += each helper part's partial sum, in part order.
static void add_parts(f32 *dst, int parts, long n) {
  for (int p = 1; p < parts; p++) {
    const f32 *s = pool->scratch[p];
    for (long i = 0; i < n; i++) dst[i] += s[i];
  }
}

// ---------------------------------------------------------------------------------------------
// The forward and input-gradient convolutions: every part writes its images' outputs.

typedef struct {
  const KernelTable *k;
  Threads *t;
  int parts;
  const f32 *x, *U;
  f32 *V, *M, *y;
  int N, H, W, C, Ho, Wo, F, pt, pl;
  // winograd43ConvBn's epilogue (scale null: plain winograd43Conv).
  const f32 *scale, *shift, *res;
  int relu;
} Wg43ConvJob;

static void wg43_conv_part(void *arg, int p) {
  Wg43ConvJob *j = arg;
  int b, e;
  slice(j->N, j->parts, p, &b, &e);
  if (b == e) return;
  f32 *V = j->V, *M = j->M;
  if (p > 0) {
    V = j->t->scratch[p];
    M = V + 36L * WG4_BLOCK * j->C;
  }
  const long yo = (long)b * j->Ho * j->Wo * j->F;
  if (j->scale)
    j->k->winograd43ConvBn(j->x + (long)b * j->H * j->W * j->C, j->U, V, M, j->y + yo, e - b, j->H, j->W, j->C, j->Ho, j->Wo, j->F, j->pt,
                           j->pl, j->scale, j->shift, j->res ? j->res + yo : NULL, j->relu);
  else
    j->k->winograd43Conv(j->x + (long)b * j->H * j->W * j->C, j->U, V, M, j->y + yo, e - b, j->H, j->W, j->C, j->Ho, j->Wo, j->F, j->pt,
                         j->pl);
}

static void par_winograd43ConvBn(const f32 *x, const f32 *U, f32 *V, f32 *M, f32 *y, int N, int H, int W, int C, int Ho, int Wo, int F,
                                 int pt, int pl, const f32 *scale, const f32 *shift, const f32 *res, int relu) {
  int parts = parts_for(N);
  if (!reserve(pool, parts, 36L * WG4_BLOCK * (C + F))) parts = 1;
  Wg43ConvJob j = {base, pool, parts, x, U, V, M, y, N, H, W, C, Ho, Wo, F, pt, pl, scale, shift, res, relu};
  run(pool, parts, wg43_conv_part, &j);
}

// Without an epilogue (scale NULL): each part runs the plain kernel.
static void par_winograd43Conv(const f32 *x, const f32 *U, f32 *V, f32 *M, f32 *y, int N, int H, int W, int C, int Ho, int Wo, int F,
                               int pt, int pl) {
  par_winograd43ConvBn(x, U, V, M, y, N, H, W, C, Ho, Wo, F, pt, pl, NULL, NULL, NULL, 0);
}

typedef struct {
  const KernelTable *k;
  int parts;
  const f32 *xp, *w, *wp;
  f32 *y;
  int N, Hp, Wp, C, Ho, Wo, F, KH, KW, sh, sw;
} ValidJob;

static void valid_part(void *arg, int p) {
  ValidJob *j = arg;
  int b, e;
  slice(j->N, j->parts, p, &b, &e);
  if (b == e) return;
  j->k->conv2dValid(j->xp + (long)b * j->Hp * j->Wp * j->C, j->w, j->wp, j->y + (long)b * j->Ho * j->Wo * j->F, e - b, j->Hp, j->Wp, j->C,
                    j->Ho, j->Wo, j->F, j->KH, j->KW, j->sh, j->sw);
}

static void par_conv2dValid(const f32 *xp, const f32 *w, const f32 *wp, f32 *y, int N, int Hp, int Wp, int C, int Ho, int Wo, int F, int KH,
                            int KW, int sh, int sw) {
  ValidJob j = {base, parts_for(N), xp, w, wp, y, N, Hp, Wp, C, Ho, Wo, F, KH, KW, sh, sw};
  run(pool, j.parts, valid_part, &j);
}

typedef struct {
  const KernelTable *k;
  int parts;
  const f32 *x;
  f32 *xp;
  int N, H, W, C, Hp, Wp, pt, pl;
} PadJob;

static void pad_part(void *arg, int p) {
  PadJob *j = arg;
  int b, e;
  slice(j->N, j->parts, p, &b, &e);
  if (b == e) return;
  j->k->padImages(j->x + (long)b * j->H * j->W * j->C, j->xp + (long)b * j->Hp * j->Wp * j->C, e - b, j->H, j->W, j->C, j->Hp, j->Wp, j->pt,
                  j->pl);
}

static void par_padImages(const f32 *x, f32 *xp, int N, int H, int W, int C, int Hp, int Wp, int pt, int pl) {
  PadJob j = {base, parts_for(N), x, xp, N, H, W, C, Hp, Wp, pt, pl};
  run(pool, j.parts, pad_part, &j);
}

// ResNet's option-A shortcut and its gradient, by images.
typedef struct {
  const KernelTable *k;
  int parts, backward;
  const f32 *src;
  f32 *dst;
  int N, H, W, C, Ho, Wo, Cout, s, lo;
} ShortcutJob;

static void shortcut_part(void *arg, int p) {
  ShortcutJob *j = arg;
  int b, e;
  slice(j->N, j->parts, p, &b, &e);
  const long in = (long)j->H * j->W * j->C, out = (long)j->Ho * j->Wo * j->Cout;
  if (j->backward)
    j->k->shortcutBackward(j->src + b * out, j->dst + b * in, e - b, j->H, j->W, j->C, j->Ho, j->Wo, j->Cout, j->s, j->lo);
  else
    j->k->shortcutForward(j->src + b * in, j->dst + b * out, e - b, j->H, j->W, j->C, j->Ho, j->Wo, j->Cout, j->s, j->lo);
}

static void par_shortcutForward(const f32 *in, f32 *out, int N, int H, int W, int C, int Ho, int Wo, int Cout, int s, int lo) {
  ShortcutJob j = {base, parts_for(N), 0, in, out, N, H, W, C, Ho, Wo, Cout, s, lo};
  run(pool, j.parts, shortcut_part, &j);
}

static void par_shortcutBackward(const f32 *dout, f32 *din, int N, int H, int W, int C, int Ho, int Wo, int Cout, int s, int lo) {
  ShortcutJob j = {base, parts_for(N), 1, dout, din, N, H, W, C, Ho, Wo, Cout, s, lo};
  run(pool, j.parts, shortcut_part, &j);
}

// A network's inference (plan.c's runPlan), by images: each part runs the plan on its slice in
// its own workspace (the caller's for part 0), so the parts share nothing but the weights.
typedef struct {
  const KernelTable *k;
  Threads *t;
  int parts;
  const int *plan;
  const f32 *x;
  f32 *out, *work;
  int N;
} PlanJob;

static void plan_part(void *arg, int p) {
  PlanJob *j = arg;
  int b, e;
  slice(j->N, j->parts, p, &b, &e);
  if (b == e) return;
  j->k->runPlan(j->plan, j->x + (long)b * j->plan[PLAN_IN], j->out + (long)b * j->plan[PLAN_OUT], p == 0 ? j->work : j->t->scratch[p], e - b);
}

static void par_runPlan(const int *plan, const f32 *x, f32 *out, f32 *work, int N) {
  int parts = parts_for(N);
  if (!reserve(pool, parts, (size_t)plan[PLAN_WORK])) parts = 1;
  PlanJob j = {base, pool, parts, plan, x, out, work, N};
  run(pool, parts, plan_part, &j);
}

// The Winograd filter transform, by input channels (every part writes its channels' values).
typedef struct {
  const KernelTable *k;
  int parts;
  const f32 *w;
  f32 *U;
  int C, F;
} WgFilterJob;

static void wg_filter_part(void *arg, int p) {
  WgFilterJob *j = arg;
  int b, e;
  slice(j->C, j->parts, p, &b, &e);
  j->k->winograd43FilterRange(j->w, j->U, j->C, j->F, b, e);
}

static void par_winograd43Filter(const f32 *w, f32 *U, int C, int F) {
  // A 16 x 16 filter takes ~3 us: less than waking a helper.
  WgFilterJob j = {base, (long)C * F < 2048 ? 1 : parts_for(C), w, U, C, F};
  run(pool, j.parts, wg_filter_part, &j);
}

typedef struct {
  const KernelTable *k;
  Threads *t;
  int parts;
  const f32 *dy, *w;
  f32 *dx, *wt;
  int N, H, W, C, Ho, Wo, F, KH, KW, sh, sw, pt, pl;
} InputGradJob;

static void input_grad_part(void *arg, int p) {
  InputGradJob *j = arg;
  int b, e;
  slice(j->N, j->parts, p, &b, &e);
  if (b == e) return;
  j->k->conv2dBackpropInput(j->dy + (long)b * j->Ho * j->Wo * j->F, j->w, j->dx + (long)b * j->H * j->W * j->C, p == 0 ? j->wt : j->t->scratch[p],
                            e - b, j->H, j->W, j->C, j->Ho, j->Wo, j->F, j->KH, j->KW, j->sh, j->sw, j->pt, j->pl);
}

static void par_conv2dBackpropInput(const f32 *dy, const f32 *w, f32 *dx, f32 *wt, int N, int H, int W, int C, int Ho, int Wo, int F, int KH,
                                    int KW, int sh, int sw, int pt, int pl) {
  int parts = parts_for(N);
  if (!reserve(pool, parts, (size_t)KH * KW * C * F)) parts = 1;
  InputGradJob j = {base, pool, parts, dy, w, dx, wt, N, H, W, C, Ho, Wo, F, KH, KW, sh, sw, pt, pl};
  run(pool, parts, input_grad_part, &j);
}

// ---------------------------------------------------------------------------------------------
// The filter gradients: every part sums its images into its own gradient; the parts are added in
// order at the end.

typedef struct {
  const KernelTable *k;
  Threads *t;
  int parts;
  const f32 *x, *dy;
  f32 *V, *D, *Macc, *dw;
  int N, H, W, C, Ho, Wo, F, pt, pl;
} Wg43GradJob;

static void wg43_grad_part(void *arg, int p) {
  Wg43GradJob *j = arg;
  int b, e;
  slice(j->N, j->parts, p, &b, &e);
  f32 *V = j->V, *D = j->D, *Macc = j->Macc, *dw = j->dw;
  if (p > 0) {
    dw = j->t->scratch[p];
    V = dw + 9L * j->C * j->F;
    D = V + 36L * WG4_BLOCK * j->C;
    Macc = D + 36L * WG4_BLOCK * j->F;
  }
  j->k->winograd43FilterGrad(j->x + (long)b * j->H * j->W * j->C, j->dy + (long)b * j->Ho * j->Wo * j->F, V, D, Macc, dw, e - b, j->H, j->W,
                             j->C, j->Ho, j->Wo, j->F, j->pt, j->pl);
}

static void par_winograd43FilterGrad(const f32 *x, const f32 *dy, f32 *V, f32 *D, f32 *Macc, f32 *dw, int N, int H, int W, int C, int Ho,
                                     int Wo, int F, int pt, int pl) {
  int parts = parts_for(N);
  if (!reserve(pool, parts, 9L * C * F + 36L * WG4_BLOCK * (C + F) + 36L * C * F)) parts = 1;
  Wg43GradJob j = {base, pool, parts, x, dy, V, D, Macc, dw, N, H, W, C, Ho, Wo, F, pt, pl};
  run(pool, parts, wg43_grad_part, &j);
  add_parts(dw, parts, 9L * C * F);
}

typedef struct {
  const KernelTable *k;
  Threads *t;
  int parts;
  const f32 *x, *dy;
  f32 *dw;
  int N, H, W, C, Ho, Wo, F, KH, KW, sh, sw, pt, pl;
} FilterGradJob;

static void filter_grad_part(void *arg, int p) {
  FilterGradJob *j = arg;
  int b, e;
  slice(j->N, j->parts, p, &b, &e);
  j->k->conv2dBackpropFilter(j->x + (long)b * j->H * j->W * j->C, j->dy + (long)b * j->Ho * j->Wo * j->F, p == 0 ? j->dw : j->t->scratch[p],
                             e - b, j->H, j->W, j->C, j->Ho, j->Wo, j->F, j->KH, j->KW, j->sh, j->sw, j->pt, j->pl);
}

static void par_conv2dBackpropFilter(const f32 *x, const f32 *dy, f32 *dw, int N, int H, int W, int C, int Ho, int Wo, int F, int KH, int KW,
                                     int sh, int sw, int pt, int pl) {
  int parts = parts_for(N);
  if (!reserve(pool, parts, (size_t)KH * KW * C * F)) parts = 1;
  FilterGradJob j = {base, pool, parts, x, dy, dw, N, H, W, C, Ho, Wo, F, KH, KW, sh, sw, pt, pl};
  run(pool, parts, filter_grad_part, &j);
  add_parts(dw, parts, (long)KH * KW * C * F);
}

// ---------------------------------------------------------------------------------------------
// Batch norm: the statistics' passes sum slices of whole BN_BLOCK row blocks into per-part f64
// sums, added in part order (the f32 block sums are the one-thread kernel's; only the f64 order of
// adding the blocks changes); the elementwise passes write their rows.

// Part p's rows [*b, *e) of M, at block boundaries.
static void row_slice(int M, int parts, int p, int *b, int *e) {
  int blocks = (M + BN_BLOCK - 1) / BN_BLOCK;
  slice(blocks, parts, p, b, e);
  *b *= BN_BLOCK;
  *e = *e * BN_BLOCK < M ? *e * BN_BLOCK : M;
}

static int row_parts(int M) { return parts_for((M + BN_BLOCK - 1) / BN_BLOCK); }

typedef struct {
  const KernelTable *k;
  Threads *t;
  int parts, phase;
  const f32 *x, *gamma, *beta, *res, *shift;
  f32 *y, *mean, *var;
  double *acc;
  f32 *blk;
  int M, C, relu;
  f32 eps;
} BnJob;

// Part p's f64 sums (2C) and f32 scratch (3C): the caller's for part 0.
static double *part_acc(Threads *t, double *acc, int p) { return p == 0 ? acc : (double *)t->scratch[p]; }
static f32 *part_blk(Threads *t, f32 *blk, int C, int p) { return p == 0 ? blk : t->scratch[p] + 4L * C; }
static const int BN_SCRATCH = 7; // floats per channel of a helper: 2C doubles, 3C floats

static void bn_forward_part(void *arg, int p) {
  BnJob *j = arg;
  int b, e;
  row_slice(j->M, j->parts, p, &b, &e);
  const long o = (long)b * j->C;
  double *acc = part_acc(j->t, j->acc, p);
  f32 *blk = part_blk(j->t, j->blk, j->C, p);
  if (j->phase == 0) {
    for (int c = 0; c < 2 * j->C; c++) acc[c] = 0.0;
    j->k->batchNormSums(j->x + o, j->shift, acc, blk, e - b, j->C);
    return;
  }
  j->k->batchNormApply(j->x + o, j->gamma, j->beta, j->mean, j->var, j->res ? j->res + o : NULL, j->y + o, blk, e - b, j->C, j->relu, j->eps);
}

static void add_sums(Threads *t, double *acc, int parts, int n) {
  for (int p = 1; p < parts; p++) {
    const double *s = (const double *)t->scratch[p];
    for (int i = 0; i < n; i++) acc[i] += s[i];
  }
}

static void par_batchNormForward(const f32 *x, const f32 *gamma, const f32 *beta, const f32 *res, f32 *y, f32 *mean, f32 *var, double *acc,
                                 f32 *blk, int M, int C, int relu, f32 eps) {
  int parts = row_parts(M);
  if (parts < 2 || !reserve(pool, parts, (size_t)BN_SCRATCH * C)) {
    base->batchNormForward(x, gamma, beta, res, y, mean, var, acc, blk, M, C, relu, eps);
    return;
  }
  // The shift in the caller's blk past the 2C floats its part sums into.
  f32 *shift = blk + 2 * C;
  base->batchNormShift(x, shift, M, C);
  BnJob j = {base, pool, parts, 0, x, gamma, beta, res, shift, y, mean, var, acc, blk, M, C, relu, eps};
  run(pool, parts, bn_forward_part, &j);
  add_sums(pool, acc, parts, 2 * C);
  base->batchNormMoments(shift, acc, mean, var, M, C);
  j.phase = 1;
  run(pool, parts, bn_forward_part, &j);
}

static void par_batchNormApply(const f32 *x, const f32 *gamma, const f32 *beta, const f32 *mean, const f32 *var, const f32 *res, f32 *y,
                               f32 *blk, int M, int C, int relu, f32 eps) {
  int parts = row_parts(M);
  if (parts < 2 || !reserve(pool, parts, (size_t)BN_SCRATCH * C)) {
    base->batchNormApply(x, gamma, beta, mean, var, res, y, blk, M, C, relu, eps);
    return;
  }
  BnJob j = {base, pool, parts, 1, x, gamma, beta, res, NULL, y, (f32 *)mean, (f32 *)var, NULL, blk, M, C, relu, eps};
  run(pool, parts, bn_forward_part, &j);
}

typedef struct {
  const KernelTable *k;
  Threads *t;
  int parts, phase;
  const f32 *dy, *x, *y, *mean, *kab;
  f32 *dx, *dz;
  double *acc;
  f32 *blk;
  int M, C, relu;
} BnGradJob;

static void bn_grad_part(void *arg, int p) {
  BnGradJob *j = arg;
  int b, e;
  row_slice(j->M, j->parts, p, &b, &e);
  const long o = (long)b * j->C;
  if (j->phase == 0) {
    double *acc = part_acc(j->t, j->acc, p);
    for (int c = 0; c < 2 * j->C; c++) acc[c] = 0.0;
    j->k->batchNormGradSums(j->dy + o, j->x + o, j->y + o, j->mean, j->dz ? j->dz + o : NULL, acc, part_blk(j->t, j->blk, j->C, p), e - b, j->C,
                            j->relu);
    return;
  }
  // dz holds g already (batchNormBackward's reason).
  if (j->dz)
    j->k->batchNormGradApply(j->dz + o, j->x + o, NULL, j->kab, j->dx + o, e - b, j->C, 0);
  else
    j->k->batchNormGradApply(j->dy + o, j->x + o, j->y + o, j->kab, j->dx + o, e - b, j->C, j->relu);
}

static void par_batchNormBackward(const f32 *dy, const f32 *x, const f32 *y, const f32 *gamma, const f32 *mean, const f32 *var, f32 *dx,
                                  f32 *dgamma, f32 *dbeta, f32 *dz, double *acc, f32 *blk, int M, int C, int relu, f32 eps) {
  int parts = row_parts(M);
  if (parts < 2 || !reserve(pool, parts, (size_t)BN_SCRATCH * C)) {
    base->batchNormBackward(dy, x, y, gamma, mean, var, dx, dgamma, dbeta, dz, acc, blk, M, C, relu, eps);
    return;
  }
  BnGradJob j = {base, pool, parts, 0, dy, x, y, mean, blk, dx, dz, acc, blk, M, C, relu};
  run(pool, parts, bn_grad_part, &j);
  add_sums(pool, acc, parts, 2 * C);
  base->batchNormGradCoefficients(gamma, mean, var, acc, blk, dgamma, M, C, eps);
  j.phase = 1;
  run(pool, parts, bn_grad_part, &j);
  for (int c = 0; c < C; c++) dbeta[c] = (f32)acc[c];
}

// ---------------------------------------------------------------------------------------------
// Elementwise: slices of 16 values.

typedef struct {
  const KernelTable *k;
  int parts;
  const f32 *a, *b;
  f32 *out;
  int n;
  f32 alpha, beta;
} AxpbyJob;

static void axpby_part(void *arg, int p) {
  AxpbyJob *j = arg;
  int b, e;
  slice((j->n + 15) / 16, j->parts, p, &b, &e);
  b *= 16;
  e = e * 16 < j->n ? e * 16 : j->n;
  if (b < e) j->k->axpby(j->a + b, j->b + b, j->out + b, e - b, j->alpha, j->beta);
}

static void par_axpby(const f32 *a, const f32 *b, f32 *out, int n, f32 alpha, f32 beta) {
  // Below ~64K values the wake-up costs more than the pass.
  AxpbyJob j = {base, n < (1 << 16) ? 1 : pool->count, a, b, out, n, alpha, beta};
  run(pool, j.parts, axpby_part, &j);
}

// ---------------------------------------------------------------------------------------------
// The char-CNN's kernels: 1-D Winograd by rows (its filter gradient with partial sums), the
// one-hot convolution and the max-pool gradient by texts, bias + ReLU by rows.

typedef struct {
  const KernelTable *k;
  Threads *t;
  int parts;
  const f32 *x, *dy, *U, *BT, *AT, *G;
  f32 *V, *M, *Macc, *out;
  int R, W, C, Wo, F, pl, m, a, r;
} Wg1Job;

static void wg1_conv_part(void *arg, int p) {
  Wg1Job *j = arg;
  int b, e;
  slice(j->R, j->parts, p, &b, &e);
  if (b == e) return;
  f32 *V = j->V, *M = j->M;
  if (p > 0) {
    V = j->t->scratch[p];
    M = V + (long)j->a * WG1_BLOCK * j->C;
  }
  j->k->winograd1dConv(j->x + (long)b * j->W * j->C, j->U, j->BT, j->AT, V, M, j->out + (long)b * j->Wo * j->F, e - b, j->W, j->C, j->Wo, j->F,
                       j->pl, j->m, j->a);
}

static void par_winograd1dConv(const f32 *x, const f32 *U, const f32 *BT, const f32 *AT, f32 *V, f32 *M, f32 *y, int R, int W, int C, int Wo,
                               int F, int pl, int m, int a) {
  int parts = parts_for(R);
  if (!reserve(pool, parts, (size_t)a * WG1_BLOCK * (C + F))) parts = 1;
  Wg1Job j = {base, pool, parts, x, NULL, U, BT, AT, NULL, V, M, NULL, y, R, W, C, Wo, F, pl, m, a, 0};
  run(pool, parts, wg1_conv_part, &j);
}

static void wg1_grad_part(void *arg, int p) {
  Wg1Job *j = arg;
  int b, e;
  slice(j->R, j->parts, p, &b, &e);
  f32 *V = j->V, *D = j->M, *Macc = j->Macc, *dw = j->out;
  if (p > 0) {
    dw = j->t->scratch[p];
    V = dw + (long)j->r * j->C * j->F;
    D = V + (long)j->a * WG1_BLOCK * j->C;
    Macc = D + (long)j->a * WG1_BLOCK * j->F;
  }
  j->k->winograd1dFilterGrad(j->x + (long)b * j->W * j->C, j->dy + (long)b * j->Wo * j->F, j->BT, j->AT, j->G, V, D, Macc, dw, e - b, j->W,
                             j->C, j->Wo, j->F, j->pl, j->m, j->r);
}

static void par_winograd1dFilterGrad(const f32 *x, const f32 *dy, const f32 *BT, const f32 *AT, const f32 *G, f32 *V, f32 *D, f32 *Macc, f32 *dw,
                                     int R, int W, int C, int Wo, int F, int pl, int m, int r) {
  const int a = m + r - 1;
  int parts = parts_for(R);
  if (!reserve(pool, parts, (size_t)r * C * F + (size_t)a * WG1_BLOCK * (C + F) + (size_t)a * C * F)) parts = 1;
  Wg1Job j = {base, pool, parts, x, dy, NULL, BT, AT, G, V, D, Macc, dw, R, W, C, Wo, F, pl, m, a, r};
  run(pool, parts, wg1_grad_part, &j);
  add_parts(dw, parts, (long)r * C * F);
}

typedef struct {
  const KernelTable *k;
  Threads *t;
  int parts;
  const int *codes;
  const f32 *w, *dy;
  f32 *out;
  int N, L, A, KW, F;
} OneHotJob;

static void one_hot_part(void *arg, int p) {
  OneHotJob *j = arg;
  int b, e;
  slice(j->N, j->parts, p, &b, &e);
  const int Lo = j->L - j->KW + 1;
  if (j->dy == NULL) {
    if (b < e) j->k->oneHotConv(j->codes + (long)b * j->L, j->w, j->out + (long)b * Lo * j->F, e - b, j->L, j->A, j->KW, j->F);
    return;
  }
  j->k->oneHotConvFilterGrad(j->codes + (long)b * j->L, j->dy + (long)b * Lo * j->F, p == 0 ? j->out : j->t->scratch[p], e - b, j->L, j->A, j->KW,
                             j->F);
}

static void par_oneHotConv(const int *codes, const f32 *w, f32 *y, int N, int L, int A, int KW, int F) {
  OneHotJob j = {base, pool, parts_for(N), codes, w, NULL, y, N, L, A, KW, F};
  run(pool, j.parts, one_hot_part, &j);
}

static void par_oneHotConvFilterGrad(const int *codes, const f32 *dy, f32 *dw, int N, int L, int A, int KW, int F) {
  int parts = parts_for(N);
  if (!reserve(pool, parts, (size_t)KW * A * F)) parts = 1;
  OneHotJob j = {base, pool, parts, codes, NULL, dy, dw, N, L, A, KW, F};
  run(pool, parts, one_hot_part, &j);
  add_parts(dw, parts, (long)KW * A * F);
}

typedef struct {
  const KernelTable *k;
  int parts;
  const f32 *dy, *x;
  f32 *dx;
  int N, H, W, C, Ho, Wo, KH, KW, sh, sw, pt, pl;
} PoolGradJob;

static void pool_grad_part(void *arg, int p) {
  PoolGradJob *j = arg;
  int b, e;
  slice(j->N, j->parts, p, &b, &e);
  if (b == e) return;
  const long in = (long)j->H * j->W * j->C, out = (long)j->Ho * j->Wo * j->C;
  j->k->maxPoolGrad(j->dy + b * out, j->x + b * in, j->dx + b * in, e - b, j->H, j->W, j->C, j->Ho, j->Wo, j->KH, j->KW, j->sh, j->sw, j->pt, j->pl);
}

static void par_maxPoolGrad(const f32 *dy, const f32 *x, f32 *dx, int N, int H, int W, int C, int Ho, int Wo, int KH, int KW, int sh, int sw, int pt,
                            int pl) {
  PoolGradJob j = {base, parts_for(N), dy, x, dx, N, H, W, C, Ho, Wo, KH, KW, sh, sw, pt, pl};
  run(pool, j.parts, pool_grad_part, &j);
}

typedef struct {
  const KernelTable *k;
  int parts;
  const f32 *x, *bias;
  f32 *y;
  int M, C;
} BiasReluJob;

static void bias_relu_part(void *arg, int p) {
  BiasReluJob *j = arg;
  int b, e;
  slice(j->M, j->parts, p, &b, &e);
  if (b < e) j->k->biasRelu(j->x + (long)b * j->C, j->bias, j->y + (long)b * j->C, e - b, j->C);
}

static void par_biasRelu(const f32 *x, const f32 *bias, f32 *y, int M, int C) {
  BiasReluJob j = {base, parts_for((int)((long)M * C >> 14)), x, bias, y, M, C};
  run(pool, j.parts, bias_relu_part, &j);
}

// ---------------------------------------------------------------------------------------------
// Matrix products: every part a slice of the output's rows (in whole 8-row tiles), packing B into
// scratch of its own; each output is computed as on one thread, so the same bits.

typedef struct {
  const KernelTable *k;
  Threads *t;
  int parts;
  const f32 *a, *b;
  f32 *bp, *out;
  int M, K, N, sam, sak, sbk, sbn;
} MatMulJob;

static void matmul_part(void *arg, int p) {
  MatMulJob *j = arg;
  const int tiles = (j->M + 7) / 8;
  int b, e;
  slice(tiles, j->parts, p, &b, &e);
  b *= 8;
  e = e * 8 < j->M ? e * 8 : j->M;
  if (b >= e) return;
  j->k->matMul(j->a + (long)b * j->sam, j->b, p > 0 ? j->t->scratch[p] : j->bp, j->out + (long)b * j->N, e - b, j->K, j->N, j->sam, j->sak,
               j->sbk, j->sbn);
}

static void par_matMul(const f32 *a, const f32 *b, f32 *bp, f32 *out, int M, int K, int N, int sam, int sak, int sbk, int sbn) {
  // Products under ~4M multiply-adds (the char-CNN's last layer, its gradients) stay on one thread.
  int parts = (long)M * K * N < (1L << 22) ? 1 : parts_for((M + 7) / 8);
  if (parts > 1 && !reserve(pool, parts, (size_t)(K < MM_KC ? K : MM_KC) * N)) parts = 1;
  MatMulJob j = {base, pool, parts, a, b, bp, out, M, K, N, sam, sak, sbk, sbn};
  run(pool, parts, matmul_part, &j);
}

void threads_table(KernelTable *out) {
  out->winograd1dConv = par_winograd1dConv;
  out->winograd1dFilterGrad = par_winograd1dFilterGrad;
  out->oneHotConv = par_oneHotConv;
  out->oneHotConvFilterGrad = par_oneHotConvFilterGrad;
  out->maxPoolGrad = par_maxPoolGrad;
  out->biasRelu = par_biasRelu;
  out->matMul = par_matMul;
  out->batchNormForward = par_batchNormForward;
  out->batchNormApply = par_batchNormApply;
  out->batchNormBackward = par_batchNormBackward;
  out->axpby = par_axpby;
  out->winograd43Conv = par_winograd43Conv;
  out->winograd43ConvBn = par_winograd43ConvBn;
  out->conv2dValid = par_conv2dValid;
  out->padImages = par_padImages;
  out->winograd43Filter = par_winograd43Filter;
  out->shortcutForward = par_shortcutForward;
  out->runPlan = par_runPlan;
  out->shortcutBackward = par_shortcutBackward;
  out->conv2dBackpropInput = par_conv2dBackpropInput;
  out->winograd43FilterGrad = par_winograd43FilterGrad;
  out->conv2dBackpropFilter = par_conv2dBackpropFilter;
}

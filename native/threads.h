// Intra-op threads for the native kernels (threads.c): a pool of helper threads per JS thread and
// a kernel table whose heavy entries split one call over the pool, so that a training step on one
// JS thread uses several cores with batch norm still over the whole batch.

#ifndef BLINDSPOTS_THREADS_H
#define BLINDSPOTS_THREADS_H

#include "../src/kernels/kernels.h"
#include "bindings.h"

// Threads one call may use, the caller's included.
#define BLINDSPOTS_MAX_THREADS 64

typedef struct Threads Threads;

// A pool of one thread (the caller): no helpers until threads_resize.
Threads *threads_new(void);
// Stops and joins the helpers, frees the pool.
void threads_free(Threads *t);
// Uses `count` threads from now on (helpers started or stopped); 0 when they cannot be started
// (the pool then has one thread).
int threads_resize(Threads *t, int count);
int threads_count(const Threads *t);

// Points the splittable kernels of `out` (a copy of an instruction set's table) at their
// threaded versions, which run on the pool and table that threads_enter set on the calling thread.
void threads_table(KernelTable *out);
void threads_enter(Threads *t, const KernelTable *base);

#endif

// The native kernels addon: the project's C kernels (src/kernels/*.c) built once per instruction
// set (native/isa.c: baseline x86-64, AVX2 + FMA, AVX-512), the best the CPU runs chosen at load,
// and every kernel exported as a Node-API function that runs on memory the caller owns:
//
//   kernel(memory: ArrayBuffer, ...the C parameters as numbers)
//
// where pointers are byte offsets into `memory` (0: NULL). The glue passes the tfjs wasm backend's
// `memory.buffer` (re-read on every call: a growth of the memory replaces it) and the same offsets
// it gives the wasm module, so tensors are read and written in place, no copy. The argument
// marshalling of each kernel is generated from the C prototypes into native/bindings.h.
//
// Context-aware (NAPI_MODULE_INIT): it loads in worker threads, and each thread's instance keeps
// its own choice of instruction set (instance data).
//
// Exports besides the kernels: `isas` (the instruction sets this CPU runs, best first), `isa()`
// (the one in use), `selectIsa(name)` (use another of `isas`, for tests and benchmarks), and
// `setThreads(n)` / `threads()`: the intra-op threads of this JS thread's kernel calls (threads.c).

#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/kernels/kernels.h"
#include "bindings.h"
#include "threads.h"

extern const KernelTable blindspots_kernels_baseline;
#if defined(BLINDSPOTS_X86)
extern const KernelTable blindspots_kernels_avx2;
extern const KernelTable blindspots_kernels_avx512;
#endif

typedef struct Isa {
  const char *name;
  const KernelTable *table;
} Isa;

// Best first; the CPU check in supported().
static const Isa ISAS[] = {
#if defined(BLINDSPOTS_X86)
    {"avx512", &blindspots_kernels_avx512},
    {"avx2", &blindspots_kernels_avx2},
#endif
    {"baseline", &blindspots_kernels_baseline},
};
#define ISA_COUNT ((int)(sizeof ISAS / sizeof ISAS[0]))

static int supported(const Isa *isa) {
#if defined(BLINDSPOTS_X86)
  __builtin_cpu_init();
  if (strcmp(isa->name, "avx512") == 0)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (strcmp(isa->name, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return strcmp(isa->name, "baseline") == 0;
}

// One JS thread's state: the instruction set in use, its intra-op threads (threads.c) and the
// table whose heavy kernels split over them.
typedef struct Instance {
  const Isa *isa;
  Threads *threads;
  KernelTable split;
} Instance;

static void use_isa(Instance *instance, const Isa *isa) {
  instance->isa = isa;
  instance->split = *isa->table;
  threads_table(&instance->split);
}

static void finalize_instance(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Instance *instance = data;
  threads_free(instance->threads);
  free(instance);
}

// The arguments of one call, read by the generated wrappers.
typedef struct Call {
  napi_env env;
  napi_value argv[24];
  uint8_t *base;
  size_t length;
  const KernelTable *table;
  int ok;
} Call;

static void fail(Call *c, const char *what, const char *name) {
  if (!c->ok) return;
  c->ok = 0;
  char message[160];
  snprintf(message, sizeof message, "blindspots native kernel: %s%s%s", what, name == NULL ? "" : " ", name == NULL ? "" : name);
  napi_throw_type_error(c->env, NULL, message);
}

static int call_begin(napi_env env, napi_callback_info info, Call *c, int params) {
  size_t argc = 24;
  c->env = env;
  c->ok = 1;
  c->base = NULL;
  c->length = 0;
  Instance *instance = NULL;
  if (napi_get_cb_info(env, info, &argc, c->argv, NULL, NULL) != napi_ok || napi_get_instance_data(env, (void **)&instance) != napi_ok ||
      instance == NULL) {
    fail(c, "cannot read the call", NULL);
    return 0;
  }
  c->table = instance->isa->table;
  if (threads_count(instance->threads) > 1) {
    threads_enter(instance->threads, c->table);
    c->table = &instance->split;
  }
  if ((int)argc != params + 1) {
    fail(c, "wrong argument count", NULL);
    return 0;
  }
  void *data = NULL;
  bool is_buffer = false;
  if (napi_is_arraybuffer(env, c->argv[0], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_arraybuffer_info(env, c->argv[0], &data, &c->length) != napi_ok) {
    fail(c, "the first argument must be the memory's ArrayBuffer", NULL);
    return 0;
  }
  c->base = (uint8_t *)data;
  return 1;
}

// A byte offset into the memory as a pointer (0: NULL). An offset past the memory's end, or not
// a multiple of 4 (every tensor and scratch pointer is), is refused rather than followed.
static void *arg_pointer(Call *c, int at, const char *name) {
  double v = 0;
  if (!c->ok) return NULL;
  if (napi_get_value_double(c->env, c->argv[at], &v) != napi_ok || !(v >= 0) || v != (double)(uint64_t)v) {
    fail(c, "pointer argument is not a byte offset:", name);
    return NULL;
  }
  uint64_t offset = (uint64_t)v;
  if (offset == 0) return NULL;
  if (offset >= c->length || offset % 4 != 0) {
    fail(c, "pointer argument outside the memory or misaligned:", name);
    return NULL;
  }
  return c->base + offset;
}

static int arg_int(Call *c, int at, const char *name) {
  int32_t v = 0;
  if (c->ok && napi_get_value_int32(c->env, c->argv[at], &v) != napi_ok) fail(c, "integer argument is not a number:", name);
  return v;
}

static f32 arg_f32(Call *c, int at, const char *name) {
  double v = 0;
  if (c->ok && napi_get_value_double(c->env, c->argv[at], &v) != napi_ok) fail(c, "float argument is not a number:", name);
  return (f32)v;
}

// The generated wrappers: read the arguments, call the calling thread's table.
#define BLINDSPOTS_WRAPPERS
#include "bindings.h"

static napi_value string(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value current_isa(napi_env env, napi_callback_info info) {
  (void)info;
  Instance *instance = NULL;
  napi_get_instance_data(env, (void **)&instance);
  return string(env, instance == NULL ? "none" : instance->isa->name);
}

static napi_value select_isa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[32] = {0};
  size_t len = 0;
  Instance *instance = NULL;
  napi_value result;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_instance_data(env, (void **)&instance);
  int found = 0;
  if (argc == 1 && instance != NULL && napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) == napi_ok) {
    for (int i = 0; i < ISA_COUNT; i++)
      if (strcmp(ISAS[i].name, name) == 0 && supported(&ISAS[i])) {
        use_isa(instance, &ISAS[i]);
        found = 1;
      }
  }
  napi_get_boolean(env, found, &result);
  return result;
}

// setThreads(n): the threads this JS thread's kernel calls use from now on (1: the calling thread
// only); true when they started.
static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double n = 0;
  Instance *instance = NULL;
  napi_value result;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_instance_data(env, (void **)&instance);
  // A whole number in [1, BLINDSPOTS_MAX_THREADS] (napi_get_value_int32 would truncate 1.5 to 1).
  int ok = argc == 1 && instance != NULL && napi_get_value_double(env, argv[0], &n) == napi_ok && n >= 1 &&
           n <= BLINDSPOTS_MAX_THREADS && n == (double)(int)n && threads_resize(instance->threads, (int)n);
  napi_get_boolean(env, ok, &result);
  return result;
}

static napi_value current_threads(napi_env env, napi_callback_info info) {
  (void)info;
  Instance *instance = NULL;
  napi_value result;
  napi_get_instance_data(env, (void **)&instance);
  napi_create_int32(env, instance == NULL ? 1 : threads_count(instance->threads), &result);
  return result;
}

NAPI_MODULE_INIT() {
  Instance *instance = malloc(sizeof *instance);
  if (instance == NULL) return NULL;
  instance->threads = threads_new();
  if (instance->threads == NULL) {
    free(instance);
    return NULL;
  }
  const Isa *best = &ISAS[ISA_COUNT - 1];
  for (int i = ISA_COUNT - 1; i >= 0; i--)
    if (supported(&ISAS[i])) best = &ISAS[i];
  use_isa(instance, best);
  if (napi_set_instance_data(env, instance, finalize_instance, NULL) != napi_ok) {
    threads_free(instance->threads);
    free(instance);
    return NULL;
  }
  static const struct {
    const char *name;
    napi_callback fn;
  } kernels[] = KERNEL_WRAPPERS;
  for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
    napi_value fn;
    if (napi_create_function(env, kernels[i].name, NAPI_AUTO_LENGTH, kernels[i].fn, NULL, &fn) != napi_ok ||
        napi_set_named_property(env, exports, kernels[i].name, fn) != napi_ok)
      return NULL;
  }
  napi_value isas, fn;
  napi_create_array(env, &isas);
  uint32_t n = 0;
  for (int i = 0; i < ISA_COUNT; i++)
    if (supported(&ISAS[i])) napi_set_element(env, isas, n++, string(env, ISAS[i].name));
  napi_set_named_property(env, exports, "isas", isas);
  napi_create_function(env, "isa", NAPI_AUTO_LENGTH, current_isa, NULL, &fn);
  napi_set_named_property(env, exports, "isa", fn);
  napi_create_function(env, "selectIsa", NAPI_AUTO_LENGTH, select_isa, NULL, &fn);
  napi_set_named_property(env, exports, "selectIsa", fn);
  napi_create_function(env, "setThreads", NAPI_AUTO_LENGTH, set_threads, NULL, &fn);
  napi_set_named_property(env, exports, "setThreads", fn);
  napi_create_function(env, "threads", NAPI_AUTO_LENGTH, current_threads, NULL, &fn);
  napi_set_named_property(env, exports, "threads", fn);
  return exports;
}

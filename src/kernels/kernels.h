// What every kernel file shares: the types, the EXPORT marker, the 4-lane vector operations and a
// few helpers. The same sources build twice:
//
// - wasm (scripts/build-wasm.ts: clang --target=wasm32 -msimd128 -> convWasm.ts): the operations are
//   wasm_simd128.h intrinsics, EXPORT names a module export, and the module imports the backend's
//   memory, so the kernels read and write tensors where tfjs keeps them.
// - native (native/binding.gyp: gcc, one object per instruction set -> the Node-API addon): the
//   operations are GCC vector extensions (SSE, AVX, AVX-512 encodings by the object's -m flags;
//   madd is a fused multiply-add where the object has FMA), EXPORT makes the function static in
//   that object, and native/isa.c lists them in a table the addon dispatches to.
//
// Layouts are tfjs's: images NHWC, filters [kh, kw, in, out]. Pointers are to f32 (int for letter
// codes and row indices, double for the per-channel accumulators); sizes are int; scratch memory
// always comes from the caller: a kernel must not use memory of its own (no stack arrays that do
// not fit in registers, no data), which scripts/build-wasm.ts checks on the wasm build.
//
// scripts/build-wasm.ts reads every `EXPORT(name)` and the prototype after it to generate the
// TypeScript bindings (src/kernels/bindings.ts) and the addon's argument marshalling
// (native/bindings.h): keep one exported function per EXPORT, prototype on the lines after it.

#ifndef BLINDSPOTS_KERNELS_H
#define BLINDSPOTS_KERNELS_H

typedef float f32;

#if defined(__wasm__)

#include <wasm_simd128.h>

typedef v128_t v4;
#define EXPORT(name) __attribute__((export_name(#name)))
// Small fixed loops fully unrolled, so that their arrays live in locals: the module may not use a stack.
#define UNROLL _Pragma("clang loop unroll(full)")
// Per-channel loops that convert between f32 and f64 stay scalar: vectorised, clang emits
// f64x2.promote_low_f32x4 / f32x4.demote_f64x2_zero, which V8 11 (Node 20) miscompiles once the
// function tiers up to TurboFan (lanes 4-5 of a 6-channel flush came out as zero after ~400 calls).
#define SCALAR _Pragma("clang loop vectorize(disable) interleave(disable)")

static inline v4 ld(const f32 *p) { return wasm_v128_load(p); }
static inline void st(f32 *p, v4 v) { wasm_v128_store(p, v); }
static inline v4 splat(const f32 *p) { return wasm_v128_load32_splat(p); }
static inline v4 vsplat(f32 s) { return wasm_f32x4_splat(s); }
static inline v4 vadd(v4 a, v4 b) { return wasm_f32x4_add(a, b); }
static inline v4 vsub(v4 a, v4 b) { return wasm_f32x4_sub(a, b); }
static inline v4 vmulv(v4 a, v4 b) { return wasm_f32x4_mul(a, b); }
static inline v4 vdivv(v4 a, v4 b) { return wasm_f32x4_div(a, b); }
static inline v4 vneg(v4 a) { return wasm_f32x4_neg(a); }
// acc + a * b, rounded twice (wasm has no fused multiply-add outside relaxed SIMD).
static inline v4 madd(v4 acc, v4 a, v4 b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }
static inline v4 relu4(v4 v) { return wasm_f32x4_max(v, wasm_f32x4_splat(0.f)); }
// Lane masks (all ones where true) and bitwise operations on them.
static inline v4 vgt(v4 a, v4 b) { return wasm_f32x4_gt(a, b); }
static inline v4 veq(v4 a, v4 b) { return wasm_f32x4_eq(a, b); }
static inline v4 vand(v4 a, v4 b) { return wasm_v128_and(a, b); }
// a & ~b
static inline v4 vandnot(v4 a, v4 b) { return wasm_v128_andnot(a, b); }
// a where mask, else b
static inline v4 vbitselect(v4 a, v4 b, v4 mask) { return wasm_v128_bitselect(a, b, mask); }

// Lanes of the widest vector (the 4 of v4: the wide paths below are native only).
#define VW 4

#else // native

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

typedef float v4 __attribute__((vector_size(16)));
typedef int vi4 __attribute__((vector_size(16)));
#define EXPORT(name) static
#define UNROLL _Pragma("GCC unroll 36")
#define SCALAR

static inline v4 ld(const f32 *p) {
  v4 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
static inline void st(f32 *p, v4 v) { __builtin_memcpy(p, &v, sizeof v); }
static inline v4 vsplat(f32 s) { return (v4){s, s, s, s}; }
static inline v4 splat(const f32 *p) { return vsplat(*p); }
static inline v4 vadd(v4 a, v4 b) { return a + b; }
static inline v4 vsub(v4 a, v4 b) { return a - b; }
static inline v4 vmulv(v4 a, v4 b) { return a * b; }
static inline v4 vdivv(v4 a, v4 b) { return a / b; }
static inline v4 vneg(v4 a) { return -a; }
// acc + a * b: fused (one rounding) where the object is built with FMA. The build passes
// -ffp-contract=off, so nothing else is fused behind the source's back (sgdMomentum stays
// bit-identical to the composed tfjs ops).
static inline v4 madd(v4 acc, v4 a, v4 b) {
#if defined(__FMA__)
  return _mm_fmadd_ps(a, b, acc);
#else
  return acc + a * b;
#endif
}
static inline v4 vgt(v4 a, v4 b) { return (v4)(a > b); }
static inline v4 veq(v4 a, v4 b) { return (v4)(a == b); }
static inline v4 vand(v4 a, v4 b) { return (v4)((vi4)a & (vi4)b); }
static inline v4 vandnot(v4 a, v4 b) { return (v4)((vi4)a & ~(vi4)b); }
static inline v4 vbitselect(v4 a, v4 b, v4 mask) { return (v4)(((vi4)a & (vi4)mask) | ((vi4)b & ~(vi4)mask)); }
// max(v, 0) as wasm's f32x4.max computes it: NaN stays NaN, -0 becomes +0.
static inline v4 relu4(v4 v) { return (v4)((vi4)v & ((v > (v4){0}) | (v != v))); }

// The widest vector of the object's instruction set, `vw` of VW lanes, for the register tiles of
// the products that dominate training (winograd.c): AVX-512 16 lanes, AVX2 8, with fused
// multiply-add. The 4-lane code above stays the fallback for shapes the wide tiles do not cover.
#if defined(__AVX512F__)
#define VW 16
typedef __m512 vw;
static inline vw vwmadd(vw acc, vw a, vw b) { return _mm512_fmadd_ps(a, b, acc); }
#elif defined(__AVX2__) && defined(__FMA__)
#define VW 8
typedef __m256 vw;
static inline vw vwmadd(vw acc, vw a, vw b) { return _mm256_fmadd_ps(a, b, acc); }
#else
#define VW 4
#endif

#if VW > 4
static inline vw vwld(const f32 *p) {
  vw v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
static inline void vwst(f32 *p, vw v) { __builtin_memcpy(p, &v, sizeof v); }
// A broadcast load (`(vw){0} + *p` made GCC add 0 in a scalar register before broadcasting).
static inline vw vwsplat(const f32 *p) {
#if VW == 16
  return _mm512_set1_ps(*p);
#else
  return _mm256_set1_ps(*p);
#endif
}
static inline vw vwzero(void) { return (vw){0}; }
// relu4 at the full width: NaN stays NaN, -0 becomes +0.
typedef int vwi __attribute__((vector_size(VW * 4)));
static inline vw vwrelu(vw v) { return (vw)((vwi)v & ((v > vwzero()) | (v != v))); }

// 8 lanes (AVX2 + FMA, also in the AVX-512 object) for loops where 16-lane vectors measured slower
// or did not fit the tile: AVX-512 on this project's AMD EPYC runs a 16-lane FMA as two 8-lane
// halves, so 8 lanes lose no arithmetic, and its 16-lane loads and stores of batch norm's streams
// measured slower (batchnorm.c).
typedef __m256 v8;
static inline v8 v8ld(const f32 *p) {
  v8 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
static inline void v8st(f32 *p, v8 v) { __builtin_memcpy(p, &v, sizeof v); }
static inline v8 v8zero(void) { return _mm256_setzero_ps(); }
static inline v8 v8splat(const f32 *p) { return _mm256_set1_ps(*p); }
static inline v8 v8madd(v8 acc, v8 a, v8 b) { return _mm256_fmadd_ps(a, b, acc); }
#endif

#endif

// The panel width of a packed filter of F output channels (Winograd's transformed filters): 32
// filters with AVX-512 (two registers a row of the register tile), 16 with AVX2, where F allows;
// else 16 or 8. A packed filter is only ever read by the build that packed it.
#define PANEL(F) ((VW == 16 && (F) % 32 == 0) ? 32 : (VW > 4 && (F) % 16 == 0) ? 16 : 8)

// The index of (transformed point xi, channel c, filter f) in a filter packed in panels:
// [xi][F / pw][C][pw], pw = PANEL(F). Needs F % 8 == 0.
static inline long panel_index(int xi, int c, int f, int C, int F) {
  const int pw = PANEL(F);
  return (long)xi * C * F + (long)(f - f % pw) * C + (long)c * pw + f % pw;
}

static inline v4 vmul(v4 a, f32 s) { return vmulv(a, vsplat(s)); }

static inline void zero(f32 *p, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) st(p + i, vsplat(0.f));
  for (; i < n; i++) p[i] = 0.f;
}

// Per-channel sums (batch norm's statistics, a bias gradient) accumulate in f32 over blocks of
// BN_BLOCK rows, then in f64 across blocks, so the statistics of 131,072 rows keep float32 accuracy.
#define BN_BLOCK 64

// Tiles per block of winograd.c's F(4x4, 3x3) kernels: their scratch V and M (or D) is sized for
// this many (the glue and the addon's threaded calls allocate it). A multiple of the products'
// 8-tile register tile, and not a power of two: at 32 the 36 planes of V and M lay 2, 4 or 8 KB
// apart (16, 32, 64 channels), on the same L1 sets, and the transforms that walk across them
// thrashed. 24 against 32 in a C harness of ResNet-20's shapes on this project's AMD EPYC, one
// thread (2026-12-07): the forward 7-15% faster (AVX-512; 16-28% AVX2), the filter gradient
// 12-26% (22-47% AVX2). (Overridable for such harnesses.)
#ifndef WG4_BLOCK
#define WG4_BLOCK 24
#endif
// Tiles per block of the 1-D Winograd kernels (winograd1dConv, winograd1dFilterGrad).
#define WG1_BLOCK 32
// Rows of K per packed chunk of B in matmul.c's matMul: its scratch bp holds MM_KC * N floats.
#define MM_KC 256

// acc[c] += the f32 block sums in blk, which are reset to zero.
static inline void flush(double *acc, f32 *blk, int n) {
  SCALAR
  for (int c = 0; c < n; c++) {
    acc[c] += (double)blk[c];
    blk[c] = 0.f;
  }
}

#endif

// One instruction-set build of the kernels: every kernel source (src/kernels/*.c, the ones the wasm
// module is built from) compiled into this object with its -m flags, its kernels static, and listed
// in a table named KERNEL_TABLE_NAME that native/addon.c dispatches to. binding.gyp compiles this
// file once per instruction set (baseline, AVX2 + FMA, AVX-512).

#include "../src/kernels/kernels.h"
#define BLINDSPOTS_INCLUDE_KERNELS
#include "bindings.h"

#ifndef KERNEL_TABLE_NAME
#error "KERNEL_TABLE_NAME is not defined (binding.gyp defines it per instruction set)"
#endif

const KernelTable KERNEL_TABLE_NAME = KERNEL_TABLE_INIT;

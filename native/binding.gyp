{
  # The native kernels addon (see addon.c): the kernel sources of src/kernels/ compiled once per
  # instruction set (isa.c), and the Node-API module that picks one at load. Built by
  # `npm run build:native` (scripts/build-native.ts), which runs node-gyp here against the local
  # Node headers and copies the result to prebuilds/<platform>-<arch>/node.napi.<libc>.node.
  # Not at the package root on purpose: npm runs `node-gyp rebuild` at install for a package whose
  # root has a binding.gyp, and installing the package must never need a compiler.
  'target_defaults': {
    'cflags_c': ['-std=gnu11', '-O3', '-fPIC', '-ffp-contract=off', '-fno-math-errno', '-fno-strict-aliasing', '-Wall', '-Wno-unused-function'],
    'cflags!': ['-fno-omit-frame-pointer'],
  },
  'targets': [
    {
      'target_name': 'kernels_baseline',
      'type': 'static_library',
      'sources': ['isa.c'],
      'defines': ['KERNEL_TABLE_NAME=blindspots_kernels_baseline'],
    },
    {
      'target_name': 'blindspots',
      'sources': ['addon.c', 'threads.c'],
      'ldflags': ['-pthread'],
      'dependencies': ['kernels_baseline'],
      'defines': ['NAPI_VERSION=8'],
      'conditions': [
        ['target_arch=="x64"', {
          'defines': ['BLINDSPOTS_X86'],
          'dependencies': ['kernels_avx2', 'kernels_avx512'],
        }],
      ],
    },
  ],
  'conditions': [
    ['target_arch=="x64"', {
      'targets': [
        {
          'target_name': 'kernels_avx2',
          'type': 'static_library',
          'sources': ['isa.c'],
          'defines': ['KERNEL_TABLE_NAME=blindspots_kernels_avx2'],
          'cflags_c': ['-mavx2', '-mfma'],
        },
        {
          'target_name': 'kernels_avx512',
          'type': 'static_library',
          'sources': ['isa.c'],
          'defines': ['KERNEL_TABLE_NAME=blindspots_kernels_avx512'],
          'cflags_c': ['-mavx512f', '-mavx512vl', '-mavx512dq', '-mavx512bw', '-mavx2', '-mfma', '-mprefer-vector-width=512'],
        },
      ],
    }],
  ],
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clangAvailable, compileConv, renderConv } from '../../scripts/build-wasm.js';

// The kernels' numbers are checked against the cpu backend in test/kernels/parity.test.ts; this
// checks that the committed module is what src/kernels/*.c compile to. It needs Debian's clang and
// lld, which .ci/run installs; without them it says so and skips.
const hasClang = clangAvailable();
if (!hasClang) console.warn('clang/wasm-ld not installed: skipping the convWasm.ts freshness check (apt-get install clang lld)');

describe('C kernels wasm build', () => {
  it.skipIf(!hasClang)('src/kernels/convWasm.ts is the compilation of src/kernels/*.c, with no memory of its own', async () => {
    expect(readFileSync('src/kernels/convWasm.ts', 'utf8')).toBe(renderConv(await compileConv()));
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WG1_BLOCK, WG4_BLOCK, WG_BLOCK } from '../../src/kernels/tfjs/conv.js';
import { MM_KC } from '../../src/kernels/tfjs/matmul.js';

// The glue allocates the Winograd kernels' scratch for their blocks of tiles, and matMul's for its
// chunks of K: a size in the glue below the C kernels' would let them write past it.
const define = (file: string, name: string): number => {
  const m = new RegExp(`#define ${name} (\\d+)`).exec(readFileSync(`src/kernels/${file}`, 'utf8'));
  if (m === null) throw new Error(`no #define ${name} in src/kernels/${file}`);
  return Number(m[1]);
};

describe('the kernels’ block sizes', () => {
  it('are the same in the glue (conv.ts) and the C sources', () => {
    expect(WG4_BLOCK).toBe(define('kernels.h', 'WG4_BLOCK'));
    expect(WG1_BLOCK).toBe(define('kernels.h', 'WG1_BLOCK'));
    expect(WG_BLOCK).toBe(define('winograd.c', 'WG_BLOCK'));
    expect(MM_KC).toBe(define('kernels.h', 'MM_KC'));
  });
});

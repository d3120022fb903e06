import { describe, expect, it } from 'vitest';
import { createRandom, deriveSeed, permutation, randomInt, randomNormal, shuffler } from '../src/random.js';

describe('seeded randomness', () => {
  it('same seed, same stream; different seed, different stream', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const sa = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(sa);
    expect(Array.from({ length: 5 }, c)).not.toEqual(sa);
    expect(sa.every((v) => v >= 0 && v < 1)).toBe(true);
  });
  it('derived seeds give independent streams', () => {
    expect(createRandom(deriveSeed(1, 'a'))()).not.toBe(createRandom(deriveSeed(1, 'b'))());
  });
  it('randomInt covers [0, n) uniformly', () => {
    const r = createRandom('int');
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[randomInt(r, 6)]!++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
  });
  it('randomNormal has mean 0 and variance 1', () => {
    const r = createRandom('normal');
    let s = 0;
    let s2 = 0;
    const n = 50000;
    for (let i = 0; i < n; i++) {
      const z = randomNormal(r);
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
  });
  it('shuffler and permutation give a seeded permutation', () => {
    const p = permutation(100, 7);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(permutation(100, 7))).toEqual(Array.from(p));
    expect(Array.from(permutation(100, 8))).not.toEqual(Array.from(p));
    expect(shuffler(createRandom(1))([1, 2, 3, 4, 5], 1, 3)[0]).toBe(1);
  });
});

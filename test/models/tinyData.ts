/**
 * Tiny data sets and a weights probe shared by the ConvNet tests of both tiers
 * (convnet.test.ts and dataParallel.integration.test.ts), so both train on the very same inputs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createRandom } from '../../src/random.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fresh temporary folder, removed after the file's tests. */
export function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'blindspots-convnet-'));
  dirs.push(d);
  return d;
}

/** A model's saved weights, bytes to compare bit for bit. */
export async function weights(m: { save(dir: string): Promise<unknown> }): Promise<Buffer> {
  const d = scratch();
  await m.save(d);
  return readFileSync(join(d, 'weights.bin'));
}

/** `n` noisy 8x8 RGB images whose label (0 or 1) sits in one pixel. */
export function tinyImages(n = 32): { x: { data: Float32Array; shape: readonly [number, number, number, number] }; y: Int32Array } {
  const random = createRandom('tiny');
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const data = Float32Array.from({ length: n * 8 * 8 * 3 }, () => random());
  for (let i = 0; i < n; i++) data[i * 192 + 100] = y[i] as number;
  return { x: { data, shape: [n, 8, 8, 3] }, y };
}

/** 48 texts of random words; label 1 when the text ends with "winner". */
export function wordTexts(): { texts: string[]; y: Int32Array } {
  const random = createRandom('texts');
  const words = ['alpha', 'bravo', 'delta', 'gamma', 'omega', 'sigma'];
  const texts: string[] = [];
  const y = new Int32Array(48);
  for (let i = 0; i < 48; i++) {
    y[i] = i % 2;
    const body = Array.from({ length: 12 }, () => words[Math.floor(random() * words.length)]).join(' ');
    texts.push(y[i] === 1 ? `${body} winner` : body);
  }
  return { texts, y };
}

/**
 * Times each image encoder on the benchmark batch (run by bench/encoders.ts in a child process so
 * the parent can vary the environment). Prints one JSON line: { signal: { array: ms[], tensor: ms[] } }.
 *
 *   node --expose-gc --import tsx bench/encoders-worker.ts <uint8 file> <n> <reps>
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { getImageEncoder, imageEncoderNames } from '../src/encoders/index.js';

const [file, nArg, repsArg] = process.argv.slice(2);
const n = Number(nArg);
const reps = Number(repsArg);
const bytes = readFileSync(file as string);
const data = new Float32Array(bytes.length);
for (let i = 0; i < bytes.length; i++) data[i] = (bytes[i] as number) / 255;
const shape = [n, 32, 32, 3] as const;
const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
const options = { numClasses: 10, seed: 0 };
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const result: Record<string, { array: number[]; tensor: number[] }> = {};
const tensor = tf.tensor4d(data, [...shape]);
for (const name of imageEncoderNames) {
  const entry = getImageEncoder(name);
  const times = { array: [] as number[], tensor: [] as number[] };
  for (let r = 0; r < reps; r++) {
    gc();
    let t = performance.now();
    // Dropped at once, so the GC below can take the output before the next run.
    entry.inject({ data, shape }, labels, options);
    times.array.push(performance.now() - t);
    gc();
    t = performance.now();
    const enc = entry.inject(tensor, labels, options);
    times.tensor.push(performance.now() - t);
    enc.dispose();
  }
  result[name] = times;
}
tensor.dispose();
console.log(JSON.stringify(result));

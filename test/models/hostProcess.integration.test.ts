import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe("the library leaves its host process's behaviour alone", () => {
  it("after a ConvNet has run on wasm, an unhandled rejection in the host is still the host's to handle", () => {
    // A child process: the default for an unhandled rejection (Node 20) is to crash, so the script
    // installs its own handler, trains, then rejects a promise nobody awaits.
    const script = `
      import { ResNet } from './src/models/index.js';
      const seen = [];
      process.on('unhandledRejection', (reason) => seen.push(String(reason)));
      const before = ['uncaughtException', 'unhandledRejection'].map((e) => process.listeners(e).length);
      const x = { data: new Float32Array(8 * 4 * 4 * 1).map((_, i) => (i % 7) / 7), shape: [8, 4, 4, 1] };
      const net = await new ResNet({ depth: 8, width: 2, epochs: 1, batchSize: 4 }).fit(x, [0, 1, 0, 1, 0, 1, 0, 1]);
      net.dispose();
      const after = ['uncaughtException', 'unhandledRejection'].map((e) => process.listeners(e).length);
      Promise.reject(new Error('the host program\\'s own'));
      setTimeout(() => console.log(JSON.stringify({ before, after, seen })), 50);
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').pop() as string) as { before: number[]; after: number[]; seen: string[] };
    expect(result.after).toEqual(result.before);
    expect(result.seen).toEqual(["Error: the host program's own"]);
  }, 60_000);
});

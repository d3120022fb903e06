/** What the benches say about the machine they ran on. */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The CPU model and the SIMD flags that decide PyTorch's kernels (from /proc/cpuinfo where there is one). */
export function cpuDescription(): string {
  let flags: string[] = [];
  try {
    const line = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    flags = ['avx2', 'fma', 'avx512f'].filter((f) => line.split(/\s+/).includes(f));
  } catch {
    // no /proc/cpuinfo (not Linux): the model name only
  }
  return `${String(cpus().length)} cores, ${cpus()[0]?.model ?? '?'}, SIMD: ${flags.length > 0 ? flags.join(' ') : 'no avx2/avx512f'}`;
}

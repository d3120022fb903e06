/**
 * Why fresh output arrays are slow here: times copying 600 MB into a freshly allocated
 * Float32Array (every 4 KiB page faulted in on first write) against copying into one already
 * touched, in this process. Run it with and without GLIBC_TUNABLES=glibc.malloc.hugetlb=1:
 *
 *   npx tsx bench/page-faults.ts
 *   GLIBC_TUNABLES=glibc.malloc.hugetlb=1 npx tsx bench/page-faults.ts
 */
const n = 50000 * 3072;
const src = new Float32Array(n).fill(0.5);
const touched = new Float32Array(n);
touched.set(src);
const times = { fresh: [] as number[], touched: [] as number[] };
for (let r = 0; r < 5; r++) {
  let t = performance.now();
  const fresh = new Float32Array(n);
  fresh.set(src);
  times.fresh.push(performance.now() - t);
  t = performance.now();
  touched.set(src);
  times.touched.push(performance.now() - t);
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[2] as number;
const pages = (n * 4) / 4096;
console.log(`GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES ?? '(unset)'}`);
console.log(
  `copy 600 MB into a fresh array:   ${median(times.fresh).toFixed(0)} ms (${((1000 * median(times.fresh)) / pages).toFixed(2)} us per 4 KiB page)`,
);
console.log(`copy 600 MB into a touched array: ${median(times.touched).toFixed(0)} ms`);

// Runs one convolution kernel of conv.c (src/kernels/convWasm.ts) `reps` times on a ResNet layer, in
// plain Node (no TypeScript loader, whose transpile cache would make start-up costs differ between
// runs), for bench/callgrind-kernels.sh to count instructions.
//
//   node bench/callgrind-harness.mjs KERNEL H C F N REPS
//   KERNEL: direct | wg23 | wg43 | dwdirect | dw43; a layer H x H x C -> F, batch N, 'same' padding.
import { readFileSync } from 'node:fs';
const src = readFileSync(process.env.CONVWASM ?? new URL('../src/kernels/convWasm.ts', import.meta.url), 'utf8');
const b64 = /'([A-Za-z0-9+/=]+)'/.exec(src)[1];
const [kernel, H, C, F, N, reps] = process.argv.slice(2).map((v, i) => (i === 0 ? v : Number(v)));
const W = H;
const memory = new WebAssembly.Memory({ initial: 4096 });
const k = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(b64, 'base64')), { env: { memory } }).exports;
let top = 1024;
const alloc = (n) => {
  const p = top;
  top += Math.ceil((n * 4) / 64) * 64;
  return p;
};
const x = alloc(N * H * W * C),
  w = alloc(9 * C * F),
  dy = alloc(N * H * W * F),
  xp = alloc(N * (H + 2) * (W + 2) * C);
const wp = alloc(9 * C * F),
  y = alloc(N * H * W * F),
  U = alloc(36 * C * F),
  V = alloc(36 * 32 * Math.max(C, F)),
  M = alloc(36 * 32 * Math.max(C, F));
const D = alloc(36 * 32 * F),
  Macc = alloc(36 * C * F),
  dw = alloc(9 * C * F);
const f32 = new Float32Array(memory.buffer);
for (let i = 256; i < top / 4; i++) f32[i] = ((i * 7919) % 1000) / 500 - 1;
const run = {
  direct: () => {
    k.padImages(x, xp, N, H, W, C, H + 2, W + 2, 1, 1);
    k.packFilter8(w, wp, 9 * C, F);
    k.conv2dValid(xp, w, wp, y, N, H + 2, W + 2, C, H, W, F, 3, 3);
  },
  wg23: () => {
    k.winogradFilter(w, U, C, F);
    k.winogradConv(x, U, V, V + 16 * 32 * C * 4, y, N, H, W, C, H, W, F, 1, 1);
  },
  wg43: () => {
    k.winograd43Filter(w, U, C, F);
    k.winograd43Conv(x, U, V, M, y, N, H, W, C, H, W, F, 1, 1);
  },
  dwdirect: () => k.conv2dBackpropFilter(x, dy, dw, N, H, W, C, H, W, F, 3, 3, 1, 1, 1, 1),
  dw43: () => k.winograd43FilterGrad(x, dy, V, D, Macc, dw, N, H, W, C, H, W, F, 1, 1),
  none: () => {},
}[kernel];
for (let r = 0; r < reps; r++) run();

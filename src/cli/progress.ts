import type { FitProgress } from '../models/model.js';

let lastProgress = 0;
/**
 * A one-line progress bar on stderr with samples/s and ETA, redrawn at most 4 times a second;
 * `undefined` clears it. Only on a terminal: a log file gets the per-cell lines alone.
 */
export function progressLine(label: string | undefined, p?: FitProgress): void {
  if (!process.stderr.isTTY) return;
  if (label === undefined || p === undefined) {
    process.stderr.write('\r\x1b[K');
    return;
  }
  const now = performance.now();
  if (now - lastProgress < 250 && p.fraction < 1) return;
  lastProgress = now;
  const width = 24;
  const filled = Math.round(p.fraction * width);
  const rate = p.samplesPerSecond === undefined ? '' : ` ${p.samplesPerSecond.toFixed(0)} samples/s`;
  const eta = p.etaSeconds === undefined ? '' : ` ETA ${p.etaSeconds.toFixed(0)} s`;
  process.stderr.write(
    `\r\x1b[K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * p.fraction).toFixed(0)}%${rate}${eta}`,
  );
}

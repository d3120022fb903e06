/**
 * NPY files as NumPy reads them (the integration tier: runs Debian's /usr/bin/python3 with numpy,
 * and skips without it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportNpy, readNpy } from '../../src/data/index.js';
import { injectOrthogonalNoise, recoverability } from '../../src/encoders/index.js';
import { gridImages } from '../conformance/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'numpy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const freshDir = (): string => mkdtempSync(join(root, 'out-'));

describe('exportNpy', () => {
  it('numpy.load reads the exported files with the same values (skips without numpy)', (ctx) => {
    const probe = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.warn('skipping the numpy round-trip: /usr/bin/python3 with numpy is not available (apt-get install python3-numpy)');
      ctx.skip();
      return;
    }
    const dir = freshDir();
    const x = gridImages(5, 8, 8, 3);
    const y = [0, 1, 2, 3, 4];
    const encoded = injectOrthogonalNoise(x, y);
    exportNpy(dir, encoded, y);
    const script = `import numpy as np, json, sys
x = np.load(sys.argv[1] + '/images.npy'); y = np.load(sys.argv[1] + '/labels.npy')
print(json.dumps({'shape': list(x.shape), 'dtype': str(x.dtype), 'ydtype': str(y.dtype), 'y': y.tolist(), 'sum': float(x.astype(np.float64).sum()), 'first': float(x[0, 0, 0, 0])}))`;
    const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8' })) as Record<string, unknown>;
    let sum = 0;
    for (const v of encoded.data) sum += v;
    expect(out).toMatchObject({ shape: [5, 8, 8, 3], dtype: 'float32', ydtype: 'int32', y, first: encoded.data[0] });
    expect(out.sum as number).toBeCloseTo(sum, 6);
    // The signal survives the trip: decode what numpy would train on.
    const back = readNpy(join(dir, 'images.npy'));
    expect(recoverability('orthogonalNoise', { data: back.data as Float32Array, shape: [5, 8, 8, 3] }, y).accuracy).toBe(1);
  });
});

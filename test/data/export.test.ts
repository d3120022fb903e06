import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EXPORT_NPY_OPTIONS,
  exportNpy,
  readNpy,
  WRITE_CIFAR10_BINARY_OPTIONS,
  writeCifar10Binary,
  writeFeaturesCsv,
  writeNpy,
} from '../../src/data/index.js';
import { gridImages } from '../conformance/fixtures.js';
import { typedError } from './typedError.js';

const root = mkdtempSync(join(tmpdir(), 'export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => {
  const d = join(root, String(dirs++));
  mkdirSync(d);
  return d;
};

/** An NPY file with the given version bytes and header dict (padded as NumPy does), then `body`. */
function npy(major: number, dict: string, body: Uint8Array = new Uint8Array(0)): Buffer {
  const preamble = major === 1 ? 10 : 12;
  const padded = dict + ' '.repeat((64 - ((preamble + dict.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(preamble);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = major;
  if (major === 1) head.writeUInt16LE(padded.length, 8);
  else head.writeUInt32LE(padded.length, 8);
  return Buffer.concat([head, Buffer.from(padded, 'latin1'), body]);
}

describe('readNpy: every bad file is DATA_FORMAT naming it', () => {
  const dir = freshDir();
  const at = (name: string, content: Buffer) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const f4 = (shape: string) => `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;

  it('reads versions 2 and 3 and 0-d arrays', () => {
    expect(readNpy(at('v2.npy', npy(2, f4('(2,)'), new Uint8Array(Float32Array.of(1, 2).buffer))))).toEqual({
      data: Float32Array.of(1, 2),
      shape: [2],
      dtype: 'float32',
    });
    expect(readNpy(at('v3.npy', npy(3, f4('(1, 1)'), new Uint8Array(4)))).shape).toEqual([1, 1]);
    expect(readNpy(at('scalar.npy', npy(1, f4('()'), new Uint8Array(4)))).shape).toEqual([]);
  });

  it('a missing file, a folder, a dangling name: no raw ENOENT/EISDIR', () => {
    expect(typedError(() => readNpy(join(dir, 'missing.npy')), 'DATA_FORMAT', 'readNpy', 'path').message).toMatch(
      /missing\.npy: no such file or folder/,
    );
    expect(typedError(() => readNpy(dir), 'DATA_FORMAT', 'readNpy', 'path').message).toMatch(/a folder, not a file/);
    // A number would be read by node:fs as a file descriptor (0: standard input, a read that never ends).
    typedError(() => readNpy(0 as never), 'INVALID_ARGUMENT', 'readNpy', 'path');
  });

  it('a short version-2 preamble, a header past the end of the file, an unknown version', () => {
    const short = Buffer.from('\x93NUMPY\x02\x00\x10\x00', 'latin1'); // 10 bytes: no room for the 4-byte length
    expect(typedError(() => readNpy(at('short2.npy', short)), 'DATA_FORMAT', 'readNpy', 'path').message).toMatch(/12-byte preamble/);
    const cut = npy(2, f4('(2,)')).subarray(0, 40);
    expect(typedError(() => readNpy(at('cut.npy', cut)), 'DATA_FORMAT', 'readNpy', 'path').message).toMatch(/header after the preamble/);
    typedError(() => readNpy(at('v9.npy', npy(1, f4('(1,)'), new Uint8Array(4)).fill(9, 6, 7))), 'DATA_FORMAT', 'readNpy', 'path');
  });

  it('negative, fractional or missing shapes', () => {
    // (-2, -3) has a product of 6 and used to pass with 24 data bytes.
    const body = new Uint8Array(24);
    expect(typedError(() => readNpy(at('neg.npy', npy(1, f4('(-2, -3)'), body))), 'DATA_FORMAT', 'readNpy', 'path').message).toMatch(
      /non-negative integer dimensions/,
    );
    typedError(() => readNpy(at('frac.npy', npy(1, f4('(1.5, 4)'), body))), 'DATA_FORMAT', 'readNpy', 'path');
    const noShape = "{'descr': '<f4', 'fortran_order': False, }";
    expect(
      typedError(() => readNpy(at('noshape.npy', npy(1, noShape, new Uint8Array(4)))), 'DATA_FORMAT', 'readNpy', 'path').message,
    ).toMatch(/'shape' tuple/);
  });
});

describe('writeNpy writes only what readNpy reads back', () => {
  it('refuses other array types (the header would name the wrong dtype) and plain arrays, writing nothing', () => {
    const dir = freshDir();
    for (const [name, data] of [
      ['f64.npy', Float64Array.of(1, 2)],
      ['plain.npy', [1, 2]],
      ['i16.npy', Int16Array.of(1, 2)],
    ] as const) {
      typedError(() => writeNpy(join(dir, name), data as never, [2]), 'INVALID_DTYPE', 'writeNpy', 'data');
      expect(existsSync(join(dir, name))).toBe(false);
    }
  });

  it('refuses negative or fractional shapes, and a folder that does not exist', () => {
    const dir = freshDir();
    // [-1, -4] has the product 4 and used to be written.
    typedError(() => writeNpy(join(dir, 'neg.npy'), new Float32Array(4), [-1, -4]), 'INVALID_SHAPE', 'writeNpy', 'shape');
    typedError(() => writeNpy(join(dir, 'frac.npy'), new Float32Array(3), [1.5, 2]), 'INVALID_SHAPE', 'writeNpy', 'shape');
    typedError(() => writeNpy(join(dir, 'x.npy'), new Float32Array(3), 3 as never), 'INVALID_SHAPE', 'writeNpy', 'shape');
    expect(
      typedError(() => writeNpy(join(dir, 'no', 'x.npy'), new Float32Array(1), [1]), 'INVALID_ARGUMENT', 'writeNpy', 'path').message,
    ).toMatch(/ENOENT/);
    writeNpy(join(dir, 'empty.npy'), new Int32Array(0), [0, 3]);
    expect(readNpy(join(dir, 'empty.npy')).shape).toEqual([0, 3]);
  });
});

describe('exportNpy: one options path', () => {
  const x = gridImages(2, 4, 4, 1);

  it('declares its option names', () => {
    expect(EXPORT_NPY_OPTIONS).toEqual(['dtype', 'quantize']);
  });

  it('unknown options, non-object options, non-boolean quantize, unknown dtypes', () => {
    const dir = freshDir();
    expect(
      typedError(() => exportNpy(dir, x, [0, 1], { dtyp: 'uint8' } as never), 'UNKNOWN_OPTION', 'exportNpy', 'options.dtyp').message,
    ).toMatch(/did you mean 'dtype'/);
    for (const bad of [null, 'uint8', 8])
      typedError(() => exportNpy(dir, x, [0, 1], bad as never), 'INVALID_ARGUMENT', 'exportNpy', 'options');
    typedError(
      () => exportNpy(dir, x, [0, 1], { dtype: 'uint8', quantize: 'yes' as never }),
      'INVALID_ARGUMENT',
      'exportNpy',
      'options.quantize',
    );
    typedError(() => exportNpy(dir, x, [0, 1], { dtype: 'float64' as never }), 'INVALID_ARGUMENT', 'exportNpy', 'options.dtype');
    expect(existsSync(join(dir, 'images.npy'))).toBe(false);
  });

  it('labels of 2^31 and above, a file in place of the folder', () => {
    const dir = freshDir();
    typedError(() => exportNpy(dir, x, [0, 2 ** 32]), 'LABEL_OUT_OF_RANGE', 'exportNpy', 'labels');
    writeFileSync(join(dir, 'file'), 'x');
    typedError(() => exportNpy(join(dir, 'file'), x, [0, 1]), 'INVALID_ARGUMENT', 'exportNpy', 'dir');
    typedError(() => exportNpy(undefined as never, x, [0, 1]), 'INVALID_ARGUMENT', 'exportNpy', 'dir');
  });
});

describe('writeCifar10Binary writes only what loadCifar10 reads', () => {
  const x = gridImages(2, 32, 32, 3);

  it('declares its option names', () => {
    expect(WRITE_CIFAR10_BINARY_OPTIONS).toEqual(['quantize']);
  });

  it('labels above 9 (loadCifar10 refuses them) and of 2^31 and above, before writing', () => {
    const path = join(freshDir(), 'data_batch_1.bin');
    // Labels up to 255 used to be written, into a file loadCifar10 then refused.
    typedError(() => writeCifar10Binary(path, x, [0, 10]), 'LABEL_OUT_OF_RANGE', 'writeCifar10Binary', 'labels');
    typedError(() => writeCifar10Binary(path, x, [0, 2 ** 32]), 'LABEL_OUT_OF_RANGE', 'writeCifar10Binary', 'labels');
    expect(existsSync(path)).toBe(false);
  });

  it('unknown options and non-boolean quantize', () => {
    const path = join(freshDir(), 'b.bin');
    expect(
      typedError(
        () => writeCifar10Binary(path, x, [0, 1], { quantise: true } as never),
        'UNKNOWN_OPTION',
        'writeCifar10Binary',
        'options.quantise',
      ).message,
    ).toMatch(/did you mean 'quantize'/);
    typedError(
      () => writeCifar10Binary(path, x, [0, 1], { quantize: 'true' as never }),
      'INVALID_ARGUMENT',
      'writeCifar10Binary',
      'options.quantize',
    );
    typedError(() => writeCifar10Binary(path, x, [0, 1], 'quantize' as never), 'INVALID_ARGUMENT', 'writeCifar10Binary', 'options');
    expect(existsSync(path)).toBe(false);
  });
});

describe('writeFeaturesCsv', () => {
  it('refuses NaN and infinite values (written as text a CSV reader takes for a string) before writing', () => {
    const path = join(freshDir(), 'f.csv');
    const e = typedError(
      () => writeFeaturesCsv(path, { data: Float32Array.of(0, Number.NaN), rows: 1, cols: 2 }),
      'NON_FINITE',
      'writeFeaturesCsv',
      'features',
    );
    expect(e.message).toMatch(/NaN at flat index 1/);
    typedError(
      () => writeFeaturesCsv(path, { data: Float32Array.of(Infinity, 0), rows: 2, cols: 1 }, [0, 1]),
      'NON_FINITE',
      'writeFeaturesCsv',
      'features',
    );
    expect(existsSync(path)).toBe(false);
  });

  it('no rows, no matrix, another array type, labels of 2^31', () => {
    const path = join(freshDir(), 'f.csv');
    typedError(
      () => writeFeaturesCsv(path, { data: new Float32Array(0), rows: 0, cols: 3 }),
      'EMPTY_INPUT',
      'writeFeaturesCsv',
      'features',
    );
    typedError(() => writeFeaturesCsv(path, null as never), 'INVALID_ARGUMENT', 'writeFeaturesCsv', 'features');
    typedError(
      () => writeFeaturesCsv(path, { data: Float64Array.of(1), rows: 1, cols: 1 } as never),
      'INVALID_DTYPE',
      'writeFeaturesCsv',
      'features.data',
    );
    typedError(
      () => writeFeaturesCsv(path, { data: Float32Array.of(1), rows: 1, cols: 1 }, [2 ** 31]),
      'LABEL_OUT_OF_RANGE',
      'writeFeaturesCsv',
      'labels',
    );
    expect(existsSync(path)).toBe(false);
  });
});

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { DType, DTYPES, Volume } from '../volume';
import { open, read, write } from '.';

/** A volume whose voxels differ everywhere and use the dtype's range (negative for int16, fractions for float32). */
function sample(dtype: DType, shape: [number, number, number] = [5, 6, 7]): Volume {
  const v = Volume.zeros(shape, dtype, { spacing: [2.4, 1.2, 0.6], origin: [10, -20, 30.5] });
  for (let i = 0; i < v.size; i++) {
    v.data[i] = dtype === 'uint8' ? (i * 37) % 256 : dtype === 'uint16' ? (i * 977) % 65536 : dtype === 'int16' ? ((i * 977) % 65536) - 32768 : (i - 50) * 0.37;
  }
  return v;
}

const CASES: Array<{ name: string; file: string; options?: write.IOptions }> = [
  { name: 'raw', file: 'v.raw' },
  { name: 'NIfTI-1', file: 'v.nii' },
  { name: 'NIfTI-1 gzip', file: 'v.nii.gz' },
  { name: 'NIfTI-2', file: 'v2.nii', options: { nifti: { version: 2 } } },
  { name: 'NIfTI-2 gzip', file: 'v2.nii.gz', options: { nifti: { version: 2 } } },
  { name: 'TIFF', file: 'v.tif' },
  { name: 'TIFF deflate', file: 'vd.tiff', options: { tiff: { compression: 'deflate' } } },
  { name: 'BigTIFF', file: 'vb.tif', options: { tiff: { bigTiff: true } } },
  { name: 'TIFF folder', file: 'slices', options: { format: 'tiff-stack' } },
  { name: 'HDF5/NeXus', file: 'v.nxs' },
  { name: 'HDF5 gzip, own path', file: 'v.h5', options: { hdf5: { dataset: '/exchange/data', gzipLevel: 4, chunks: [2, 3, 4] } } },
  { name: 'Zarr v3', file: 'v3.zarr', options: { zarr: { chunks: [2, 4, 3] } } },
  { name: 'Zarr v2', file: 'v2.zarr', options: { zarr: { version: 2, chunks: [2, 4, 3] } } },
  { name: 'Zarr v3 uncompressed', file: 'u.zarr', options: { zarr: { gzipLevel: 0 } } }
];

describe('round trip: write then read gives the same voxels, shape, spacing and origin', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'mdlma-io-rt-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of CASES) {
    for (const dtype of DTYPES) {
      it(`${c.name}, ${dtype}`, async () => {
        const v = sample(dtype);
        const path = join(dir, `${dtype}-${c.file}`);
        await write(path, v, c.options);
        const back = await read(path, c.name === 'HDF5 gzip, own path' ? { dataset: '/exchange/data' } : {});
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual(v.shape);
        back.spacing.forEach((s, i) => expect(s).toBeCloseTo(v.spacing[i], 5));
        back.origin.forEach((o, i) => expect(o).toBeCloseTo(v.origin[i], 4));
        expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength))).toBe(true);
        // No temporary files are left next to the output.
        expect(readdirSync(dir).filter(n => n.endsWith('.tmp'))).toEqual([]);
      });
    }
  }

  it('finds the format from the content, not the name', async () => {
    const v = sample('uint16');
    await write(join(dir, 'named-wrong.h5'), v, { format: 'nifti' });
    const back = await read(join(dir, 'named-wrong.h5'));
    expect(Array.from(back.data)).toEqual(Array.from(v.data));
    const source = await open(join(dir, 'named-wrong.h5'));
    expect(source.format).toBe('nifti');
    await source.close();
  });

  it('reads big-endian, float64, int8 and int32 raw data into MDLMA dtypes', async () => {
    const values = [0, 1, -2, 300.5, -7, 1e6];
    const cases: Array<[string, number, 'little' | 'big', (view: DataView, i: number, v: number) => void, DType, number[]]> = [
      ['float64', 8, 'big', (d, i, v) => d.setFloat64(i * 8, v, false), 'float32', values],
      ['int8', 1, 'little', (d, i, v) => d.setInt8(i, v), 'int16', [0, 1, -2, 44, -7, 64]],
      ['int32', 4, 'little', (d, i, v) => d.setInt32(i * 4, v, true), 'float32', [0, 1, -2, 300, -7, 1e6]],
      ['uint16', 2, 'big', (d, i, v) => d.setUint16(i * 2, v, false), 'uint16', [0, 1, 65534, 300, 65529, 16960]]
    ];
    for (const [dtype, bytes, endianness, set, expected, out] of cases) {
      const path = join(dir, `${dtype}-${endianness}.raw`);
      const buffer = new DataView(new ArrayBuffer(values.length * bytes));
      values.forEach((v, i) => set(buffer, i, v));
      writeFileSync(path, new Uint8Array(buffer.buffer));
      writeFileSync(`${path}.json`, JSON.stringify({ shape: [1, 2, 3], dtype, endianness }));
      const back = await read(path);
      expect(back.dtype).toBe(expected);
      expect(Array.from(back.data)).toEqual(out);
    }
  });

  it('applies NIfTI scl_slope/scl_inter, giving float32', async () => {
    const v = sample('int16');
    const path = join(dir, 'scaled.nii');
    await write(path, v);
    const bytes = require('fs').readFileSync(path) as Buffer;
    bytes.writeFloatLE(0.5, 112);
    bytes.writeFloatLE(10, 116);
    writeFileSync(path, bytes);
    const back = await read(path);
    expect(back.dtype).toBe('float32');
    expect(back.data[3]).toBeCloseTo(v.data[3] * 0.5 + 10, 3);
  });

  it('copies a lazy source to another format slab by slab', async () => {
    const v = sample('float32', [9, 8, 7]);
    await write(join(dir, 'src.nii.gz'), v);
    const source = await open(join(dir, 'src.nii.gz'));
    await write(join(dir, 'copy.zarr'), source);
    await source.close();
    expect(Array.from((await read(join(dir, 'copy.zarr'))).data)).toEqual(Array.from(v.data));
  });

  it('overwrites an existing file or folder atomically', async () => {
    const a = sample('uint8');
    const b = sample('uint8');
    b.data.fill(7);
    for (const file of ['over.tif', 'over.zarr']) {
      await write(join(dir, file), a);
      await write(join(dir, file), b);
      expect(Array.from((await read(join(dir, file))).data).every(x => x === 7)).toBe(true);
    }
  });
});

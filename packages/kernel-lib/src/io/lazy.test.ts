import { mkdtempSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { InterruptedError, VolumeRangeError } from '../errors';
import { Volume } from '../volume';
import { createZarr, open, openZarrWriter, read, write } from '.';

/** 64 slices of 128 x 96 uint16: 1.5 MiB, so one slice is 1/64 of the file. */
function sample(): Volume {
  const v = Volume.zeros([64, 128, 96], 'uint16', { spacing: [3, 2, 1] });
  for (let i = 0; i < v.size; i++) v.data[i] = (i * 31) % 65521;
  return v;
}

describe('lazy reads: a slab reads only the slab', () => {
  let dir: string;
  const v = sample();
  const plane = 128 * 96 * 2;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'mdlma-io-lazy-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const counted: Array<[string, string, write.IOptions, number]> = [
    // [format, file, options, bytes a 4-slice slab may read beyond its own voxels]
    ['raw', 'v.raw', {}, 0],
    ['NIfTI', 'v.nii', {}, 0],
    ['TIFF', 'v.tif', {}, 64 * 1024],
    ['BigTIFF', 'vb.tif', { tiff: { bigTiff: true } }, 64 * 1024],
    ['TIFF folder', 'stack', { format: 'tiff-stack' }, 4 * 1024],
    // Zarr: chunks of 4 slices, aligned with the slab; metadata only beyond.
    ['Zarr', 'v.zarr', { zarr: { chunks: [4, 128, 96], gzipLevel: 0 } }, 0]
  ];

  for (const [name, file, options, slack] of counted) {
    it(`${name}: slab z 20..24 reads about 4 slices of bytes and the right voxels`, async () => {
      const path = join(dir, file);
      await write(path, v, options);
      const source = await open(path);
      const before = source.bytesRead!;
      const slab = await source.readSlab(20, 24);
      const read = source.bytesRead! - before;
      expect(read).toBeGreaterThanOrEqual(4 * plane);
      expect(read).toBeLessThanOrEqual(4 * plane + slack);
      expect(Array.from(slab.data)).toEqual(Array.from(v.slab(20, 24).data));
      expect(slab.origin[0]).toBe(20 * 3);
      await source.close();
    });
  }

  it('a region reads only its rows (raw: 3 slices x 10 rows)', async () => {
    const path = join(dir, 'r.raw');
    await write(path, v);
    const source = await open(path);
    const region = await source.readRegion({ z: [5, 8], y: [40, 50], x: [10, 20] });
    expect(source.bytesRead).toBe(3 * 10 * 96 * 2);
    expect(region.shape).toEqual([3, 10, 10]);
    expect(region.get(2, 9, 9)).toBe(v.get(7, 49, 19));
    expect(region.origin).toEqual([15, 80, 10]);
    await source.close();
  });

  it('gzip NIfTI: reading the first slab inflates only the start of the file', async () => {
    // Incompressible-ish content so that compressed size tracks position.
    const noisy = Volume.zeros([64, 256, 256], 'uint16');
    let seed = 1;
    for (let i = 0; i < noisy.size; i++) noisy.data[i] = (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
    const path = join(dir, 'noisy.nii.gz');
    await write(path, noisy);
    const size = statSync(path).size;
    const source = await open(path);
    const first = await source.readSlab(0, 2);
    expect(source.bytesRead).toBeLessThan(size / 4);
    expect(Array.from(first.data)).toEqual(Array.from(noisy.slab(0, 2).data));
    // Forward slabs continue the stream; the whole file is inflated about once.
    for (let z = 2; z < 64; z += 8) await source.readSlab(z, Math.min(64, z + 8));
    expect(source.bytesRead).toBeLessThan(size * 1.5);
    // Going back restarts it and still gives the right voxels.
    expect(Array.from((await source.readSlab(1, 3)).data)).toEqual(Array.from(noisy.slab(1, 3).data));
    await source.close();
  });

  it('HDF5: chunked hyperslab reads give the right slab and region', async () => {
    const path = join(dir, 'v.h5');
    await write(path, v, { hdf5: { chunks: [4, 64, 96] } });
    const source = await open(path);
    expect(Array.from((await source.readSlab(33, 35)).data)).toEqual(Array.from(v.slab(33, 35).data));
    const region = await source.readRegion({ z: [1, 2], y: [100, 128], x: [90, 96] });
    expect(region.get(0, 27, 5)).toBe(v.get(1, 127, 95));
    await source.close();
  });

  it('slabs outside the volume raise VolumeRangeError naming the file', async () => {
    const path = join(dir, 'range.raw');
    await write(path, v);
    const source = await open(path);
    for (const [z0, z1] of [[-1, 2], [60, 65], [5, 5], [3, 2], [0.5, 2]]) {
      await expect(source.readSlab(z0, z1)).rejects.toThrow(VolumeRangeError);
      await expect(source.readSlab(z0, z1)).rejects.toThrow(path);
    }
    await expect(source.readRegion({ z: [0, 1], y: [0, 200], x: [0, 1] })).rejects.toThrow(VolumeRangeError);
    await source.close();
    await expect(source.readSlab(0, 1)).rejects.toThrow(/closed/);
  });

  it('an aborted signal stops a read and a write, leaving no file behind', async () => {
    const controller = new AbortController();
    controller.abort(new InterruptedError());
    await expect(read(join(dir, 'range.raw'), { signal: controller.signal })).rejects.toThrow(InterruptedError);
    await expect(write(join(dir, 'never.nii'), v, { signal: controller.signal })).rejects.toThrow(InterruptedError);
    expect(() => statSync(join(dir, 'never.nii'))).toThrow();
  });

  it('cluster pattern: create a Zarr array, write slabs from separate writers, read it back', async () => {
    const path = join(dir, 'cluster.zarr');
    const created = await createZarr(path, { shape: v.shape, dtype: 'uint16', spacing: v.spacing, origin: v.origin }, { chunks: [16, 64, 64] });
    await created.commit();
    // Jobs in reverse order, each through its own writer, slabs aligned to the chunk depth.
    for (let z = 48; z >= 0; z -= 16) {
      const job = await openZarrWriter(path);
      await job.writeSlab(z, v.slab(z, z + 16));
      await job.commit();
    }
    const back = await read(path);
    expect(Array.from(back.data)).toEqual(Array.from(v.data));
    expect(back.spacing).toEqual([3, 2, 1]);
  });
});

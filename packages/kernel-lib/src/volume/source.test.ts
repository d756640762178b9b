import { VolumeRangeError } from '../errors';
import { memorySource } from './source';
import { Volume } from './volume';

describe('memorySource', () => {
  const volume = Volume.zeros([4, 3, 2], 'uint16', { spacing: [2, 1, 1] });
  volume.data.forEach((_, i) => (volume.data[i] = i));

  it('reads slabs as views and regions as copies, with their origin', async () => {
    const source = memorySource(volume);
    const slab = await source.readSlab(1, 3);
    expect(slab.shape).toEqual([2, 3, 2]);
    expect(slab.origin).toEqual([2, 0, 0]);
    expect(slab.data.buffer).toBe(volume.data.buffer);
    const box = await source.readRegion({ z: [3, 4], y: [1, 3], x: [1, 2] });
    expect(Array.from(box.data)).toEqual([volume.get(3, 1, 1), volume.get(3, 2, 1)]);
    box.data[0] = 9999;
    expect(volume.get(3, 1, 1)).not.toBe(9999);
  });

  it('refuses a region outside the volume with a typed error', async () => {
    await expect(memorySource(volume, 'scan').readRegion({ z: [0, 5], y: [0, 1], x: [0, 1] })).rejects.toThrow(VolumeRangeError);
  });
});

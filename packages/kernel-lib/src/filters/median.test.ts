import { VolumeShapeError } from '../errors';
import { Volume } from '../volume';
import { median } from './median';

describe('median', () => {
  /** A uint16 step (100 | 1000 along x) sprinkled with salt (65535) and pepper (0) on 5% of voxels. */
  function saltyStep(): { clean: Volume<Uint16Array>; noisy: Volume<Uint16Array> } {
    const clean = Volume.zeros([16, 16, 16], 'uint16');
    for (let i = 0; i < clean.size; i++) clean.data[i] = i % 16 < 8 ? 100 : 1000;
    const noisy = clean.clone();
    let seed = 12345;
    for (let i = 0; i < noisy.size; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      if (seed % 100 < 5) noisy.data[i] = seed % 2 ? 65535 : 0;
    }
    return { clean, noisy };
  }

  it('removes salt and pepper noise but keeps the edge', () => {
    const { clean, noisy } = saltyStep();
    const m = median(noisy, { radius: 1 });
    expect(m.dtype).toBe('uint16');
    let wrong = 0;
    for (let i = 0; i < m.size; i++) if (m.data[i] !== clean.data[i]) wrong++;
    expect(wrong).toBeLessThan(0.002 * m.size);
    // The step stays between x = 7 and x = 8, one voxel wide.
    expect(m.get(8, 8, 7)).toBe(100);
    expect(m.get(8, 8, 8)).toBe(1000);
  });

  it('filters in-plane only with a zero z radius and rejects a bad radius', () => {
    const v = Volume.zeros([3, 5, 5], 'float32');
    v.set(1, 2, 2, 9);
    expect(median(v, { radius: [0, 1, 1] }).get(1, 2, 2)).toBe(0);
    const line = Volume.zeros([5, 1, 1], 'float32');
    line.data.set([1, 9, 2, 8, 3]);
    expect(Array.from(median(line, { radius: [1, 0, 0] }).data)).toEqual([1, 2, 8, 3, 3]);
    expect(() => median(v, { radius: 1.5 })).toThrow(VolumeShapeError);
  });
});

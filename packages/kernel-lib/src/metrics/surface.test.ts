import { surfaceDistances, surfaceOf } from './surface';

describe('surface distances (MONAI convention, µm)', () => {
  it('counts the array edge as surface unless told otherwise', () => {
    const full = new Uint8Array(27).fill(1);
    expect(Array.from(surfaceOf(full, [3, 3, 3])).filter(v => v).length).toBe(26);
    expect(Array.from(surfaceOf(full, [3, 3, 3], { edgeIsSurface: false })).filter(v => v).length).toBe(0);
  });

  it('scales with the spacing, and is NaN for two empty masks, Infinity for one', () => {
    // Two single voxels 3 apart along x, 2 µm voxels: every surface distance is 6 µm.
    const a = new Uint8Array(10);
    const b = new Uint8Array(10);
    a[2] = 1;
    b[5] = 1;
    expect(surfaceDistances(a, b, [1, 1, 10], [1, 1, 2])).toEqual({ hd95: 6, msd: 6 });
    expect(surfaceDistances(new Uint8Array(10), new Uint8Array(10), [1, 1, 10], [1, 1, 2]).hd95).toBeNaN();
    expect(surfaceDistances(a, new Uint8Array(10), [1, 1, 10], [1, 1, 2]).hd95).toBe(Infinity);
  });
});

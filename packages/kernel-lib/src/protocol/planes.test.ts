import { ORTHOGONAL_AXES, sliceCount, sliceKey, sliceShape, voxelOf } from './planes';

describe('orthogonal planes', () => {
  const shape = [4, 5, 6];

  it('give each axis its slice count and [rows, cols]', () => {
    expect(ORTHOGONAL_AXES.map(a => sliceCount(shape, a))).toEqual([4, 5, 6]);
    expect(ORTHOGONAL_AXES.map(a => sliceShape(shape, a))).toEqual([[5, 6], [4, 6], [4, 5]]);
  });

  it('map a slice pixel to its voxel in the C-order [z, y, x] volume', () => {
    const v = (z: number, y: number, x: number) => (z * 5 + y) * 6 + x;
    expect(voxelOf(shape, 'z', 3, 2, 1)).toBe(v(3, 2, 1));
    expect(voxelOf(shape, 'y', 3, 2, 1)).toBe(v(2, 3, 1));
    expect(voxelOf(shape, 'x', 3, 2, 1)).toBe(v(2, 1, 3));
    // Every slice along an axis covers each voxel once.
    for (const axis of ORTHOGONAL_AXES) {
      const hits = new Uint8Array(4 * 5 * 6);
      const [rows, cols] = sliceShape(shape, axis);
      for (let k = 0; k < sliceCount(shape, axis); k++) for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) hits[voxelOf(shape, axis, k, i, j)]++;
      expect(hits.every(h => h === 1)).toBe(true);
    }
  });

  it('key a slice as axis:index', () => {
    expect(sliceKey('y', 12)).toBe('y:12');
  });
});

import { distanceTransform } from './distance-transform';

describe('distanceTransform', () => {
  it('is the exact Euclidean distance on anisotropic grids (brute force check)', () => {
    const shape: [number, number, number] = [7, 9, 11];
    const spacing: [number, number, number] = [3, 1.5, 2];
    const size = 7 * 9 * 11;
    const features = new Uint8Array(size);
    for (const i of [5, 300, 611, 402]) features[i] = 1;
    const d = distanceTransform(features, shape, spacing);
    const coords = (i: number) => [Math.floor(i / 99), Math.floor(i / 11) % 9, i % 11];
    const sites = [5, 300, 611, 402].map(coords);
    for (let i = 0; i < size; i += 7) {
      const [z, y, x] = coords(i);
      const brute = Math.min(...sites.map(([a, b, c]) => Math.hypot((z - a) * 3, (y - b) * 1.5, (x - c) * 2)));
      expect(d[i]).toBeCloseTo(brute, 4);
    }
  });

  it('is Infinity everywhere without features', () => {
    expect(Array.from(distanceTransform(new Uint8Array(8), [2, 2, 2], [1, 1, 1]))).toEqual(new Array(8).fill(Infinity));
  });
});

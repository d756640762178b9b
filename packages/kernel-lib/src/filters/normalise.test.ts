import { Volume } from '../volume';
import { normalisePercentile } from './normalise';

/** 0, 1, ..., n - 1 in a [1, 1, n] volume of the given dtype, shuffled deterministically. */
function counting(n: number, dtype: 'uint16' | 'float32' | 'int16'): Volume {
  const v = Volume.zeros([1, 1, n], dtype);
  for (let i = 0; i < n; i++) v.data[(i * 7919) % n] = dtype === 'int16' ? i - 500 : i;
  return v;
}

describe('normalisePercentile', () => {
  it('maps the chosen percentiles to 0 and 1 and clips outliers', () => {
    const v = counting(1001, 'uint16');
    v.data[0] = 60000; // one hot voxel must not squash the range
    const n = normalisePercentile(v, { low: 1, high: 99 });
    expect(n.dtype).toBe('float32');
    expect(n.shape).toEqual(v.shape);
    expect(Math.min(...n.data)).toBe(0);
    expect(Math.max(...n.data)).toBe(1);
    const mid = Array.from(v.data).indexOf(500);
    expect(n.data[mid]).toBeCloseTo(0.5, 2);
    const unclipped = normalisePercentile(v, { low: 1, high: 99, clip: false });
    expect(Math.max(...unclipped.data)).toBeGreaterThan(50);
  });

  it('returns zeros for a constant volume', () => {
    const v = Volume.zeros([2, 2, 2], 'float32');
    v.data.fill(7);
    expect(Array.from(normalisePercentile(v).data)).toEqual(new Array(8).fill(0));
  });
});

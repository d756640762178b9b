import { VolumeRangeError } from '../errors';
import { Volume } from '../volume';
import { normalizePercentile, percentiles } from './normalize';

/** 0, 1, ..., n - 1 in a [1, 1, n] volume of the given dtype, shuffled deterministically. */
function counting(n: number, dtype: 'uint16' | 'float32' | 'int16'): Volume {
  const v = Volume.zeros([1, 1, n], dtype);
  for (let i = 0; i < n; i++) v.data[(i * 7919) % n] = dtype === 'int16' ? i - 500 : i;
  return v;
}

describe('percentiles', () => {
  it('matches NumPy linear interpolation exactly for integer volumes', () => {
    const v = counting(1001, 'uint16'); // 0..1000: percentile p is 10 p
    expect(percentiles(v, [0, 1, 50, 99.5, 100])).toEqual([0, 10, 500, 995, 1000]);
    expect(percentiles(counting(1001, 'int16'), [50])).toEqual([0]);
    const two = new Volume({ data: Uint8Array.of(10, 20), shape: [1, 1, 2] });
    expect(percentiles(two, [25])).toEqual([12.5]);
  });

  it('is exact for float volumes and ignores NaN', () => {
    const v = counting(1001, 'float32');
    v.data[3] = NaN; // drops one value: 0..1000 minus one
    const data = Array.from(v.data).filter(Number.isFinite).sort((a, b) => a - b);
    const numpy = (p: number) => {
      const r = (p / 100) * (data.length - 1);
      return data[Math.floor(r)] + (r - Math.floor(r)) * (data[Math.ceil(r)] - data[Math.floor(r)]);
    };
    for (const p of [0, 2, 37.3, 99, 100]) expect(percentiles(v, [p])[0]).toBeCloseTo(numpy(p), 6);
    expect(() => percentiles(v, [101])).toThrow(VolumeRangeError);
  });
});

describe('normalizePercentile', () => {
  it('maps the chosen percentiles to 0 and 1 and clips outliers', () => {
    const v = counting(1001, 'uint16');
    v.data[0] = 60000; // one hot voxel must not squash the range
    const n = normalizePercentile(v, { low: 1, high: 99 });
    expect(n.dtype).toBe('float32');
    expect(n.shape).toEqual(v.shape);
    expect(Math.min(...n.data)).toBe(0);
    expect(Math.max(...n.data)).toBe(1);
    const mid = Array.from(v.data).indexOf(500);
    expect(n.data[mid]).toBeCloseTo(0.5, 2);
    const unclipped = normalizePercentile(v, { low: 1, high: 99, clip: false });
    expect(Math.max(...unclipped.data)).toBeGreaterThan(50);
  });

  it('returns zeros for a constant volume', () => {
    const v = Volume.zeros([2, 2, 2], 'float32');
    v.data.fill(7);
    expect(Array.from(normalizePercentile(v).data)).toEqual(new Array(8).fill(0));
  });
});

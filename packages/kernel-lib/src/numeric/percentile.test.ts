import { VolumeRangeError } from '../errors';
import { percentiles, percentilesInPlace, sortedQuantile, sortedSample } from './percentile';

/** 0, 1, ..., n - 1 (int16: shifted by -500) in a typed array, shuffled deterministically. */
function counting(n: number, type: typeof Uint16Array | typeof Float32Array | typeof Int16Array): Uint16Array | Float32Array | Int16Array {
  const data = new type(n);
  for (let i = 0; i < n; i++) data[(i * 7919) % n] = type === Int16Array ? i - 500 : i;
  return data;
}

describe('percentiles', () => {
  it('matches NumPy linear interpolation exactly for integer voxels', () => {
    const v = counting(1001, Uint16Array); // 0..1000: percentile p is 10 p
    expect(percentiles(v, [0, 1, 50, 99.5, 100])).toEqual([0, 10, 500, 995, 1000]);
    expect(percentiles(counting(1001, Int16Array), [50])).toEqual([0]);
    const two = Uint8Array.of(10, 20);
    expect(percentiles(two, [25])).toEqual([12.5]);
  });

  it('is exact for float voxels and ignores NaN', () => {
    const v = counting(1001, Float32Array);
    v[3] = NaN; // drops one value: 0..1000 minus one
    const data = Array.from(v).filter(Number.isFinite).sort((a, b) => a - b);
    const numpy = (p: number) => {
      const r = (p / 100) * (data.length - 1);
      return data[Math.floor(r)] + (r - Math.floor(r)) * (data[Math.ceil(r)] - data[Math.floor(r)]);
    };
    for (const p of [0, 2, 37.3, 99, 100]) expect(percentiles(v, [p])[0]).toBeCloseTo(numpy(p), 6);
    expect(() => percentiles(v, [101])).toThrow(VolumeRangeError);
  });
});

describe('percentilesInPlace', () => {
  it('matches NumPy percentiles (linear interpolation) on shuffled values', () => {
    const n = 1001;
    const values = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % n) / 10);
    // sorted: 0, 0.1, ..., 100; rank (p / 100) * 1000
    const [lo, hi] = percentilesInPlace(values, n, 1, 99);
    expect(lo).toBeCloseTo(1.0, 5);
    expect(hi).toBeCloseTo(99.0, 5);
    const small = Float32Array.from([4, 1, 3, 2]);
    const [a, b] = percentilesInPlace(small, 4, 10, 90); // numpy: 1.3, 3.7
    expect(a).toBeCloseTo(1.3, 5);
    expect(b).toBeCloseTo(3.7, 5);
  });

});

describe('sortedQuantile and sortedSample', () => {
  it('interpolates linearly, or takes the order statistic below, above, nearest, or by the inverted CDF', () => {
    const sorted = Float64Array.of(0, 10, 20, 30, 40);
    expect(sortedQuantile(sorted, 0.95)).toBeCloseTo(38, 10);
    expect(sortedQuantile(sorted, 0.3, 'lower')).toBe(10);
    expect(sortedQuantile(sorted, 0.3, 'higher')).toBe(20);
    expect(sortedQuantile(sorted, 0.375, 'nearest')).toBe(20); // rank 1.5: ties go up
    expect(sortedQuantile(sorted, 0.95, 'inverted_cdf')).toBe(40); // ceil(0.95 * 5) - 1 = 4
    expect(sortedQuantile(sorted, 0.6, 'inverted_cdf')).toBe(20);
    expect(sortedQuantile([], 0.5)).toBeNaN();
  });

  it('samples at most about the limit, finite values only, sorted', () => {
    const data = Float32Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    data[0] = NaN;
    const sample = sortedSample(data, 100);
    expect(sample.length).toBeLessThanOrEqual(100);
    expect(sample.every(Number.isFinite)).toBe(true);
    expect(sample).toEqual([...sample].sort((a, b) => a - b));
  });
});

import { normaliseSlices, slicePercentiles } from './normalise';

describe('per-slice normalisation', () => {
  it('matches NumPy percentiles (linear interpolation) on shuffled values', () => {
    const n = 1001;
    const values = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % n) / 10);
    // sorted: 0, 0.1, ..., 100; rank (p / 100) * 1000
    const [lo, hi] = slicePercentiles(values, n, 1, 99);
    expect(lo).toBeCloseTo(1.0, 5);
    expect(hi).toBeCloseTo(99.0, 5);
    const small = Float32Array.from([4, 1, 3, 2]);
    const [a, b] = slicePercentiles(small, 4, 10, 90); // numpy: 1.3, 3.7
    expect(a).toBeCloseTo(1.3, 5);
    expect(b).toBeCloseTo(3.7, 5);
  });

  it('uses in-volume pixels only (NaN is outside) and gives outside pixels the fill value', () => {
    const slice = Float32Array.from([NaN, 0, 10, 20, 30, 40, NaN, NaN]);
    normaliseSlices(slice, 1, 8, { kind: 'percentile', low: 0, high: 100, clip: false, eps: 1e-6 }, -1);
    expect(Array.from(slice)).toEqual([-1, 0, 0.25, 0.5, 0.75, 1, -1, -1]);
  });

  it('normalises each slice on its own and clips only when asked', () => {
    const data = Float32Array.from([0, 1, 2, 3, 100, 200, 300, 500]);
    normaliseSlices(data, 2, 4, { kind: 'percentile', low: 0, high: 50, clip: true, eps: 1e-6 }, 0);
    expect(Array.from(data)).toEqual([0, 2 / 3, 1, 1, 0, 2 / 3, 1, 1].map(Math.fround)); // p50 of the second slice is 250;
  });

  it('fills a slice that lies wholly outside the volume', () => {
    const data = new Float32Array(4).fill(NaN);
    normaliseSlices(data, 1, 4, { kind: 'zscore' }, 0.5);
    expect(Array.from(data)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });
});

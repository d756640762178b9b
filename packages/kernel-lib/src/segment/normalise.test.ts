import { normaliseSlices } from './normalise';

describe('per-slice normalisation', () => {
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

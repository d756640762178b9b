/**
 * Percentiles and quantiles, one home for every way the library takes them:
 *
 * - `percentiles(values, ps)`: of a whole volume's voxels (or any voxel array), without a sorted
 *   copy: exact for integer types (a counting histogram) and, for float32, exact to 1/2^32 of the
 *   value range (two nested 65536-bin histograms). Non-finite values are ignored.
 * - `percentilesInPlace(values, count, low, high)`: exact, by quickselect in O(count); reorders
 *   the values (the per-slice normalisation of segmentation).
 * - `sortedQuantile(sorted, q, method)`: of values already sorted, by NumPy's `method`.
 * - `sortedSample(data)`: a sorted sample of at most 200000 values, for cheap display and
 *   histogram ranges.
 *
 * Unless a method says otherwise, percentiles interpolate linearly between order statistics
 * (NumPy's default).
 *
 * @example
 * const [p1, p99] = percentiles(volume, [1, 99]);
 * const hd95 = sortedQuantile(distances, 0.95);
 * const sample = sortedSample(volume.data);
 * const window = [sortedQuantile(sample, 0.01, 'lower'), sortedQuantile(sample, 0.999, 'higher')];
 */
import { VolumeRangeError } from '../errors';
import { selectKth } from './select';

/** Voxel arrays whose percentiles `percentiles` takes (the four voxel types). */
export type PercentileData = Uint8Array | Uint16Array | Int16Array | Float32Array;

/**
 * How `sortedQuantile` picks its value: 'linear', 'lower', 'higher' and 'inverted_cdf' as NumPy's
 * methods of those names; 'nearest' takes the order statistic nearest the rank, ties upwards
 * (NumPy's rounds ties to even).
 */
export type QuantileMethod = 'linear' | 'lower' | 'higher' | 'nearest' | 'inverted_cdf';

/** The `ps` percentiles (0-100) of the finite values of `values` (a voxel array, or a volume). */
export function percentiles(values: PercentileData | { readonly data: PercentileData }, ps: readonly number[]): number[] {
  for (const p of ps) {
    if (!(p >= 0 && p <= 100)) throw new VolumeRangeError(`Percentiles are between 0 and 100, got ${p}`);
  }
  const data = ArrayBuffer.isView(values) ? values : values.data;
  const finite = data instanceof Float32Array ? Private.finiteCount(data) : data.length;
  if (finite === 0) throw new VolumeRangeError('The volume has no finite voxels, so it has no percentiles');
  // Order statistics needed by linear interpolation between neighbours.
  const ranks = ps.map(p => (p / 100) * (finite - 1));
  const ks = [...new Set(ranks.flatMap(r => [Math.floor(r), Math.ceil(r)]))];
  const found = data instanceof Float32Array ? Private.floatOrderStats(data, ks) : Private.integerOrderStats(data, ks);
  const at = new Map(ks.map((k, i) => [k, found[i]]));
  return ranks.map(r => {
    const lo = at.get(Math.floor(r))!;
    const hi = at.get(Math.ceil(r))!;
    return lo + (r - Math.floor(r)) * (hi - lo);
  });
}

/**
 * The `low` and `high` percentiles (0-100, low <= high) of values[0..count), exact, by
 * quickselect. Reorders values[0..count).
 */
export function percentilesInPlace(values: Float32Array, count: number, low: number, high: number): [number, number] {
  const rl = (low / 100) * (count - 1);
  const rh = (high / 100) * (count - 1);
  const kl = Math.floor(rl);
  const kh = Math.floor(rh);
  const vl = selectKth(values, kl, 0, count - 1);
  // After selecting kl, everything right of kl is >= values[kl]: the next order statistic is their minimum.
  const vl1 = kl + 1 < count ? Private.minOf(values, kl + 1, count) : vl;
  const vh = kh === kl ? vl : kh === kl + 1 ? vl1 : selectKth(values, kh, kl + 1, count - 1);
  const vh1 = kh + 1 < count ? Private.minOf(values, kh + 1, count) : vh;
  return [vl + (rl - kl) * (vl1 - vl), vh + (rh - kh) * (vh1 - vh)];
}

/**
 * The `q` quantile (0-1) of ascending `sorted` values at rank q (n - 1): 'linear' interpolates
 * between the order statistics around it, 'lower', 'higher' and 'nearest' take the one below,
 * above or nearest; 'inverted_cdf' is the smallest value with at least a fraction q of the values
 * at or below it. NaN when there are no values.
 */
export function sortedQuantile(sorted: ArrayLike<number>, q: number, method: QuantileMethod = 'linear'): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (method === 'inverted_cdf') return sorted[Math.max(0, Math.ceil(q * n) - 1)];
  const r = q * (n - 1);
  if (method === 'lower') return sorted[Math.floor(r)];
  if (method === 'higher') return sorted[Math.ceil(r)];
  if (method === 'nearest') return sorted[Math.floor(r + 0.5)];
  const lo = Math.floor(r);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (r - lo) * (sorted[hi] - sorted[lo]);
}

/** Every k-th finite value of `data`, k chosen to keep at most about `limit` values, sorted ascending. */
export function sortedSample(data: ArrayLike<number>, limit = 200000): number[] {
  const step = Math.max(1, Math.floor(data.length / limit));
  const sample: number[] = [];
  for (let i = 0; i < data.length; i += step) {
    const v = data[i];
    if (Number.isFinite(v)) sample.push(v);
  }
  return sample.sort((a, b) => a - b);
}

namespace Private {
  const BINS = 65536;

  export function finiteCount(data: Float32Array): number {
    let n = 0;
    for (let i = 0; i < data.length; i++) if (Number.isFinite(data[i])) n++;
    return n;
  }

  /** The k-th smallest values (0-based) by a counting histogram over the type's range. */
  export function integerOrderStats(data: Uint8Array | Uint16Array | Int16Array, ks: number[]): number[] {
    const shift = data instanceof Int16Array ? 32768 : 0;
    const counts = new Float64Array(data instanceof Uint8Array ? 256 : 65536);
    for (let i = 0; i < data.length; i++) counts[data[i] + shift]++;
    return ks.map(k => locate(counts, k)[0] - shift);
  }

  /** The k-th smallest finite values: a coarse histogram finds the bin, a fine one inside it the value. */
  export function floatOrderStats(data: Float32Array, ks: number[]): number[] {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (max === min) return ks.map(() => min);
    const scale = BINS / (max - min);
    const binOf = (v: number) => Math.min(BINS - 1, Math.floor((v - min) * scale));
    const coarse = new Float64Array(BINS);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (Number.isFinite(v)) coarse[binOf(v)]++;
    }
    const targets = ks.map(k => locate(coarse, k));
    const bins = [...new Set(targets.map(t => t[0]))];
    // Per target bin: fine counts, and the smallest value seen in each fine bin (the answer itself).
    const fine = new Map(bins.map(b => [b, { counts: new Float64Array(BINS), least: new Float64Array(BINS).fill(Infinity) }]));
    const fineScale = scale * BINS;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isFinite(v)) continue;
      const b = binOf(v);
      const h = fine.get(b);
      if (h) {
        const f = Math.max(0, Math.min(BINS - 1, Math.floor((v - min - b / scale) * fineScale)));
        h.counts[f]++;
        if (v < h.least[f]) h.least[f] = v;
      }
    }
    return targets.map(([b, within]) => {
      const h = fine.get(b)!;
      return h.least[locate(h.counts, within)[0]];
    });
  }

  /** The bin holding the k-th smallest count-weighted value, and k's rank inside that bin. */
  function locate(counts: Float64Array, k: number): [number, number] {
    let seen = 0;
    for (let b = 0; b < counts.length; b++) {
      if (seen + counts[b] > k) return [b, k - seen];
      seen += counts[b];
    }
    return [counts.length - 1, 0];
  }

  export function minOf(a: Float32Array, from: number, to: number): number {
    let m = Infinity;
    for (let i = from; i < to; i++) if (a[i] < m) m = a[i];
    return m;
  }
}

/**
 * Percentile normalisation: the usual first step before a U-Net, mapping the [low, high]
 * percentiles of a tomogram to [0, 1] in float32 (clipped), so that a few bright metal voxels
 * or ring artefacts do not squash the contrast of bone and tissue.
 *
 * Percentiles interpolate linearly between order statistics (NumPy's default). They are exact
 * for integer volumes (a counting histogram) and, for float32, exact to 1/2^32 of the value range
 * (two nested 65536-bin histograms). Non-finite voxels are ignored; no sorted copy is made.
 *
 * @example
 * const [p1, p99] = percentiles(volume, [1, 99]);
 * const unit = normalizePercentile(volume, { low: 0.5, high: 99.5 });   // float32 in [0, 1]
 */
import { VolumeRangeError } from '../errors';
import { Volume } from '../volume';

/** The `ps` percentiles (0-100) of the volume's finite voxels. */
export function percentiles(volume: Volume, ps: readonly number[]): number[] {
  for (const p of ps) {
    if (!(p >= 0 && p <= 100)) throw new VolumeRangeError(`Percentiles are between 0 and 100, got ${p}`);
  }
  const data = volume.data;
  const finite = data instanceof Float32Array ? Private.finiteCount(data) : data.length;
  if (finite === 0) throw new VolumeRangeError('The volume has no finite voxels, so it has no percentiles');
  // Order statistics needed by linear interpolation between neighbours.
  const ranks = ps.map(p => (p / 100) * (finite - 1));
  const ks = [...new Set(ranks.flatMap(r => [Math.floor(r), Math.ceil(r)]))];
  const values = data instanceof Float32Array ? Private.floatOrderStats(data, ks) : Private.integerOrderStats(data, ks);
  const at = new Map(ks.map((k, i) => [k, values[i]]));
  return ranks.map(r => {
    const lo = at.get(Math.floor(r))!;
    const hi = at.get(Math.ceil(r))!;
    return lo + (r - Math.floor(r)) * (hi - lo);
  });
}

/** (v - p_low) / (p_high - p_low) as float32, clipped to [0, 1] unless `clip` is false; all zeros if p_low equals p_high. */
export function normalizePercentile(volume: Volume, options: normalizePercentile.IOptions = {}): Volume<Float32Array> {
  const low = options.low ?? 1;
  const high = options.high ?? 99;
  if (!(low < high)) throw new VolumeRangeError(`The low percentile must be below the high one, got ${low} and ${high}`);
  const [lo, hi] = percentiles(volume, [low, high]);
  const clip = options.clip ?? true;
  const src = volume.data;
  const out = new Float32Array(src.length);
  if (hi > lo) {
    const scale = 1 / (hi - lo);
    for (let i = 0; i < src.length; i++) {
      const v = (src[i] - lo) * scale;
      out[i] = clip ? (v < 0 ? 0 : v > 1 ? 1 : v) : v;
    }
  }
  return new Volume({ data: out, shape: volume.shape, spacing: volume.spacing, origin: volume.origin });
}

export namespace normalizePercentile {
  /** Options of normalizePercentile. */
  export interface IOptions {
    /** Percentile mapped to 0 (default 1). */
    low?: number;
    /** Percentile mapped to 1 (default 99). */
    high?: number;
    /** Clip to [0, 1] (default true). */
    clip?: boolean;
  }
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
}

/**
 * Percentile normalisation: the usual first step before a U-Net, mapping the [low, high]
 * percentiles of a tomogram to [0, 1] in float32 (clipped), so that a few bright metal voxels
 * or ring artefacts do not squash the contrast of bone and tissue.
 *
 * The percentiles come from `percentiles` (numeric/percentile.ts): linear interpolation between
 * order statistics, non-finite voxels ignored, no sorted copy.
 *
 * @example
 * const unit = normalisePercentile(volume, { low: 0.5, high: 99.5 });   // float32 in [0, 1]
 */
import { VolumeRangeError } from '../errors';
import { percentiles } from '../numeric';
import { Volume } from '../volume';

/** (v - p_low) / (p_high - p_low) as float32, clipped to [0, 1] unless `clip` is false; all zeros if p_low equals p_high. */
export function normalisePercentile(volume: Volume, options: normalisePercentile.IOptions = {}): Volume<Float32Array> {
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

export namespace normalisePercentile {
  /** Options of normalisePercentile. */
  export interface IOptions {
    /** Percentile mapped to 0 (default 1). */
    low?: number;
    /** Percentile mapped to 1 (default 99). */
    high?: number;
    /** Clip to [0, 1] (default true). */
    clip?: boolean;
  }
}

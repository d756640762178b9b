/**
 * Per-slice normalisation exactly as the model card says, over the slice's in-volume pixels
 * (NaN marks out-of-volume samples: the pipeline slices with fill NaN), then out-of-volume
 * pixels get the card's `fill`.
 *
 * percentile: (x - p_low) / max(p_high - p_low, eps), clipped to [0, 1] only if `clip`; the
 * percentiles interpolate linearly between order statistics (NumPy's default, what the
 * training recipe models/train/sunlib.py uses), found by quickselect in O(pixels).
 * zscore: (x - mean) / max(std, eps). none: unchanged.
 *
 * @example
 * const slices = sampleSlices(volume, geometry, { fill: NaN });     // [n, h, w]
 * normaliseSlices(slices, n, h * w, card.input.normalisation, card.input.fill);
 */
import type { Normalisation } from '../models';
import { selectKth } from '../filters';

/** Normalises `count` slices of `pixels` values each in place; `scratch` (>= pixels) avoids an allocation. */
export function normaliseSlices(
  data: Float32Array,
  count: number,
  pixels: number,
  rule: Normalisation,
  fill: number,
  scratch: Float32Array = new Float32Array(pixels)
): void {
  for (let s = 0; s < count; s++) {
    const slice = data.subarray(s * pixels, (s + 1) * pixels);
    let m = 0;
    for (let p = 0; p < pixels; p++) {
      const v = slice[p];
      if (v === v) scratch[m++] = v; // v === v: not NaN, i.e. inside the volume
    }
    if (m === 0) {
      slice.fill(fill);
      continue;
    }
    let offset = 0;
    let scale = 1;
    let clip = false;
    if (rule.kind === 'percentile') {
      const [lo, hi] = slicePercentiles(scratch, m, rule.low, rule.high);
      offset = lo;
      scale = 1 / Math.max(hi - lo, rule.eps);
      clip = rule.clip;
    } else if (rule.kind === 'zscore') {
      let sum = 0;
      for (let p = 0; p < m; p++) sum += scratch[p];
      const mean = sum / m;
      let sq = 0;
      for (let p = 0; p < m; p++) sq += (scratch[p] - mean) * (scratch[p] - mean);
      offset = mean;
      scale = 1 / Math.max(Math.sqrt(sq / m), 1e-6);
    }
    for (let p = 0; p < pixels; p++) {
      const v = slice[p];
      if (v !== v) {
        slice[p] = fill;
      } else {
        const x = (v - offset) * scale;
        slice[p] = clip ? (x < 0 ? 0 : x > 1 ? 1 : x) : x;
      }
    }
  }
}

/**
 * The `low` and `high` percentiles (0-100, low <= high) of values[0..m), linear interpolation
 * between order statistics. Reorders values[0..m).
 */
export function slicePercentiles(values: Float32Array, m: number, low: number, high: number): [number, number] {
  const rl = (low / 100) * (m - 1);
  const rh = (high / 100) * (m - 1);
  const kl = Math.floor(rl);
  const kh = Math.floor(rh);
  const vl = selectKth(values, kl, 0, m - 1);
  // After selecting kl, everything right of kl is >= values[kl]: the next order statistic is their minimum.
  const vl1 = kl + 1 < m ? Private.minOf(values, kl + 1, m) : vl;
  const vh = kh === kl ? vl : kh === kl + 1 ? vl1 : selectKth(values, kh, kl + 1, m - 1);
  const vh1 = kh + 1 < m ? Private.minOf(values, kh + 1, m) : vh;
  return [vl + (rl - kl) * (vl1 - vl), vh + (rh - kh) * (vh1 - vh)];
}

namespace Private {

  export function minOf(a: Float32Array, from: number, to: number): number {
    let m = Infinity;
    for (let i = from; i < to; i++) if (a[i] < m) m = a[i];
    return m;
  }
}

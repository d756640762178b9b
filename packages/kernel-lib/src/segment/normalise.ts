/**
 * Per-slice normalisation exactly as the model card says, over the slice's in-volume pixels
 * (NaN marks out-of-volume samples: the pipeline slices with fill NaN), then out-of-volume
 * pixels get the card's `fill`.
 *
 * percentile: (x - p_low) / max(p_high - p_low, eps), clipped to [0, 1] only if `clip`; the
 * percentiles interpolate linearly between order statistics (NumPy's default, what the
 * training recipe models/train/sunlib.py uses), found by quickselect in O(pixels)
 * (`percentilesInPlace`).
 * zscore: (x - mean) / max(std, eps). none: unchanged.
 *
 * @example
 * const slices = sampleSlices(volume, geometry, { fill: NaN });     // [n, h, w]
 * normaliseSlices(slices, n, h * w, card.input.normalisation, card.input.fill);
 */
import type { Normalisation } from '../models';
import { percentilesInPlace } from '../numeric';

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
      const [lo, hi] = percentilesInPlace(scratch, m, rule.low, rule.high);
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

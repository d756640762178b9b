/**
 * Noise level estimation for choosing denoising strength: the robust (median absolute)
 * spread of second differences along x, which cancels smooth gradients, with edges and
 * features left as outliers that the median ignores (after Donoho & Johnstone's MAD estimator).
 *
 * @example
 * const sigma = estimateNoiseSigma(volume);                   // intensity units
 */
import type { Volume } from '../volume';

/** Standard deviation of white noise in the volume, in intensity units (0 for a noise-free volume). */
export function estimateNoiseSigma(volume: Volume, options: { maxSamples?: number } = {}): number {
  const [nz, ny, nx] = volume.shape;
  if (nx < 3) return 0;
  const data = volume.data;
  const triples = nz * ny * (nx - 2);
  const count = Math.min(triples, options.maxSamples ?? 1 << 18);
  // An even stride over all triples, so a sample of a big volume sees all of it.
  const stride = triples / count;
  const sample = new Float64Array(count);
  for (let s = 0; s < count; s++) {
    const t = Math.floor(s * stride);
    const row = Math.floor(t / (nx - 2));
    const i = row * nx + (t - row * (nx - 2)) + 1;
    sample[s] = Math.abs(data[i - 1] - 2 * data[i] + data[i + 1]);
  }
  sample.sort();
  const mad = count % 2 ? sample[(count - 1) / 2] : (sample[count / 2 - 1] + sample[count / 2]) / 2;
  // a - 2b + c of white noise has variance 6 sigma^2; median |N(0, 1)| = 0.6745.
  return mad / (0.6744897501960817 * Math.sqrt(6));
}

/**
 * Filters: percentile normalisation, Gaussian (sigma in µm), 3D median, non-local means, and
 * the interruptible `denoise` entry point. Each takes a `Volume` and returns a new one.
 *
 * @example
 * import { denoise, normalisePercentile, gaussian } from '@mdlma/kernel';
 * const unit = normalisePercentile(volume, { low: 0.5, high: 99.5 });  // float32 in [0, 1]
 * const smooth = gaussian(volume, { sigma: 4.8 });                     // µm
 * const clean = await denoise(volume, { method: 'nlm', onProgress: (done, total) => bar.update(done / total) });
 */
export { denoise } from './denoise';
export type { DenoiseMethod, DenoiseOptions } from './denoise';
export { convolveAxis, gaussian, gaussianKernel } from './gaussian';
export { median } from './median';
export { nonLocalMeans } from './nlm';
export { estimateNoiseSigma } from './noise';
export { normalisePercentile } from './normalise';
export type { IFilterRunOptions } from './steps';

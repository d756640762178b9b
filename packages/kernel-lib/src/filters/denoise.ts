/**
 * `denoise`: one interruptible entry point for the denoisers, as step 3 of a user's day
 * ("optionally denoise"). It runs the chosen filter in chunks, reports progress, and stops with
 * the signal's reason when the signal aborts: by default the calling cell's Kernel > Interrupt.
 *
 * @example
 * const clean = await denoise(volume, { method: 'nlm', onProgress: (d, t) => bar.update(d / t) });
 * const blurred = await denoise(volume, { method: 'gaussian', sigma: 4.8 });
 * const despeckled = await denoise(labels, { method: 'median', radius: 1 });   // keeps dtype
 */
import { resolveSignal } from '../runtime/interrupt';
import { VolumeShapeError } from '../errors';
import type { Volume, VoxelArray } from '../volume';
import { gaussianSteps, type gaussian } from './gaussian';
import { medianSteps, type median } from './median';
import { nonLocalMeansSteps, type nonLocalMeans } from './nlm';
import { runStepsAsync, type IFilterRunOptions } from './steps';

/** The denoisers `denoise` knows: non-local means (edge-preserving), Gaussian, median. */
export type DenoiseMethod = 'nlm' | 'gaussian' | 'median';

/** Options of `denoise`: the method and that method's own options. */
export type DenoiseOptions =
  | ({ method: 'nlm' } & nonLocalMeans.IOptions & IFilterRunOptions)
  | ({ method: 'gaussian' } & gaussian.IOptions & IFilterRunOptions)
  | ({ method: 'median' } & median.IOptions & IFilterRunOptions);

/** Median filtering keeps the volume's dtype. */
export function denoise<A extends VoxelArray>(volume: Volume<A>, options: Extract<DenoiseOptions, { method: 'median' }>): Promise<Volume<A>>;
/** Non-local means (the default) and Gaussian smoothing return float32. */
export function denoise(volume: Volume, options?: Exclude<DenoiseOptions, { method: 'median' }>): Promise<Volume<Float32Array>>;
export function denoise(volume: Volume, options?: DenoiseOptions): Promise<Volume>;
/** The volume denoised by `options.method` (default 'nlm'); interruptible through `options.signal`. */
export async function denoise(volume: Volume, options: DenoiseOptions = { method: 'nlm' }): Promise<Volume> {
  const run = { signal: resolveSignal(options.signal), onProgress: options.onProgress };
  switch (options.method) {
    case 'nlm':
      return runStepsAsync(nonLocalMeansSteps(volume, options), run);
    case 'gaussian':
      return runStepsAsync(gaussianSteps(volume, options), run);
    case 'median':
      return runStepsAsync(medianSteps(volume, options), run);
  }
  throw new VolumeShapeError(
    `Unknown denoising method "${(options as { method?: string }).method}"; use 'nlm', 'gaussian' or 'median'`
  );
}

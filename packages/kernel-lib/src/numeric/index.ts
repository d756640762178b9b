/**
 * Numeric building blocks under every compute module (they import nothing of the library but its
 * errors): the seeded `Rng`, the exact Euclidean distance transform, percentiles and quantiles,
 * and quickselect.
 *
 * @example
 * import { Rng, distanceTransform, percentiles } from '@mdlma/kernel/numeric';
 * const rng = new Rng(42, Rng.stream('noise'));
 * const depth = distanceTransform(outside, shape, spacing);   // µm to the nearest outside voxel
 * const [p1, p99] = percentiles(volume, [1, 99]);
 */
export { distanceTransform } from './distance-transform';
export { percentiles, percentilesInPlace, sortedQuantile, sortedSample } from './percentile';
export type { PercentileData, QuantileMethod } from './percentile';
export { Rng } from './random';
export { selectKth } from './select';

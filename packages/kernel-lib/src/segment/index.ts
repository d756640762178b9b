/**
 * SUN segmentation ("Scaling the U-net", Baltruschat et al. 2021): a 2D U-Net along 1, 3 or 9
 * slicing axes, fused by soft or hard voting, with confidence and agreement maps; bounded
 * memory through z-slabs, lazy sources and slab-by-slab writers; interruptible between batches.
 *
 * @example
 * import { segment, implantPhantom } from '@mdlma/kernel';
 * const { image } = await implantPhantom({ size: 128, seed: 1000, stage: 8 });
 * const { labels, confidence, agreement, stats } = await segment(image, {
 *   model: 'sun-implant', axes: 9, voting: 'soft', outputs: { confidence: true, agreement: true }
 * });
 * console.log(stats.provider, stats.seconds, stats.meanConfidence);
 */
export { InferenceRun, predictAxis, slicesFor } from './axis';
export { normaliseSlices } from './normalise';
export { guardSegmentFiles } from './options';
export type { ResolvedOptions, SegmentFiles, SegmentOutputs } from './options';
export { resolveSegmentOptions, segment } from './segment';
export type { SegmentFileResult, SegmentResult, SegmentStats } from './segment';
export { TilePlan } from './tiling';
export type { Tile } from './tiling';
export { VoteAccumulator } from './voting';
export type { Voting } from './voting';

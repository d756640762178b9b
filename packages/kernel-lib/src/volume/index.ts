/**
 * The volume model: typed voxel arrays with shape [z, y, x], spacing and origin in µm; slicing
 * along the 9 SUN axes and mapping slice values back; resampling, cropping, padding, binning.
 *
 * @example
 * import { Volume, SliceGeometry, axesFor, sampleSlices, backProject, resample } from '@mdlma/kernel';
 * const v = Volume.zeros([32, 32, 32], 'float32', { spacing: [2.4, 2.4, 2.4] });
 * const sum = new Float32Array(v.size);
 * for (const axis of axesFor(9)) {
 *   const g = new SliceGeometry({ shape: v.shape, axis });
 *   backProject(g, sampleSlices(v, g), sum);                 // per-slice values back on the grid
 * }
 * const half = resample(v, { spacing: [4.8, 4.8, 4.8] });
 */
export { axesFor, isOrthogonalAxis, SliceGeometry, SUN_AXES } from './axes';
export type { Direction, GridBox, SliceFootprint, SunAxis } from './axes';
export { backProject } from './backproject';
export type { GridAccumulator, SliceValues } from './backproject';
export { bin } from './binning';
export type { BinMethod } from './binning';
export { allocate, bytesPerVoxel, DTYPES, dtypeOf, dtypeRange, isDType, viewOf } from './dtype';
export type { DType, DTypeArrays, VoxelArray } from './dtype';
export { crop, pad } from './region';
export type { Index3 } from './region';
export { resample } from './resample';
export type { ResampleMethod } from './resample';
export { orthoSlice, sampleSlices, sliceStack } from './slicing';
export type { Slice2D, SliceStack } from './slicing';
export { Volume } from './volume';
export type { Shape3, Vec3 } from './volume';
export { memorySource } from './source';
export type { Region, SlabReadOptions, VolumeSource } from './source';

/**
 * The volume model: typed voxel arrays with shape [z, y, x], spacing and origin in µm.
 *
 * @example
 * import { Volume } from '@mdlma/kernel';
 * const v = Volume.zeros([32, 32, 32], 'float32', { spacing: [2.4, 2.4, 2.4] });
 */
export { allocate, bytesPerVoxel, DTYPES, dtypeOf, dtypeRange, isDType, viewOf } from './dtype';
export type { DType, DTypeArrays, VoxelArray } from './dtype';
export { Volume } from './volume';
export type { Shape3, Vec3 } from './volume';

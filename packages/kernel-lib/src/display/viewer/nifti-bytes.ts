/**
 * A volume as NIfTI-1 bytes in memory: the format of the viewer's cached layers and of the
 * preview embedded in the notebook. The header comes from io's `encodeNiftiHeader` with the
 * sform alone placing the layer (its affine is diagonal with positive spacing, so that the
 * viewer's RAS voxel order equals ours, x fastest, and no axis is flipped).
 *
 * @example
 * const header = niftiHeader(volume);              // 352 bytes: header + empty extension flag
 * const file = Buffer.concat([header, voxelBuffer(volume)]);
 */
import { encodeNiftiHeader, type NiftiScaling } from '../../io';
import type { Volume } from '../../volume';

/** The NIfTI-1 header (with extension flag) of a viewer layer showing `volume`, optionally with a value scaling. */
export function niftiHeader(volume: Volume, description = 'MDLMA Lab viewer layer', scaling: NiftiScaling = { slope: 1, inter: 0 }): Uint8Array {
  return encodeNiftiHeader(volume, { version: 1, placement: 'aligned', description, scaling });
}

/** The voxels of `volume` as bytes (a view, no copy; platform byte order, little-endian here). */
export function voxelBuffer(volume: Volume): Buffer {
  const data = volume.data;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** A whole NIfTI-1 file in memory (small volumes: previews, tests). */
export function niftiBytes(volume: Volume, scaling?: NiftiScaling): Buffer {
  return Buffer.concat([niftiHeader(volume, undefined, scaling), voxelBuffer(volume)]);
}

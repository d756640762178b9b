/**
 * A volume as NIfTI-1 bytes in memory: the format of the viewer's cached layers and of the
 * preview embedded in the notebook. The affine is diagonal with positive spacing, so that
 * the viewer's RAS voxel order equals ours (x fastest) and no axis is flipped.
 *
 * @example
 * const header = niftiHeader(volume);              // 352 bytes: header + empty extension flag
 * const file = Buffer.concat([header, voxelBuffer(volume)]);
 */
import type { DType, Volume } from '../../volume';

/** Bytes before the voxels: the 348-byte header and the 4-byte extension flag. */
export const NIFTI_VOX_OFFSET = 352;

/** Linear map from stored to true values: true = slope * stored + inter (NIfTI scl_slope, scl_inter). */
export interface NiftiScaling {
  slope: number;
  inter: number;
}

/** The NIfTI-1 header (with extension flag) describing `volume`, optionally with a value scaling. */
export function niftiHeader(volume: Volume, description = 'MDLMA Lab viewer layer', scaling: NiftiScaling = { slope: 1, inter: 0 }): Uint8Array {
  const bytes = new Uint8Array(NIFTI_VOX_OFFSET);
  const view = new DataView(bytes.buffer);
  const [nz, ny, nx] = volume.shape;
  const [sz, sy, sx] = volume.spacing;
  const [oz, oy, ox] = volume.origin;
  const { code, bitpix } = Private.DATATYPES[volume.dtype];
  view.setInt32(0, 348, true);
  [3, nx, ny, nz, 1, 1, 1, 1].forEach((n, i) => view.setInt16(40 + 2 * i, n, true));
  view.setInt16(70, code, true);
  view.setInt16(72, bitpix, true);
  [1, sx, sy, sz, 1, 1, 1, 1].forEach((v, i) => view.setFloat32(76 + 4 * i, v, true));
  view.setFloat32(108, NIFTI_VOX_OFFSET, true);
  view.setFloat32(112, scaling.slope, true);
  view.setFloat32(116, scaling.inter, true);
  view.setUint8(123, 3); // xyzt_units: NIFTI_UNITS_MICRON (nifti1.h)
  bytes.set(new TextEncoder().encode(description.slice(0, 79)), 148);
  view.setInt16(254, 2, true); // sform_code: NIFTI_XFORM_ALIGNED_ANAT
  const rows = [[sx, 0, 0, ox], [0, sy, 0, oy], [0, 0, sz, oz]];
  rows.forEach((row, r) => row.forEach((v, c) => view.setFloat32(280 + 16 * r + 4 * c, v, true)));
  bytes.set([0x6e, 0x2b, 0x31, 0], 344); // "n+1\0": header and voxels in one file
  return bytes;
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

namespace Private {
  /** NIfTI-1 datatype codes (nifti1.h) of our voxel types. */
  export const DATATYPES: Record<DType, { code: number; bitpix: number }> = {
    uint8: { code: 2, bitpix: 8 },
    int16: { code: 4, bitpix: 16 },
    float32: { code: 16, bitpix: 32 },
    uint16: { code: 512, bitpix: 16 }
  };
}

/**
 * Displacement fields as NIfTI-1 vector images (.nii, .nii.gz): dims [5, nx, ny, nz, 1, 3],
 * float32, intent NIFTI_INTENT_DISPLACEMENT_VECTOR (1006), the components (dx, dy, dz) in µm along the
 * NIfTI i, j, k axes (our x, y, z), voxel size and origin as for volumes (xyzt_units µm). The fixed
 * voxel at physical point p corresponds to the moving point p + d(p), the convention of ITK, ANTs
 * and Learn2Reg displacement fields.
 *
 * @example
 * await writeFieldNifti('field.nii.gz', field);
 * const back = await readFieldNifti('field.nii.gz');      // DisplacementField in voxels
 */
import { promises as fs } from 'fs';
import { gunzipSync, gzipSync } from 'zlib';

import { RegistrationInputError, VolumeFormatError } from '../errors';
import { writeFileAtomically } from '../files';
import { encodeNiftiHeader } from '../io';
import { DisplacementField } from './field';

/** NIFTI_INTENT_DISPLACEMENT_VECTOR (nifti1.h). */
export const NIFTI_INTENT_DISPLACEMENT_VECTOR = 1006;

/** Writes `field` to a .nii or .nii.gz file (atomically: a temporary name, then a rename). */
export async function writeFieldNifti(path: string, field: DisplacementField): Promise<void> {
  const gz = /\.nii\.gz$/i.test(path);
  if (!gz && !/\.nii$/i.test(path)) {
    throw new RegistrationInputError('field file', `"${path}" must end in .nii or .nii.gz (displacement fields are written as NIfTI vector images)`);
  }
  if (field.shape.some(n => n > 32767)) throw new RegistrationInputError('field', `of shape [${field.shape.join(', ')}] is too large for NIfTI-1`);
  const header = encodeNiftiHeader({ shape: field.shape, dtype: 'float32', spacing: field.spacing, origin: field.origin }, { version: 1 });
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  view.setInt16(40, 5, true); // dim[0]: 5 dimensions
  view.setInt16(48, 1, true); // dim[4]: one time point
  view.setInt16(50, 3, true); // dim[5]: three components
  view.setInt16(68, NIFTI_INTENT_DISPLACEMENT_VECTOR, true);
  const name = 'disp um xyz';
  for (let i = 0; i < 16; i++) header[328 + i] = i < name.length ? name.charCodeAt(i) : 0;
  const n = field.size;
  const voxels = new Float32Array(3 * n);
  // NIfTI component c: 0 = x, 1 = y, 2 = z; ours: axis 2 = x, 1 = y, 0 = z.
  for (let c = 0; c < 3; c++) {
    const axis = 2 - c;
    const src = field.component(axis as 0 | 1 | 2);
    const s = field.spacing[axis];
    for (let i = 0; i < n; i++) voxels[c * n + i] = src[i] * s;
  }
  const body = Buffer.concat([Buffer.from(header), Buffer.from(voxels.buffer, voxels.byteOffset, voxels.byteLength)]);
  await writeFileAtomically(path, gz ? gzipSync(body, { level: 1 }) : body);
}

/** Reads a displacement field written by `writeFieldNifti` (or any float NIfTI-1 vector image [nx, ny, nz, 1, 3] in µm). */
export async function readFieldNifti(path: string): Promise<DisplacementField> {
  let bytes: Buffer = await fs.readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  if (bytes.length < 352) throw new VolumeFormatError(path, 'is too short for a NIfTI-1 header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = view.getInt32(0, true) === 348;
  if (!little && view.getInt32(0, false) !== 348) throw new VolumeFormatError(path, 'is not a NIfTI-1 file');
  const dims = Array.from({ length: 8 }, (_, i) => view.getInt16(40 + 2 * i, little));
  if (dims[0] !== 5 || dims[4] !== 1 || dims[5] !== 3) {
    throw new VolumeFormatError(path, `is not a displacement field: dims [${dims.slice(1, dims[0] + 1).join(', ')}] (expected [nx, ny, nz, 1, 3])`);
  }
  const datatype = view.getInt16(70, little);
  if (datatype !== 16 && datatype !== 64) throw new VolumeFormatError(path, `has datatype ${datatype}; displacement fields are float32 or float64`);
  const bytesPer = datatype === 16 ? 4 : 8;
  const offset = Math.round(view.getFloat32(108, little));
  const [nx, ny, nz] = [dims[1], dims[2], dims[3]];
  const n = nx * ny * nz;
  if (bytes.length < offset + 3 * n * bytesPer) throw new VolumeFormatError(path, 'is truncated');
  const unit = ({ 1: 1e6, 2: 1e3, 3: 1 } as Record<number, number>)[bytes[123] & 7] ?? 1;
  const spacing = [3, 2, 1].map(i => Math.abs(view.getFloat32(76 + 4 * i, little) || 1) * unit) as [number, number, number];
  const sform = view.getInt16(254, little) > 0;
  const origin = (sform ? [2, 1, 0].map(r => view.getFloat32(280 + 16 * r + 12, little)) : [2, 1, 0].map(r => view.getFloat32(268 + 4 * r, little))).map(v => v * unit) as [number, number, number];
  const field = DisplacementField.zeros({ shape: [nz, ny, nx], spacing, origin });
  for (let c = 0; c < 3; c++) {
    const axis = 2 - c;
    const out = field.component(axis as 0 | 1 | 2);
    const scale = unit / spacing[axis];
    for (let i = 0; i < n; i++) {
      const at = offset + (c * n + i) * bytesPer;
      out[i] = (bytesPer === 4 ? view.getFloat32(at, little) : view.getFloat64(at, little)) * scale;
    }
  }
  if (!field.data.every(Number.isFinite)) throw new VolumeFormatError(path, 'has non-finite displacements');
  return field;
}

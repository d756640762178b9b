/**
 * Volume I/O: read and write tomograms in the formats beamlines produce: TIFF (multi-page or a
 * folder of slices), NIfTI-1/-2 (.nii, .nii.gz), HDF5/NeXus, Zarr v2/v3, raw + JSON sidecar.
 *
 * - `open(path)` reads only the header and returns a `VolumeSource`; `readSlab` / `readRegion`
 *   read only what is asked (positioned reads; chunks for HDF5/Zarr; a streaming inflate for gzip).
 * - `read(path)` loads a whole volume; the format comes from the content, not the name.
 * - `write(path, volume | source)` writes atomically (temporary name, then rename), slab by slab.
 * - Writers call `guardOutputs` first: an output that resolves (symlinks and hard links included)
 *   to an input or to another output of the same call raises OutputPathError, and nothing is written.
 * - Every bad input raises a typed error naming the file: VolumeNotFoundError, VolumeFormatError
 *   (wrong magic, truncated, inconsistent header, a FIFO or device where a file belongs,
 *   NaN/Inf under the default policy),
 *   UnsupportedDTypeError, VolumeShapeError (zero or negative dimensions), VolumeRangeError
 *   (a slab outside the volume).
 * - Voxel types: uint8, uint16, int16, float32 are kept; int8 → int16, int32/uint32/float64 →
 *   float32 (see voxel-types.ts). NaN/Inf in float data: `nonFinite: 'error' | 'keep' | 'zero'`.
 *
 * @example
 * import { open, read, write } from '@mdlma/kernel';
 * const src = await open('/data/p05/scan_0042.nxs');
 * console.log(src.shape, src.dtype, src.spacing);
 * const slab = await src.readSlab(1000, 1064);
 * await src.close();
 *
 * const labels = await read('labels.nii.gz');
 * await write('labels.zarr', labels, { zarr: { chunks: [64, 256, 256] } });
 */
export { open, read, write, createWriter } from './volume-io';
export type { WriteOptions } from './volume-io';
export type { NonFinitePolicy, OpenOptions, Region, SlabReadOptions, VolumeFormat, VolumeSource } from './source';
export type { SlabWriteOptions, VolumeWriter, WriteHeader } from './writer';
export { sniffFormat, formatFromExtension } from './sniff';
export { checkRegularFile } from './file';
export { guardOutputs, confineToFolder } from './output-guard';
export type { NamedPaths } from './output-guard';
export { writeAtomically } from './atomic';
export { openTiff, openTiffStack } from './tiff';
export type { TiffWriteOptions } from './tiff-writer';
export { openNifti, NIFTI_GZIP_LEVEL } from './nifti';
export type { NiftiSource, NiftiWriteOptions } from './nifti';
export { openHdf5, NEXUS_DATA_PATH } from './hdf5';
export type { Hdf5WriteOptions } from './hdf5';
export { openZarr, createZarr, openZarrWriter } from './zarr';
export type { ZarrWriteOptions, ZarrWriter } from './zarr';
export { openRaw } from './raw';
export type { RawSidecar } from './raw';

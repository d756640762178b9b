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
 * Layout: one folder per format family (`nifti/`, `tiff/`, `zarr/`, `hdf5/`, `raw/`); what they
 * share sits here: `source.ts` (the `VolumeSource` base), `sniff.ts`, `file.ts` (positioned reads,
 * regular-file checks), `gzip-cursor.ts`, `contiguous.ts`, `voxel-types.ts`, `writer.ts` (slab
 * writers), `output-guard.ts`, and `volume-io.ts` (`open`/`read`/`write`: the dispatch by format).
 * Atomic writes are in files/.
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
// Reading and writing any format.
export { createWriter, open, read, write } from './volume-io';
export type { NonFinitePolicy, Region, SlabReadOptions, VolumeFormat, VolumeSource } from './source';
export type { SlabWriteOptions, VolumeWriter, WriteHeader } from './writer';
export { formatFromExtension, sniffFormat } from './sniff';
export { checkRegularFile, notRegularFileError } from './file';
export { confineToFolder, guardOutputs } from './output-guard';
export type { NamedPaths } from './output-guard';
export { writeAtomically } from '../files';
// One format family each.
export { encodeNiftiHeader, NIFTI_VOX_OFFSET } from './nifti/header';
export type { NiftiScaling } from './nifti/header';
export { NIFTI_GZIP_LEVEL, openNifti } from './nifti/nifti';
export type { NiftiSource, NiftiWriteOptions } from './nifti/nifti';
export { openTiff, openTiffStack } from './tiff/tiff';
export type { TiffWriteOptions } from './tiff/writer';
export { createZarr, openZarr, openZarrWriter } from './zarr/zarr';
export type { ZarrWriteOptions, ZarrWriter } from './zarr/zarr';
export { NEXUS_DATA_PATH, openHdf5 } from './hdf5/hdf5';
export type { Hdf5WriteOptions } from './hdf5/hdf5';
export { openRaw } from './raw/raw';
export type { RawSidecar } from './raw/raw';

/**
 * The three entry points: `open` (lazy), `read` (whole volume), `write` (atomic, slab by slab),
 * dispatching to the format modules.
 *
 * @example
 * const v = await read('scan.tif');
 * await write('scan.zarr', v);
 * const src = await open('scan.zarr');
 * await write('copy.nii.gz', src);     // converts slab by slab, never holding the whole volume
 */
import { VolumeFormatError } from '../errors';
import { throwIfInterrupted, resolveSignal } from '../runtime/interrupt';
import { allocate, bytesPerVoxel, Volume } from '../volume';
import { createHdf5Writer, Hdf5WriteOptions, openHdf5 } from './hdf5/hdf5';
import { createNiftiWriter, NiftiWriteOptions, openNifti } from './nifti/nifti';
import { guardOutputs } from './output-guard';
import { createRawWriter, openRaw } from './raw/raw';
import { formatFromExtension, sniffFormat } from './sniff';
import { NonFinitePolicy, VolumeFormat, VolumeSource } from './source';
import { openTiff, openTiffStack } from './tiff/tiff';
import { createTiffStackWriter, createTiffWriter, TiffWriteOptions } from './tiff/writer';
import { slabRanges, VolumeWriter, WriteHeader } from './writer';
import { createZarrWriter, openZarr, ZarrWriteOptions } from './zarr/zarr';

/** Open a volume lazily: only its header is read; the format is found from the content. */
export async function open(path: string, options: open.IOptions = {}): Promise<VolumeSource> {
  const format = options.format ?? (await sniffFormat(path));
  switch (format) {
    case 'tiff':
      return openTiff(path, options);
    case 'tiff-stack':
      return openTiffStack(path, options);
    case 'nifti':
      return openNifti(path, options);
    case 'hdf5':
      return openHdf5(path, options);
    case 'zarr':
      return openZarr(path, options);
    case 'raw':
      return openRaw(path, options);
  }
  throw new VolumeFormatError(path, `unknown format "${format}"`);
}

/** Types of `open`. */
export namespace open {
  /** Options of `open` and `read`. */
  export interface IOptions {
    /** Skip sniffing and read as this format. */
    format?: VolumeFormat;
    /** HDF5 dataset path or Zarr array path inside the container (default: NeXus discovery / the root array). */
    dataset?: string;
    /** NaN/Inf handling (default 'error'). */
    nonFinite?: NonFinitePolicy;
    /** Aborts a long read (default: the calling cell's interrupt). */
    signal?: AbortSignal;
  }
}

/** Read a whole volume into memory (slab by slab, so the only extra memory is one slab). */
export async function read(path: string, options: open.IOptions = {}): Promise<Volume> {
  const signal = resolveSignal(options.signal);
  const source = await open(path, options);
  try {
    const { shape, dtype, spacing, origin } = source;
    const out = new Volume({ data: allocate(dtype, shape[0] * shape[1] * shape[2]), shape, spacing, origin });
    const plane = shape[1] * shape[2];
    for (const [z0, z1] of slabRanges(shape, bytesPerVoxel(dtype))) {
      throwIfInterrupted(signal);
      const slab = await source.readSlab(z0, z1, { signal });
      out.data.set(slab.data as ArrayLike<number>, z0 * plane);
    }
    return out;
  } finally {
    await source.close();
  }
}

/** Start writing a volume slab by slab; nothing appears at `path` until `commit`. */
export async function createWriter(path: string, header: WriteHeader, options: write.IOptions = {}): Promise<VolumeWriter> {
  Volume.checkShape(header.shape);
  const format = options.format ?? formatFromExtension(path);
  switch (format) {
    case 'tiff':
      return createTiffWriter(path, header, options.tiff);
    case 'tiff-stack':
      return createTiffStackWriter(path, header, options.tiff);
    case 'nifti':
      return createNiftiWriter(path, header, options.nifti);
    case 'hdf5':
      return createHdf5Writer(path, header, options.hdf5);
    case 'zarr':
      return createZarrWriter(path, header, options.zarr);
    case 'raw':
      return createRawWriter(path, header);
  }
  throw new VolumeFormatError(path, 'cannot tell the format from the extension (.tif, .nii, .nii.gz, .h5, .nxs, .zarr, .raw); pass {format}');
}

/**
 * Write a volume (or copy a lazy source, slab by slab) atomically: on any failure, including an
 * interrupt, nothing is left at `path` and an existing file there is untouched. A source is never
 * written onto its own file (OutputPathError).
 */
export async function write(path: string, volume: Volume | VolumeSource, options: write.IOptions = {}): Promise<void> {
  const signal = resolveSignal(options.signal);
  if (!(volume instanceof Volume) && volume.format !== 'memory') await guardOutputs({ 'the output': path }, { 'the source': volume.path });
  const { shape, dtype, spacing, origin } = volume;
  const writer = await createWriter(path, { shape, dtype, spacing, origin }, options);
  try {
    for (const [z0, z1] of slabRanges(shape, bytesPerVoxel(dtype))) {
      throwIfInterrupted(signal);
      const slab = volume instanceof Volume ? volume.slab(z0, z1) : await volume.readSlab(z0, z1, { signal });
      await writer.writeSlab(z0, slab, { signal });
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Types of `write`. */
export namespace write {
  /** Options of `write` and `createWriter`. */
  export interface IOptions {
    /** Format (default: from the extension; 'tiff-stack' must be asked for). */
    format?: VolumeFormat;
    /** Aborts the write; nothing is left behind (default: the calling cell's interrupt). */
    signal?: AbortSignal;
    tiff?: TiffWriteOptions;
    nifti?: NiftiWriteOptions;
    hdf5?: Hdf5WriteOptions;
    zarr?: ZarrWriteOptions;
  }
}

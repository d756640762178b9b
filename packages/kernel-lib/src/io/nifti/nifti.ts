/**
 * NIfTI-1 and NIfTI-2 volumes, `.nii` and `.nii.gz`. Uncompressed files are read with positioned
 * reads; gzip files by a streaming inflate that stops once the slab is out (see gzip-cursor.ts).
 * What is kept from the header is described in header.ts.
 *
 * @example
 * const src = await openNifti('scan.nii.gz');
 * const slab = await src.readSlab(100, 132);
 * await write('labels.nii.gz', labels);      // through createNiftiWriter
 */
import { VolumeFormatError } from '../../errors';
import { AtomicFile } from '../../files';
import { allocate, VoxelArray } from '../../volume';
import { readContiguous } from '../contiguous';
import type { CountingReader } from '../counting-reader';
import { RandomAccessFile } from '../file';
import { GzipCursor } from '../gzip-cursor';
import { BaseSource, Box, NonFinitePolicy } from '../source';
import { targetDType } from '../voxel-types';
import { AtomicFileWriter, WriteHeader } from '../writer';
import { encodeNiftiHeader, NIFTI_HEAD_BYTES, NiftiHeader, niftiSignature, parseNiftiHeader } from './header';

/** gzip level of written .nii.gz: tomograms compress poorly, and level 1 is several times faster than the default 6. */
export const NIFTI_GZIP_LEVEL = 1;

/** Open a NIfTI file lazily (reads only the header). */
export async function openNifti(path: string, options: { nonFinite?: NonFinitePolicy } = {}): Promise<NiftiSource> {
  const file = await RandomAccessFile.open(path);
  let reader: CountingReader = file;
  try {
    const magic = await file.readUpTo(0, 2);
    const gzipped = magic[0] === 0x1f && magic[1] === 0x8b;
    if (gzipped) {
      await file.close();
      reader = new GzipCursor(path);
    }
    // Read 348 bytes first: NIfTI-1 voxels may start at 352, and reading past them would restart a gzip stream.
    let head = await reader.readUpTo(0, 348);
    if (niftiSignature(head)?.version === 2) head = Private.concat(head, await reader.readUpTo(348, NIFTI_HEAD_BYTES - 348));
    const header = await parseNiftiHeader(path, head);
    if (!gzipped) Private.checkSize(path, header, file.size);
    return new NiftiSource(path, reader, header, options);
  } catch (error) {
    await reader.close();
    throw error;
  }
}

/** A NIfTI file opened for slab reads. */
export class NiftiSource extends BaseSource {
  constructor(
    path: string,
    private _reader: CountingReader,
    readonly header: NiftiHeader,
    options: { nonFinite?: NonFinitePolicy }
  ) {
    super(path, 'nifti', { ...header, dtype: header.scaling ? 'float32' : targetDType(header.stored, path) }, options);
  }

  /** 4x4 voxel-to-world matrix in µm (rotation and flips included; see header.ts). */
  get affine(): number[][] {
    return this.header.affine;
  }

  get bytesRead(): number {
    return this._reader.bytesRead;
  }

  protected async load(box: Box, signal: AbortSignal): Promise<VoxelArray> {
    const { stored, shape, voxOffset, scaling } = this.header;
    const fileType = targetDType(stored, this.path);
    const data = await readContiguous(this._reader, { dataOffset: voxOffset, stored, shape, dtype: fileType }, box, signal);
    if (this._reader instanceof GzipCursor && box.z1 === shape[0] && box.y1 === shape[1]) {
      // The last voxel was read: check the gzip trailer and that no data follows (dims vs size).
      const end = voxOffset + shape[0] * shape[1] * shape[2] * stored.bytes;
      const extra = await this._reader.bytesAfter(end);
      if (extra > 0) {
        throw new VolumeFormatError(this.path, `inconsistent header: ${extra} bytes of data after the ${shape[2]} x ${shape[1]} x ${shape[0]} voxels; check dim and datatype`);
      }
    }
    if (!scaling) return data;
    const out = fileType === 'float32' ? data : allocate('float32', data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i] * scaling.slope + scaling.inter;
    return out;
  }

  protected release(): Promise<void> {
    return this._reader.close();
  }
}

/** Options of `createNiftiWriter`. */
export interface NiftiWriteOptions {
  /** gzip level for .nii.gz (default NIFTI_GZIP_LEVEL); ignored for .nii. */
  gzipLevel?: number;
  /** Force NIfTI-1 or -2 (default: 1 unless a dimension exceeds 32767). */
  version?: 1 | 2;
}

/** Start writing a NIfTI file slab by slab (.nii.gz compresses): little-endian, units µm, qform = sform = spacing + origin. */
export async function createNiftiWriter(path: string, header: WriteHeader, options: NiftiWriteOptions = {}): Promise<AtomicFileWriter> {
  const gzip = /\.gz$/i.test(path);
  const out = await AtomicFile.create(path, gzip ? { gzipLevel: options.gzipLevel ?? NIFTI_GZIP_LEVEL } : {});
  try {
    await out.write(encodeNiftiHeader(header, { version: options.version }));
  } catch (error) {
    await out.abort();
    throw error;
  }
  return new AtomicFileWriter(path, header, out);
}

namespace Private {
  export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
    const out = new Uint8Array(a.byteLength + b.byteLength);
    out.set(a);
    out.set(b, a.byteLength);
    return out;
  }

  export function checkSize(path: string, header: NiftiHeader, size: number): void {
    const [nz, ny, nx] = header.shape;
    const expected = header.voxOffset + nz * ny * nx * header.stored.bytes;
    if (size < expected) {
      throw new VolumeFormatError(path, `truncated or inconsistent header: dims [${nx}, ${ny}, ${nz}] need ${expected} bytes, the file has ${size}`);
    }
    if (size > expected) {
      throw new VolumeFormatError(path, `inconsistent header: dims [${nx}, ${ny}, ${nz}] need ${expected} bytes but the file has ${size}; check dim and datatype`);
    }
  }
}

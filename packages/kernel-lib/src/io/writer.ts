/**
 * `VolumeWriter`: a volume written slab by slab, so that a volume larger than memory can be
 * converted or produced without holding it whole. Nothing appears at the target path until
 * `commit` (formats written in place for cluster jobs, Zarr, say so).
 *
 * @example
 * const out = await createWriter('labels.nii.gz', { shape, dtype: 'uint8', spacing, origin });
 * try {
 *   for (let z = 0; z < shape[0]; z += 32) await out.writeSlab(z, labelsOf(z, z + 32));
 *   await out.commit();
 * } catch (e) { await out.abort(); throw e; }
 */
import { VolumeShapeError } from '../errors';
import type { AtomicFile } from '../files';
import { throwIfInterrupted, resolveSignal } from '../runtime/interrupt';
import { DType, Shape3, Vec3, Volume } from '../volume';
import { READ_CHUNK_BYTES } from './contiguous';

/** Geometry and dtype of a volume to write. */
export interface WriteHeader {
  shape: Shape3;
  dtype: DType;
  spacing: Vec3;
  origin: Vec3;
}

/** Options of every slab write. */
export interface SlabWriteOptions {
  /** Aborts the write (default: the calling cell's interrupt). */
  signal?: AbortSignal;
}

/** A volume being written. */
export interface VolumeWriter {
  /** The target path. */
  readonly path: string;
  /** Write slices z0 .. z0 + slab.shape[0]; sequential formats need them in order. */
  writeSlab(z0: number, slab: Volume, options?: SlabWriteOptions): Promise<void>;
  /** Finish and move into place; throws VolumeShapeError if slices are missing. */
  commit(): Promise<void>;
  /** Stop and remove everything written. */
  abort(): Promise<void>;
}

/** Slab checks shared by the writers of sequential formats (raw, NIfTI, TIFF). */
export abstract class SequentialWriter implements VolumeWriter {
  constructor(readonly path: string, readonly header: WriteHeader) {}

  async writeSlab(z0: number, slab: Volume, options: SlabWriteOptions = {}): Promise<void> {
    const signal = startSlabWrite(this.path, this.header, z0, slab, options);
    if (z0 !== this.next) {
      throw new VolumeShapeError(`${this.path}: slabs must be written in order; expected z0 = ${this.next}, got ${z0}`);
    }
    await this.append(slab, signal);
    this.next += slab.shape[0];
  }

  async commit(): Promise<void> {
    if (this.next !== this.header.shape[0]) {
      throw new VolumeShapeError(`${this.path}: only ${this.next} of ${this.header.shape[0]} slices were written`);
    }
    await this.finish();
  }

  abstract abort(): Promise<void>;

  /** Write a checked slab. */
  protected abstract append(slab: Volume, signal: AbortSignal): Promise<void>;

  /** Flush and rename into place. */
  protected abstract finish(): Promise<void>;

  /** Next slice expected. */
  protected next = 0;
}

/** A sequential writer streaming the voxels into one atomic file (raw, NIfTI after its header): the file appears on commit. */
export class AtomicFileWriter extends SequentialWriter {
  constructor(path: string, header: WriteHeader, protected readonly out: AtomicFile) {
    super(path, header);
  }

  async abort(): Promise<void> {
    await this.out.abort();
  }

  protected async append(slab: Volume): Promise<void> {
    for (const bytes of voxelBytes(slab)) await this.out.write(bytes);
  }

  protected finish(): Promise<void> {
    return this.out.commit();
  }
}

/**
 * How every slab write begins: stop if interrupted, and throw VolumeShapeError unless `slab` fits `header` at z0.
 * Returns the signal the write runs under.
 */
export function startSlabWrite(path: string, header: WriteHeader, z0: number, slab: Volume, options: SlabWriteOptions): AbortSignal {
  const signal = resolveSignal(options.signal);
  throwIfInterrupted(signal);
  checkSlab(path, header, z0, slab);
  return signal;
}

/** Throws VolumeShapeError unless `slab` fits `header` at z0. */
export function checkSlab(path: string, header: WriteHeader, z0: number, slab: Volume): void {
  const [nz, ny, nx] = header.shape;
  if (slab.shape[1] !== ny || slab.shape[2] !== nx || !Number.isInteger(z0) || z0 < 0 || z0 + slab.shape[0] > nz) {
    throw new VolumeShapeError(
      `${path}: slab of shape [${slab.shape.join(', ')}] at z0 = ${z0} does not fit the volume [${header.shape.join(', ')}]`
    );
  }
  if (slab.dtype !== header.dtype) {
    throw new VolumeShapeError(`${path}: slab is ${slab.dtype} but the volume is ${header.dtype}; convert it with astype()`);
  }
}

/** The voxel bytes of `volume` (host order, little-endian on every supported machine), in pieces of at most 64 MiB, without copying. */
export function* voxelBytes(volume: Volume): Generator<Uint8Array> {
  const { buffer, byteOffset, byteLength } = volume.data;
  for (let done = 0; done < byteLength; done += READ_CHUNK_BYTES) {
    yield new Uint8Array(buffer, byteOffset + done, Math.min(READ_CHUNK_BYTES, byteLength - done));
  }
}

/** Slab ranges [z0, z1) of at most ~`bytes` each for a volume of `shape` and `bytesPerVoxel`. */
export function slabRanges(shape: Shape3, bytesPerVoxel: number, bytes = READ_CHUNK_BYTES): Array<[number, number]> {
  const plane = shape[1] * shape[2] * bytesPerVoxel;
  const depth = Math.max(1, Math.floor(bytes / plane));
  const out: Array<[number, number]> = [];
  for (let z = 0; z < shape[0]; z += depth) out.push([z, Math.min(shape[0], z + depth)]);
  return out;
}

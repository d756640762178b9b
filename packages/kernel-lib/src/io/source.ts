/**
 * `VolumeSource`: a volume on disk, opened lazily. Only the header is read on open; `readSlab`
 * and `readRegion` read just the voxels asked for.
 *
 * @example
 * const src = await open('scan.nii.gz');
 * for (let z = 0; z < src.shape[0]; z += 64) {
 *   const slab = await src.readSlab(z, Math.min(z + 64, src.shape[0]));
 *   ...
 * }
 * await src.close();
 */
import { VolumeFormatError, VolumeRangeError } from '../errors';
import { throwIfInterrupted, resolveSignal } from '../runtime/interrupt';
import { DType, Region, Shape3, SlabReadOptions, Vec3, Volume, VolumeSource, VoxelArray } from '../volume';
import { countNonFinite, zeroNonFinite } from './voxel-types';

/** The on-disk formats that `open`, `read` and `write` handle. */
export type VolumeFormat = 'tiff' | 'tiff-stack' | 'nifti' | 'hdf5' | 'zarr' | 'raw';

/**
 * What to do with NaN or infinite voxels in float data: 'error' (default) raises
 * VolumeFormatError naming the file and the count; 'keep' returns them; 'zero' replaces them by 0.
 */
export type NonFinitePolicy = 'error' | 'keep' | 'zero';

// The lazy-volume contract belongs to volume/ (DESIGN.md); io/ implements it per format.
export type { Region, SlabReadOptions, VolumeSource } from '../volume';

/** A region as six integers (internal form; validated). */
export interface Box {
  z0: number;
  z1: number;
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/** Geometry and dtype a reader found in a header. */
export interface SourceHeader {
  shape: Shape3;
  dtype: DType;
  spacing: Vec3;
  origin: Vec3;
}

/** What every format's source shares: range checks, interrupt, NaN policy, geometry of the result. */
export abstract class BaseSource implements VolumeSource {
  constructor(readonly path: string, readonly format: VolumeFormat, header: SourceHeader, options: { nonFinite?: NonFinitePolicy } = {}) {
    this.shape = header.shape;
    this.dtype = header.dtype;
    this.spacing = header.spacing;
    this.origin = header.origin;
    this._nonFinite = options.nonFinite ?? 'error';
  }

  readonly shape: Shape3;
  readonly dtype: DType;
  readonly spacing: Vec3;
  readonly origin: Vec3;

  abstract get bytesRead(): number | undefined;

  /** Slices z0 <= z < z1. */
  readSlab(z0: number, z1: number, options: SlabReadOptions = {}): Promise<Volume> {
    return this.readRegion({ z: [z0, z1], y: [0, this.shape[1]], x: [0, this.shape[2]] }, options);
  }

  /** A box of voxels. */
  async readRegion(region: Region, options: SlabReadOptions = {}): Promise<Volume> {
    const signal = resolveSignal(options.signal);
    throwIfInterrupted(signal);
    if (this._closed) throw new VolumeRangeError(`${this.path}: the source is closed; open it again`);
    const box = Private.checkRegion(this.path, this.shape, region);
    const data = await this.load(box, signal);
    this._applyNonFinite(data, box);
    const { spacing, origin } = this;
    return new Volume({
      data,
      shape: [box.z1 - box.z0, box.y1 - box.y0, box.x1 - box.x0],
      spacing,
      origin: [origin[0] + box.z0 * spacing[0], origin[1] + box.y0 * spacing[1], origin[2] + box.x0 * spacing[2]]
    });
  }

  /** Release resources. */
  async close(): Promise<void> {
    this._closed = true;
    await this.release();
  }

  /** Read the voxels of a validated box, in C order, converted to `dtype`. */
  protected abstract load(box: Box, signal: AbortSignal): Promise<VoxelArray>;

  /** Free handles (called once by `close`). */
  protected abstract release(): Promise<void>;

  private _applyNonFinite(data: VoxelArray, box: Box): void {
    if (this._nonFinite === 'keep' || this.dtype !== 'float32') return;
    if (this._nonFinite === 'zero') return zeroNonFinite(data);
    const bad = countNonFinite(data);
    if (bad > 0) {
      throw new VolumeFormatError(
        this.path,
        `${bad} NaN or infinite voxels in z ${box.z0}..${box.z1}; pass {nonFinite: 'keep'} to read them or {nonFinite: 'zero'} to replace them by 0`
      );
    }
  }

  private _closed = false;
  private readonly _nonFinite: NonFinitePolicy;
}

/** Copy the x range [x0, x1) of each row of `rows` (shape [n, width]) into a new array. */
export function cropColumns<A extends VoxelArray>(rows: A, width: number, x0: number, x1: number): A {
  if (x0 === 0 && x1 === width) return rows;
  const n = rows.length / width;
  const out = new (rows.constructor as new (length: number) => A)(n * (x1 - x0));
  for (let r = 0; r < n; r++) out.set(rows.subarray(r * width + x0, r * width + x1) as ArrayLike<number>, r * (x1 - x0));
  return out;
}

namespace Private {
  export function checkRegion(path: string, shape: Shape3, region: Region): Box {
    const axes = ['z', 'y', 'x'] as const;
    const out: number[] = [];
    axes.forEach((axis, i) => {
      const range = region[axis];
      const [a, b] = range ?? [NaN, NaN];
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b > shape[i] || a >= b) {
        throw new VolumeRangeError(
          `${path}: requested ${axis} range [${a}, ${b}) is outside the volume's [0, ${shape[i]}) (shape [${shape.join(', ')}])`
        );
      }
      out.push(a, b);
    });
    const [z0, z1, y0, y1, x0, x1] = out;
    return { z0, z1, y0, y1, x0, x1 };
  }
}

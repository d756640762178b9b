/**
 * `Volume`: a typed array in C order [z][y][x] (x fastest, the NIfTI voxel order), its shape,
 * its voxel spacing in µm and its origin in µm.
 *
 * Views share the buffer (`slab`, `sliceZ`); copies never do (`clone`, `astype`).
 *
 * @example
 * const v = Volume.zeros([64, 128, 128], 'uint16', { spacing: [2.4, 2.4, 2.4] });
 * v.set(10, 20, 30, 1000);
 * const top = v.slab(0, 16);       // a view: writing to it writes to v
 * const copy = v.clone();          // a copy
 */
import { VolumeRangeError, VolumeShapeError } from '../errors';
import { allocate, DType, DTypeArrays, dtypeOf, VoxelArray } from './dtype';

/** [z, y, x] voxel counts. */
export type Shape3 = readonly [number, number, number];

/** A [z, y, x] triple in µm (spacing, origin). */
export type Vec3 = readonly [number, number, number];

/** A 3D image. */
export class Volume<A extends VoxelArray = VoxelArray> {
  constructor(options: Volume.IOptions<A>) {
    Volume.checkShape(options.shape);
    const [nz, ny, nx] = options.shape;
    if (options.data.length !== nz * ny * nx) {
      throw new VolumeShapeError(
        `Volume data has ${options.data.length} voxels but shape [${options.shape.join(', ')}] needs ${nz * ny * nx}`
      );
    }
    const spacing = options.spacing ?? [1, 1, 1];
    if (spacing.some(s => !(s > 0) || !Number.isFinite(s))) {
      throw new VolumeShapeError(`Voxel spacing must be positive and finite, got [${spacing.join(', ')}] µm`);
    }
    this.data = options.data;
    this.shape = [nz, ny, nx];
    this.spacing = [...spacing] as unknown as Vec3;
    this.origin = [...(options.origin ?? [0, 0, 0])] as unknown as Vec3;
  }

  /** A zero-filled volume. */
  static zeros<D extends DType>(shape: Shape3, dtype: D, options: { spacing?: Vec3; origin?: Vec3 } = {}): Volume<DTypeArrays[D]> {
    Volume.checkShape(shape);
    return new Volume({ data: allocate(dtype, shape[0] * shape[1] * shape[2]), shape, ...options });
  }

  /** Throws VolumeShapeError unless `shape` is three positive integers. */
  static checkShape(shape: readonly number[]): void {
    if (shape.length !== 3 || shape.some(n => !Number.isInteger(n) || n <= 0)) {
      throw new VolumeShapeError(`A volume shape is three positive integers [z, y, x], got [${shape.join(', ')}]`);
    }
  }

  /** Voxels in C order [z][y][x]. */
  readonly data: A;
  /** [z, y, x] voxel counts. */
  readonly shape: Shape3;
  /** [z, y, x] voxel size in µm. */
  readonly spacing: Vec3;
  /** [z, y, x] position of voxel (0, 0, 0) in µm. */
  readonly origin: Vec3;

  /** The voxel type. */
  get dtype(): DType {
    return dtypeOf(this.data);
  }

  /** Number of voxels. */
  get size(): number {
    return this.data.length;
  }

  /** Bytes of voxel data. */
  get byteLength(): number {
    return this.data.byteLength;
  }

  /** Linear index of voxel (z, y, x). */
  index(z: number, y: number, x: number): number {
    return (z * this.shape[1] + y) * this.shape[2] + x;
  }

  /** The value at (z, y, x). */
  get(z: number, y: number, x: number): number {
    return this.data[this.index(z, y, x)];
  }

  /** Set the value at (z, y, x). */
  set(z: number, y: number, x: number, value: number): void {
    this.data[this.index(z, y, x)] = value;
  }

  /** Slices z0 <= z < z1 as a view sharing this volume's buffer (origin moved accordingly). */
  slab(z0: number, z1: number): Volume<A> {
    const [nz, ny, nx] = this.shape;
    if (!Number.isInteger(z0) || !Number.isInteger(z1) || z0 < 0 || z1 > nz || z0 >= z1) {
      throw new VolumeRangeError(`Slab [${z0}, ${z1}) is outside the volume's z range [0, ${nz})`);
    }
    const plane = ny * nx;
    return new Volume({
      data: this.data.subarray(z0 * plane, z1 * plane) as A,
      shape: [z1 - z0, ny, nx],
      spacing: this.spacing,
      origin: [this.origin[0] + z0 * this.spacing[0], this.origin[1], this.origin[2]]
    });
  }

  /** A deep copy. */
  clone(): Volume<A> {
    return new Volume({ data: this.data.slice() as A, shape: this.shape, spacing: this.spacing, origin: this.origin });
  }

  /** A copy converted to `dtype` (values are rounded and clamped for integer types). */
  astype<D extends DType>(dtype: D): Volume<DTypeArrays[D]> {
    const out = allocate(dtype, this.size);
    out.set(this.data as ArrayLike<number>);
    if (dtype !== 'float32' && this.dtype === 'float32') {
      // Typed-array assignment truncates and wraps; rounding and clamping is what users expect.
      const [lo, hi] = dtype === 'uint8' ? [0, 255] : dtype === 'uint16' ? [0, 65535] : [-32768, 32767];
      const src = this.data;
      for (let i = 0; i < src.length; i++) {
        const v = Math.round(src[i]);
        out[i] = Number.isNaN(v) ? 0 : v < lo ? lo : v > hi ? hi : v;
      }
    }
    return new Volume({ data: out, shape: this.shape, spacing: this.spacing, origin: this.origin });
  }

  /** The same voxels with other metadata (a view). */
  withGeometry(geometry: { spacing?: Vec3; origin?: Vec3 }): Volume<A> {
    return new Volume({ data: this.data, shape: this.shape, spacing: geometry.spacing ?? this.spacing, origin: geometry.origin ?? this.origin });
  }
}

export namespace Volume {
  /** Options of the Volume constructor. */
  export interface IOptions<A extends VoxelArray> {
    data: A;
    shape: Shape3;
    /** [z, y, x] µm; default [1, 1, 1]. */
    spacing?: Vec3;
    /** [z, y, x] µm; default [0, 0, 0]. */
    origin?: Vec3;
  }
}

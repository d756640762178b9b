/**
 * `VolumeSource`: a volume whose voxels are read on demand, slab by slab or box by box, so
 * that nothing loads more than asked. io/ implements it for every file format; `memorySource`
 * adapts a `Volume` already in memory, so that consumers (segmentation, registration, cluster
 * jobs) take either through one interface.
 *
 * @example
 * const source = memorySource(volume);   // or: await open('scan.nii.gz')
 * const slab = await source.readSlab(0, 16);
 */
import { VolumeRangeError } from '../errors';
import { crop } from './region';
import type { Shape3, Vec3 } from './volume';
import { Volume } from './volume';
import type { DType } from './dtype';

/** Half-open voxel ranges [start, end) along z, y and x. */
export interface Region {
  z: readonly [number, number];
  y: readonly [number, number];
  x: readonly [number, number];
}

/** Options of `readSlab` and `readRegion`. */
export interface SlabReadOptions {
  /** Aborts the read (default: the calling cell's interrupt). */
  signal?: AbortSignal;
}

/** A volume on disk whose voxels are read on demand. */
export interface VolumeSource {
  /** The file or folder. */
  readonly path: string;
  /** Its format ('nifti', 'zarr', ... for files; 'memory' for a Volume in memory). */
  readonly format: string;
  /** [z, y, x] voxel counts. */
  readonly shape: Shape3;
  /** The dtype voxels are returned in. */
  readonly dtype: DType;
  /** [z, y, x] µm. */
  readonly spacing: Vec3;
  /** [z, y, x] µm of voxel (0, 0, 0). */
  readonly origin: Vec3;
  /** Bytes pulled from disk so far (compressed bytes for gzip), where the format lets us count them. */
  readonly bytesRead: number | undefined;
  /** Slices z0 <= z < z1 as a new Volume (origin moved accordingly). */
  readSlab(z0: number, z1: number, options?: SlabReadOptions): Promise<Volume>;
  /** A box of voxels as a new Volume. */
  readRegion(region: Region, options?: SlabReadOptions): Promise<Volume>;
  /** Release file handles; later reads fail. */
  close(): Promise<void>;
}

/** A `VolumeSource` over a Volume in memory; slabs are views, regions are copies. */
export function memorySource(volume: Volume, path = '<memory>'): VolumeSource {
  const check = (region: Region) => {
    for (const [axis, [a, b]] of Object.entries(region) as [string, readonly [number, number]][]) {
      const n = volume.shape['zyx'.indexOf(axis)];
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b > n || a >= b) {
        throw new VolumeRangeError(`${path}: ${axis} range [${a}, ${b}) is outside [0, ${n})`);
      }
    }
  };
  return {
    path,
    format: 'memory',
    shape: volume.shape,
    dtype: volume.dtype,
    spacing: volume.spacing,
    origin: volume.origin,
    bytesRead: undefined,
    readSlab: async (z0, z1) => volume.slab(z0, z1),
    readRegion: async region => {
      check(region);
      return crop(volume, {
        start: [region.z[0], region.y[0], region.x[0]],
        end: [region.z[1], region.y[1], region.x[1]]
      });
    },
    close: async () => undefined
  };
}

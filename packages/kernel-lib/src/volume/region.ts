/**
 * Cropping and padding: new volumes (copies) whose origin keeps every voxel at its physical position.
 *
 * @example
 * const roi = crop(volume, { start: [10, 20, 20], size: [64, 64, 64] });
 * const framed = pad(roi, { before: [2, 2, 2], after: [2, 2, 2], mode: 'edge' });
 */
import { VolumeRangeError, VolumeShapeError } from '../errors';
import type { VoxelArray } from './dtype';
import { Volume, type Shape3 } from './volume';

/** A [z, y, x] triple of voxel counts or indices. */
export type Index3 = readonly [number, number, number];

/** The box start <= (z, y, x) < end (or start + size) as a new volume. */
export function crop<A extends VoxelArray>(volume: Volume<A>, box: crop.Box): Volume<A> {
  const start = box.start;
  const end = 'end' in box ? box.end : (start.map((s, a) => s + box.size[a]) as unknown as Index3);
  const [nz, ny, nx] = volume.shape;
  for (let a = 0; a < 3; a++) {
    if (!Number.isInteger(start[a]) || !Number.isInteger(end[a]) || start[a] < 0 || end[a] > volume.shape[a] || start[a] >= end[a]) {
      throw new VolumeRangeError(
        `Crop [${start.join(', ')}] to [${end.join(', ')}) is not a non-empty box inside the volume [${nz}, ${ny}, ${nx}]`
      );
    }
  }
  const shape = [end[0] - start[0], end[1] - start[1], end[2] - start[2]] as Shape3;
  const src = volume.data;
  const out = new (src.constructor as new (n: number) => A)(shape[0] * shape[1] * shape[2]);
  for (let z = 0, o = 0; z < shape[0]; z++) {
    for (let y = 0; y < shape[1]; y++, o += shape[2]) {
      const from = ((z + start[0]) * ny + y + start[1]) * nx + start[2];
      out.set(src.subarray(from, from + shape[2]), o);
    }
  }
  return new Volume({ data: out, shape, spacing: volume.spacing, origin: Private.shifted(volume, start) });
}

export namespace crop {
  /** A crop box in voxels: start plus either end (exclusive) or size. */
  export type Box = { start: Index3; end: Index3 } | { start: Index3; size: Index3 };
}

/** The volume framed by `before` and `after` voxels per axis, filled with a constant or by repeating the edge. */
export function pad<A extends VoxelArray>(volume: Volume<A>, options: pad.IOptions): Volume<A> {
  const before = options.before;
  const after = options.after ?? before;
  if ([...before, ...after].some(p => !Number.isInteger(p) || p < 0)) {
    throw new VolumeShapeError(`Padding must be non-negative integers, got before [${before.join(', ')}], after [${after.join(', ')}]`);
  }
  const mode = options.mode ?? 'constant';
  const [nz, ny, nx] = volume.shape;
  const shape = [nz + before[0] + after[0], ny + before[1] + after[1], nx + before[2] + after[2]] as Shape3;
  const src = volume.data;
  const out = new (src.constructor as new (n: number) => A)(shape[0] * shape[1] * shape[2]);
  const value = options.value ?? 0;
  if (mode === 'constant' && value !== 0) out.fill(value);
  const clamp = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  for (let z = 0, o = 0; z < shape[0]; z++) {
    const sz = z - before[0];
    for (let y = 0; y < shape[1]; y++, o += shape[2]) {
      const sy = y - before[1];
      const inside = sz >= 0 && sz < nz && sy >= 0 && sy < ny;
      if (mode === 'constant') {
        if (inside) out.set(src.subarray((sz * ny + sy) * nx, (sz * ny + sy + 1) * nx), o + before[2]);
        continue;
      }
      const row = (clamp(sz, nz) * ny + clamp(sy, ny)) * nx;
      out.set(src.subarray(row, row + nx), o + before[2]);
      out.fill(src[row], o, o + before[2]);
      out.fill(src[row + nx - 1], o + before[2] + nx, o + shape[2]);
    }
  }
  return new Volume({
    data: out,
    shape,
    spacing: volume.spacing,
    origin: Private.shifted(volume, [-before[0], -before[1], -before[2]])
  });
}

export namespace pad {
  /** Options of pad. */
  export interface IOptions {
    /** Voxels added before index 0 on each axis [z, y, x]. */
    before: Index3;
    /** Voxels added after the last index (default: same as before). */
    after?: Index3;
    /** 'constant' (default) fills with `value`; 'edge' repeats the nearest edge voxel. */
    mode?: 'constant' | 'edge';
    /** Fill value for 'constant' (default 0). */
    value?: number;
  }
}

namespace Private {
  /** Origin of the voxel at index `by` of `volume`. */
  export function shifted(volume: Volume, by: Index3): [number, number, number] {
    return [0, 1, 2].map(a => volume.origin[a] + by[a] * volume.spacing[a]) as [number, number, number];
  }
}

/**
 * 3D median filter over a (2r+1)^3 box (radius in voxels, per axis if needed): removes salt
 * and pepper noise and isolated hot voxels while keeping edges sharp. Keeps the dtype (the
 * median of an odd window is one of its values); edges repeat the border voxel.
 *
 * @example
 * const clean = median(volume, { radius: 1 });                // 3x3x3
 * const flat = median(volume, { radius: [0, 2, 2] });         // 5x5 in-plane only
 */
import { VolumeShapeError } from '../errors';
import { selectKth } from '../numeric';
import { Volume, type VoxelArray } from '../volume';
import { runSteps, type FilterSteps, type IFilterRunOptions } from './steps';

/** The volume median-filtered, in its own dtype. */
export function median<A extends VoxelArray>(volume: Volume<A>, options: median.IOptions & IFilterRunOptions = {}): Volume<A> {
  return runSteps(medianSteps(volume, options), options);
}

/** Types of `median`. */
export namespace median {
  /** Options of the median filter. */
  export interface IOptions {
    /** Half-width of the window in voxels: one for all axes or [z, y, x] (default 1). */
    radius?: number | readonly [number, number, number];
  }
}

/** `median` as steps (one per z-plane), for `denoise`. */
export function* medianSteps<A extends VoxelArray>(volume: Volume<A>, options: median.IOptions = {}): FilterSteps<Volume<A>> {
  const given = options.radius ?? 1;
  const r = typeof given === 'number' ? [given, given, given] : [...given];
  if (r.length !== 3 || r.some(v => !Number.isInteger(v) || v < 0)) {
    throw new VolumeShapeError(`Median radius must be non-negative integers (voxels), got ${String(given)}`);
  }
  const [nz, ny, nx] = volume.shape;
  const src = volume.data;
  const out = new (src.constructor as new (n: number) => A)(src.length);
  // Clamped coordinates of every window position, so the hot loop has no branches at the edges.
  const [cz, cy, cx] = [nz, ny, nx].map((n, a) => Private.clampedIndices(n, r[a]));
  const window = new Float64Array((2 * r[0] + 1) * (2 * r[1] + 1) * (2 * r[2] + 1));
  const half = (window.length - 1) / 2;
  const [wz, wy, wx] = r.map(v => 2 * v + 1);
  for (let z = 0, o = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, o++) {
        let m = 0;
        for (let dz = 0; dz < wz; dz++) {
          const zo = cz[z + dz] * ny;
          for (let dy = 0; dy < wy; dy++) {
            const row = (zo + cy[y + dy]) * nx;
            for (let dx = 0; dx < wx; dx++) window[m++] = src[row + cx[x + dx]];
          }
        }
        out[o] = selectKth(window, half);
      }
    }
    yield [z + 1, nz];
  }
  return new Volume({ data: out, shape: volume.shape, spacing: volume.spacing, origin: volume.origin });
}

namespace Private {
  /** Index i + d - r clamped to [0, n) for every i in [0, n) and d in [0, 2r], at position i + d. */
  export function clampedIndices(n: number, r: number): Int32Array {
    const out = new Int32Array(n + 2 * r);
    for (let i = 0; i < out.length; i++) out[i] = Math.min(n - 1, Math.max(0, i - r));
    return out;
  }
}

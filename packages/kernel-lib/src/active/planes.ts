/**
 * The kernel's checks and maps over orthogonal slices (their geometry, `sliceShape`, `voxelOf` and the axis names, is
 * shared with the panel in protocol/planes.ts): a request's axis and slice index checked with typed errors, the
 * voxels of one slice, and the slice of every voxel.
 *
 * @example
 * checkSlice([64, 80, 96], 'y', 10);                  // throws ActiveLearningError for 80 or -1
 * const voxels = sliceVoxels([64, 80, 96], 'y', 10);  // Uint32Array of 64 * 96 voxel indices
 */
import { ActiveLearningError } from '../errors';
import { type OrthogonalAxis, sliceCount, sliceShape, voxelOf } from '../protocol';
import type { Shape3 } from '../volume';

/** Throws ActiveLearningError unless `axis` is 'z', 'y' or 'x'. */
export function checkAxis(axis: unknown): OrthogonalAxis {
  if (axis !== 'z' && axis !== 'y' && axis !== 'x') {
    throw new ActiveLearningError('axis', `must be "z", "y" or "x" (annotation slices are grid planes), got ${JSON.stringify(axis)}`);
  }
  return axis;
}

/** Voxel indices of every pixel of slice k along `axis`, in the slice's row-major order. */
export function sliceVoxels(shape: Shape3, axis: OrthogonalAxis, k: number): Uint32Array {
  checkSlice(shape, axis, k);
  const [h, w] = sliceShape(shape, axis);
  const out = new Uint32Array(h * w);
  for (let i = 0, p = 0; i < h; i++) for (let j = 0; j < w; j++) out[p++] = voxelOf(shape, axis, k, i, j);
  return out;
}

/** Slice index along `axis` of every voxel (a [z, y, x]-ordered map), for one-pass per-slice sums. */
export function sliceOfVoxel(shape: Shape3, axis: OrthogonalAxis): Uint32Array {
  const [nz, ny, nx] = shape;
  const out = new Uint32Array(nz * ny * nx);
  for (let z = 0, v = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) out[v++] = axis === 'z' ? z : axis === 'y' ? y : x;
    }
  }
  return out;
}

/** Throws ActiveLearningError unless k is a slice index along `axis`. */
export function checkSlice(shape: Shape3, axis: OrthogonalAxis, k: number): void {
  const n = sliceCount(shape, axis);
  if (!Number.isInteger(k) || k < 0 || k >= n) {
    throw new ActiveLearningError('slice', `${JSON.stringify(k)} is outside axis ${axis}'s range [0, ${n})`);
  }
}

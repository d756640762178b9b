/**
 * Orthogonal slices as active learning sees them: axis 'z' cuts [y, x] planes, 'y' cuts [z, x] and 'x' cuts [z, y]
 * (the orientation of `orthoSlice`), and the mapping between a slice pixel (k, i, j) and its voxel index in the
 * C-order [z, y, x] volume.
 *
 * @example
 * const n = sliceCount([64, 80, 96], 'y');             // 80
 * const [h, w] = sliceShape([64, 80, 96], 'y');        // [64, 96]
 * const v = voxelOf([64, 80, 96], 'y', 10, 3, 5);      // voxel (z=3, y=10, x=5)
 */
import { ActiveLearningError } from '../errors';
import type { Shape3 } from '../volume';

/** An axis whose slices are grid planes: what the expert annotates. */
export type OrthogonalAxis = 'z' | 'y' | 'x';

/** The three orthogonal axes. */
export const ORTHOGONAL_AXES: readonly OrthogonalAxis[] = ['z', 'y', 'x'];

/** Throws ActiveLearningError unless `axis` is 'z', 'y' or 'x'. */
export function checkAxis(axis: unknown): OrthogonalAxis {
  if (axis !== 'z' && axis !== 'y' && axis !== 'x') {
    throw new ActiveLearningError('axis', `must be "z", "y" or "x" (annotation slices are grid planes), got ${JSON.stringify(axis)}`);
  }
  return axis;
}

/** Index of `axis` in [z, y, x]. */
export function axisIndex(axis: OrthogonalAxis): 0 | 1 | 2 {
  return axis === 'z' ? 0 : axis === 'y' ? 1 : 2;
}

/** Number of slices along `axis`. */
export function sliceCount(shape: Shape3, axis: OrthogonalAxis): number {
  return shape[axisIndex(axis)];
}

/** [rows, columns] of one slice along `axis`. */
export function sliceShape(shape: Shape3, axis: OrthogonalAxis): [number, number] {
  const [nz, ny, nx] = shape;
  return axis === 'z' ? [ny, nx] : axis === 'y' ? [nz, nx] : [nz, ny];
}

/** Voxel index of pixel (i, j) of slice k along `axis`. */
export function voxelOf(shape: Shape3, axis: OrthogonalAxis, k: number, i: number, j: number): number {
  const [, ny, nx] = shape;
  return axis === 'z' ? (k * ny + i) * nx + j : axis === 'y' ? (i * ny + k) * nx + j : (i * ny + j) * nx + k;
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

/**
 * Orthogonal slices of a C-order [z, y, x] volume, as the kernel's active learning and the annotation panel both
 * address them: axis 'z' cuts [y, x] planes, 'y' cuts [z, x] and 'x' cuts [z, y] (the orientation of `orthoSlice`);
 * pixel (i, j) of a slice is index i * cols + j in its [rows, cols].
 *
 * @example
 * const n = sliceCount([64, 80, 96], 'y');             // 80
 * const [h, w] = sliceShape([64, 80, 96], 'y');        // [64, 96]
 * const v = voxelOf([64, 80, 96], 'y', 10, 3, 5);      // voxel (z=3, y=10, x=5)
 */

/** An axis whose slices are grid planes: what the expert annotates. */
export type OrthogonalAxis = 'z' | 'y' | 'x';

/** The three orthogonal axes. */
export const ORTHOGONAL_AXES: readonly OrthogonalAxis[] = ['z', 'y', 'x'];

/** Index of `axis` in [z, y, x]. */
export function axisIndex(axis: OrthogonalAxis): 0 | 1 | 2 {
  return axis === 'z' ? 0 : axis === 'y' ? 1 : 2;
}

/** Number of slices along `axis` of a [z, y, x] volume. */
export function sliceCount(shape: readonly number[], axis: OrthogonalAxis): number {
  return shape[axisIndex(axis)];
}

/** [rows, columns] of one slice along `axis` of a [z, y, x] volume. */
export function sliceShape(shape: readonly number[], axis: OrthogonalAxis): [number, number] {
  const [nz, ny, nx] = shape;
  return axis === 'z' ? [ny, nx] : axis === 'y' ? [nz, nx] : [nz, ny];
}

/** Voxel index of pixel (i, j) of slice k along `axis`. */
export function voxelOf(shape: readonly number[], axis: OrthogonalAxis, k: number, i: number, j: number): number {
  const [, ny, nx] = shape;
  return axis === 'z' ? (k * ny + i) * nx + j : axis === 'y' ? (i * ny + k) * nx + j : (i * ny + j) * nx + k;
}

/** The key of a slice (`axis:slice`): in the annotation document's `done` map and in per-slice counts. */
export function sliceKey(axis: OrthogonalAxis, slice: number): string {
  return `${axis}:${slice}`;
}

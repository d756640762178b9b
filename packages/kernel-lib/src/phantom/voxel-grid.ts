/**
 * The walk over a phantom's voxel grid: every voxel in C order ([z][y][x], x fastest) with its index into the
 * flat arrays (labels, attenuation, masks) that the phantom builds.
 *
 * @example
 * forEachVoxel([nz, ny, nx], (z, y, x, i) => {
 *   if (screwEnvelopeDepth(screw, z, y, x) > 0) mask[i] = 1;
 * });
 */

/** Calls `visit(z, y, x, i)` for every voxel of `shape` in C order, i the flat index. */
export function forEachVoxel(shape: readonly [number, number, number], visit: (z: number, y: number, x: number, i: number) => void): void {
  const [nz, ny, nx] = shape;
  let i = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) visit(z, y, x, i);
    }
  }
}

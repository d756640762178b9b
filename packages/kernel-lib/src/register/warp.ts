/**
 * Warping: the moving image looked up at the points a transform assigns to each fixed voxel.
 * Intensities use trilinear interpolation (float32 out), labels the nearest voxel (dtype kept).
 * Points outside the moving image repeat its border.
 *
 * @example
 * const warped = warpVolume(moving, field);                                 // linear
 * const labels = warpVolume(movingLabels, field, { method: 'nearest' });
 * const aligned = warpVolume(moving, rigid, { reference: fixed });          // affine onto fixed's grid
 * const onGrid = resampleOnto(moving, fixed);                               // identity, other grid
 */
import { allocate, Volume, type VoxelArray } from '../volume';
import { DisplacementField } from './field';
import { nearest, trilinear } from './interpolate';
import { AffineTransform } from './transform';

/** How to interpolate: 'linear' for intensities, 'nearest' for labels. */
export type WarpMethod = 'linear' | 'nearest';

/** `moving` resampled onto the fixed grid through a displacement field or an affine transform (µm). */
export function warpVolume(moving: Volume, by: DisplacementField | AffineTransform, options: warpVolume.IOptions = {}): Volume {
  const grid: DisplacementField.IGrid = by instanceof DisplacementField ? by : options.reference ?? moving;
  const [nz, ny, nx] = grid.shape;
  const n = nz * ny * nx;
  const linear = (options.method ?? 'linear') === 'linear';
  const out: VoxelArray = linear ? new Float32Array(n) : allocate(moving.dtype, n);
  const sample = linear ? trilinear : nearest;
  const src = moving.data;
  const ms = moving.spacing;
  const mo = moving.origin;
  const fs = grid.spacing;
  const fo = grid.origin;
  // Fixed index -> moving index is an affine map A (index space) plus, for a field, u in fixed voxels.
  const m = by instanceof AffineTransform ? by.matrix : AffineTransform.identity().matrix;
  const a = new Float64Array(12);
  for (let r = 0; r < 3; r++) {
    let t = m[r * 4 + 3] - mo[r];
    for (let c = 0; c < 3; c++) {
      a[r * 4 + c] = (m[r * 4 + c] * fs[c]) / ms[r];
      t += m[r * 4 + c] * fo[c];
    }
    a[r * 4 + 3] = t / ms[r];
  }
  const u = by instanceof DisplacementField ? by.data : null;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        let pz = z;
        let py = y;
        let px = x;
        if (u) {
          pz += u[i];
          py += u[n + i];
          px += u[2 * n + i];
        }
        const qz = a[0] * pz + a[1] * py + a[2] * px + a[3];
        const qy = a[4] * pz + a[5] * py + a[6] * px + a[7];
        const qx = a[8] * pz + a[9] * py + a[10] * px + a[11];
        out[i] = sample(src, moving.shape, qz, qy, qx);
      }
    }
  }
  return new Volume({ data: out, shape: grid.shape, spacing: grid.spacing, origin: grid.origin });
}

/** Types of `warpVolume`. */
export namespace warpVolume {
  /** Options of `warpVolume`. */
  export interface IOptions {
    /** 'linear' (default; float32 output) or 'nearest' (labels; the moving dtype). */
    method?: WarpMethod;
    /** Output grid for an affine transform (default the moving image's grid); a field brings its own. */
    reference?: DisplacementField.IGrid;
  }
}

/** `moving` on `reference`'s grid through the identity in physical space (different shapes or spacings). */
export function resampleOnto(moving: Volume, reference: DisplacementField.IGrid, options: { method?: WarpMethod } = {}): Volume {
  return warpVolume(moving, AffineTransform.identity(), { reference, method: options.method });
}

/**
 * Resampling to a new spacing or shape: nearest neighbour for labels, trilinear for intensities.
 *
 * The field of view (outer voxel faces) is kept: n voxels of spacing s become n' voxels of
 * spacing n s / n', and the origin moves so that the first voxel's face stays in place (the
 * convention of scikit-image's `resize` and SciPy's `zoom(grid_mode=True)`). Linear
 * downsampling does not low-pass first; for integer factors prefer `bin`.
 *
 * @example
 * const iso = resample(volume, { spacing: [2.4, 2.4, 2.4] });                 // linear
 * const labels2 = resample(labels, { shape: [64, 64, 64] }, { method: 'nearest' });
 */
import { VolumeShapeError } from '../errors';
import { allocate, dtypeRange, type DTypeArrays, type VoxelArray } from './dtype';
import { Volume, type Shape3, type Vec3 } from './volume';

/** How to resample: 'linear' for intensities, 'nearest' for labels. */
export type ResampleMethod = 'nearest' | 'linear';

/** `volume` on a grid of the given spacing (µm) or shape, same dtype (linear results rounded for integer types). */
export function resample<A extends VoxelArray>(
  volume: Volume<A>,
  target: { spacing: Vec3 } | { shape: Shape3 },
  options: { method?: ResampleMethod } = {}
): Volume<A> {
  const n = volume.shape;
  const s = volume.spacing;
  let shape: Shape3;
  if ('shape' in target) {
    Volume.checkShape(target.shape);
    shape = [...target.shape] as unknown as Shape3;
  } else {
    if (target.spacing.length !== 3 || target.spacing.some(v => !(v > 0) || !Number.isFinite(v))) {
      throw new VolumeShapeError(`Target spacing must be three positive numbers in µm, got [${target.spacing.join(', ')}]`);
    }
    shape = n.map((c, a) => Math.max(1, Math.round((c * s[a]) / target.spacing[a]))) as unknown as Shape3;
  }
  // Keep the field of view: the new spacing follows from the (rounded) shape.
  const spacing = n.map((c, a) => (c * s[a]) / shape[a]) as unknown as Vec3;
  const origin = n.map((_, a) => volume.origin[a] - s[a] / 2 + spacing[a] / 2) as unknown as Vec3;
  const dtype = volume.dtype;
  const out = allocate(dtype, shape[0] * shape[1] * shape[2]) as DTypeArrays[typeof dtype];
  const [tz, ty, tx] = [0, 1, 2].map(a => Private.taps(n[a], shape[a]));
  const src = volume.data;
  const [, ny, nx] = n;
  if ((options.method ?? 'linear') === 'nearest') {
    const [iz, iy, ix] = [tz, ty, tx].map(t => t.lo.map((lo, k) => (t.w[k] >= 0.5 ? t.hi[k] : lo)));
    for (let z = 0, o = 0; z < shape[0]; z++) {
      for (let y = 0; y < shape[1]; y++) {
        const row = (iz[z] * ny + iy[y]) * nx;
        for (let x = 0; x < shape[2]; x++) out[o++] = src[row + ix[x]];
      }
    }
  } else {
    const integer = dtype !== 'float32';
    const [lo, hi] = dtypeRange(dtype);
    for (let z = 0, o = 0; z < shape[0]; z++) {
      const fz = tz.w[z];
      const z0 = tz.lo[z] * ny;
      const z1 = tz.hi[z] * ny;
      for (let y = 0; y < shape[1]; y++) {
        const fy = ty.w[y];
        const r00 = (z0 + ty.lo[y]) * nx;
        const r01 = (z0 + ty.hi[y]) * nx;
        const r10 = (z1 + ty.lo[y]) * nx;
        const r11 = (z1 + ty.hi[y]) * nx;
        for (let x = 0; x < shape[2]; x++, o++) {
          const fx = tx.w[x];
          const a = tx.lo[x];
          const b = tx.hi[x];
          const c00 = src[r00 + a] + fx * (src[r00 + b] - src[r00 + a]);
          const c01 = src[r01 + a] + fx * (src[r01 + b] - src[r01 + a]);
          const c10 = src[r10 + a] + fx * (src[r10 + b] - src[r10 + a]);
          const c11 = src[r11 + a] + fx * (src[r11 + b] - src[r11 + a]);
          const c0 = c00 + fy * (c01 - c00);
          const v = c0 + fz * (c10 + fy * (c11 - c10) - c0);
          out[o] = integer ? Math.min(hi, Math.max(lo, Math.round(v))) : v;
        }
      }
    }
  }
  return new Volume({ data: out as unknown as A, shape, spacing, origin });
}

namespace Private {
  /** Per output index: the two source neighbours and the weight of the upper one. */
  export interface Taps {
    lo: Int32Array;
    hi: Int32Array;
    w: Float64Array;
  }

  /** Source positions of `m` output voxels spanning the same field of view as `n` source voxels. */
  export function taps(n: number, m: number): Taps {
    const t: Taps = { lo: new Int32Array(m), hi: new Int32Array(m), w: new Float64Array(m) };
    for (let i = 0; i < m; i++) {
      const p = Math.min(n - 1, Math.max(0, ((i + 0.5) * n) / m - 0.5));
      const f = Math.floor(p);
      t.lo[i] = f;
      t.hi[i] = Math.min(n - 1, f + 1);
      t.w[i] = p - f;
    }
    return t;
  }
}

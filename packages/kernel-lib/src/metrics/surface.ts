/**
 * Surface distances between two binary masks on a spacing-aware grid: HD95 and mean surface
 * distance in µm. A surface voxel is a mask voxel with a 6-neighbour outside the mask or outside
 * the volume. Distances go from each surface voxel of one mask to the nearest surface voxel of
 * the other (exact EDT). HD95 = max of the two directed 95th percentiles (MONAI's
 * compute_hausdorff_distance, percentile 95); MSD = mean over both directed sets together.
 *
 * @example
 * const { hd95, msd } = surfaceDistances(predMask, truthMask, shape, spacing);   // µm
 */
import { distanceTransform } from './distance';

/** HD95 and MSD (µm); NaN when both masks are empty, Infinity when only one is. */
export interface SurfaceDistances {
  hd95: number;
  msd: number;
}

/** Surface voxels of `mask` (non-zero) as a 0/1 array. */
export function surfaceOf(mask: ArrayLike<number>, shape: readonly [number, number, number]): Uint8Array {
  const [nz, ny, nx] = shape;
  const plane = ny * nx;
  const out = new Uint8Array(nz * plane);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (!mask[i]) continue;
        const edge = z === 0 || z === nz - 1 || y === 0 || y === ny - 1 || x === 0 || x === nx - 1;
        out[i] = edge || !mask[i - 1] || !mask[i + 1] || !mask[i - nx] || !mask[i + nx] || !mask[i - plane] || !mask[i + plane] ? 1 : 0;
      }
    }
  }
  return out;
}

/** HD95 and mean surface distance between masks `a` and `b` (µm). */
export function surfaceDistances(a: ArrayLike<number>, b: ArrayLike<number>, shape: readonly [number, number, number], spacing: readonly [number, number, number]): SurfaceDistances {
  const sa = surfaceOf(a, shape);
  const sb = surfaceOf(b, shape);
  const na = count(sa);
  const nb = count(sb);
  if (na === 0 && nb === 0) return { hd95: NaN, msd: NaN };
  if (na === 0 || nb === 0) return { hd95: Infinity, msd: Infinity };
  const ab = Private.directed(sa, distanceTransform(sb, shape, spacing), na);
  const ba = Private.directed(sb, distanceTransform(sa, shape, spacing), nb);
  let sum = 0;
  for (const d of ab) sum += d;
  for (const d of ba) sum += d;
  return { hd95: Math.max(percentile(ab, 95), percentile(ba, 95)), msd: sum / (na + nb) };
}

/** The p-th percentile (0-100) of sorted values, linear interpolation (NumPy's default). */
export function percentile(sorted: Float64Array, p: number): number {
  const r = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(r);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (r - lo) * (sorted[hi] - sorted[lo]);
}

function count(a: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += a[i];
  return n;
}

namespace Private {
  /** Sorted distances at the surface voxels of `surface`. */
  export function directed(surface: Uint8Array, distance: Float32Array, n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0, k = 0; i < surface.length; i++) if (surface[i]) out[k++] = distance[i];
    return out.sort();
  }
}

/**
 * Surface distances between two binary masks on a spacing-aware grid. A surface voxel is a mask
 * voxel with a 6-neighbour outside the mask (and, unless told otherwise, one on the array edge).
 * Distances go from each surface voxel of one mask to the nearest surface voxel of the other
 * (exact EDT). Two conventions of HD95:
 *
 * - `surfaceDistances` (segmentation, MONAI's compute_hausdorff_distance, percentile 95): HD95 =
 *   max of the two directed 95th percentiles (linear interpolation), MSD = mean over both
 *   directed sets together; µm; the array edge is surface.
 * - `hd95` (registration, the Learn2Reg evaluation code, MDL-UzL/L2R): the 95th percentile
 *   (inverted CDF) of both directed sets pooled, in voxels, for one label or a group of labels;
 *   the array edge is not surface.
 *
 * @example
 * const { hd95, msd } = surfaceDistances(predMask, truthMask, shape, spacing);   // µm
 * hd95(fixedLabels, warpedLabels, [2, 3]);                                      // voxels, implant
 */
import { RegistrationInputError } from '../errors';
import { distanceTransform, sortedQuantile } from '../numeric';
import type { Shape3, Volume } from '../volume';

/** HD95 and MSD (µm); NaN when both masks are empty, Infinity when only one is. */
export interface SurfaceDistances {
  hd95: number;
  msd: number;
}

/** Surface voxels of `mask` (non-zero) as a 0/1 array. */
export function surfaceOf(mask: ArrayLike<number>, shape: readonly [number, number, number], options: surfaceOf.IOptions = {}): Uint8Array {
  const [nz, ny, nx] = shape;
  const plane = ny * nx;
  const edgeIsSurface = options.edgeIsSurface ?? true;
  const out = new Uint8Array(nz * plane);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (!mask[i]) continue;
        if (edgeIsSurface) {
          const edge = z === 0 || z === nz - 1 || y === 0 || y === ny - 1 || x === 0 || x === nx - 1;
          out[i] = edge || !mask[i - 1] || !mask[i + 1] || !mask[i - nx] || !mask[i + nx] || !mask[i - plane] || !mask[i + plane] ? 1 : 0;
        } else {
          out[i] =
            (x > 0 && !mask[i - 1]) || (x < nx - 1 && !mask[i + 1]) ||
            (y > 0 && !mask[i - nx]) || (y < ny - 1 && !mask[i + nx]) ||
            (z > 0 && !mask[i - plane]) || (z < nz - 1 && !mask[i + plane]) ? 1 : 0;
        }
      }
    }
  }
  return out;
}

export namespace surfaceOf {
  /** Options of `surfaceOf`. */
  export interface IOptions {
    /** Whether a mask voxel on the array edge is surface (default true; Learn2Reg: false). */
    edgeIsSurface?: boolean;
  }
}

/** HD95 and mean surface distance between masks `a` and `b` (µm). */
export function surfaceDistances(a: ArrayLike<number>, b: ArrayLike<number>, shape: readonly [number, number, number], spacing: readonly [number, number, number]): SurfaceDistances {
  const sa = surfaceOf(a, shape);
  const sb = surfaceOf(b, shape);
  const na = Private.count(sa);
  const nb = Private.count(sb);
  if (na === 0 && nb === 0) return { hd95: NaN, msd: NaN };
  if (na === 0 || nb === 0) return { hd95: Infinity, msd: Infinity };
  const ab = Private.directed(sa, distanceTransform(sb, shape, spacing), na);
  const ba = Private.directed(sb, distanceTransform(sa, shape, spacing), nb);
  let sum = 0;
  for (const d of ab) sum += d;
  for (const d of ba) sum += d;
  return { hd95: Math.max(sortedQuantile(ab, 0.95), sortedQuantile(ba, 0.95)), msd: sum / (na + nb) };
}

/** Learn2Reg's HD95 of one label (or a group, e.g. [2, 3] for the implant), in voxels; NaN when either volume lacks it. */
export function hd95(fixed: Volume, moving: Volume, label: number | readonly number[]): number {
  checkLabelShapes(fixed.shape, moving.shape);
  const set = new Set(typeof label === 'number' ? [label] : label);
  const sa = surfaceOf(Private.maskOf(fixed, set), fixed.shape, { edgeIsSurface: false });
  const sb = surfaceOf(Private.maskOf(moving, set), fixed.shape, { edgeIsSurface: false });
  const na = Private.count(sa);
  const nb = Private.count(sb);
  if (na === 0 || nb === 0) return NaN;
  const pooled = new Float64Array(na + nb);
  pooled.set(Private.directed(sa, distanceTransform(sb, fixed.shape, [1, 1, 1]), na));
  pooled.set(Private.directed(sb, distanceTransform(sa, fixed.shape, [1, 1, 1]), nb), na);
  return sortedQuantile(pooled.sort(), 0.95, 'inverted_cdf');
}

/** Throws unless two label volumes share a shape (the moving labels must be warped onto the fixed grid first). */
export function checkLabelShapes(a: Shape3, b: Shape3): void {
  if (a.some((v, i) => v !== b[i])) {
    throw new RegistrationInputError('label volumes', `have different shapes [${a.join(', ')}] and [${b.join(', ')}]; warp the moving labels onto the fixed grid first`);
  }
}

namespace Private {
  export function count(a: Uint8Array): number {
    let n = 0;
    for (let i = 0; i < a.length; i++) n += a[i];
    return n;
  }

  /** Sorted distances at the surface voxels of `surface`. */
  export function directed(surface: Uint8Array, distance: Float32Array, n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0, k = 0; i < surface.length; i++) if (surface[i]) out[k++] = distance[i];
    return out.sort();
  }

  /** 1 where the volume's label is in `set`. */
  export function maskOf(v: Volume, set: Set<number>): Uint8Array {
    const out = new Uint8Array(v.size);
    const d = v.data;
    for (let i = 0; i < out.length; i++) out[i] = set.has(d[i]) ? 1 : 0;
    return out;
  }
}

/**
 * Registration metrics with the Learn2Reg definitions (MDL-UzL/L2R evaluation code): Dice per
 * label (NaN where the label is absent from the fixed labels, then the NaN-ignoring mean), HD95 in
 * voxels, target registration error in µm, SDlogJ and the percentage of folding voxels.
 *
 * @example
 * const dice = labelDice(fixedLabels, warpVolume(movingLabels, field, { method: 'nearest' }), [1, 2, 3]);
 * const { sdLogJ, negativePercent } = jacobianStatistics(field);
 * const tre = targetRegistrationError(field, fixedPoints, movingPoints);   // µm
 */
import { RegistrationInputError } from '../errors';
import { distanceTransform } from '../metrics';
import type { Shape3, Volume } from '../volume';
import { DisplacementField, jacobianDeterminant } from './field';

const { log, sqrt, floor, ceil, min } = Math;

/** Dice of the voxels whose label is in `label` (one label or a group, e.g. [2, 3] for the implant); NaN when absent from `fixed`. */
export function dice(fixed: Volume, moving: Volume, label: number | readonly number[]): number {
  Private.checkShapes(fixed.shape, moving.shape);
  const set = new Set(typeof label === 'number' ? [label] : label);
  let a = 0;
  let b = 0;
  let both = 0;
  const f = fixed.data;
  const m = moving.data;
  for (let i = 0; i < f.length; i++) {
    const inF = set.has(f[i]);
    const inM = set.has(m[i]);
    if (inF) a++;
    if (inM) b++;
    if (inF && inM) both++;
  }
  return a === 0 ? NaN : (2 * both) / (a + b);
}

/** Dice per label (NaN where absent from `fixed`) and their NaN-ignoring mean, as Learn2Reg reports it. */
export function labelDice(fixed: Volume, moving: Volume, labels: readonly number[]): { perLabel: number[]; mean: number } {
  const perLabel = labels.map(l => dice(fixed, moving, l));
  const valid = perLabel.filter(v => !Number.isNaN(v));
  return { perLabel, mean: valid.length ? valid.reduce((s, v) => s + v, 0) / valid.length : NaN };
}

/** 95th percentile of the symmetric surface distances of one label (or group), in voxels; NaN when either side lacks it. */
export function hd95(fixed: Volume, moving: Volume, label: number | readonly number[]): number {
  Private.checkShapes(fixed.shape, moving.shape);
  const set = new Set(typeof label === 'number' ? [label] : label);
  const sa = Private.surface(fixed, set);
  const sb = Private.surface(moving, set);
  if (!sa.some(v => v) || !sb.some(v => v)) return NaN;
  const distances = [...Private.surfaceToSurface(sa, sb, fixed.shape), ...Private.surfaceToSurface(sb, sa, fixed.shape)].sort((x, y) => x - y);
  return distances[min(distances.length - 1, ceil(0.95 * distances.length) - 1)];
}

/**
 * TRE per landmark in µm: |p_fix + u(p_fix) - p_mov| x spacing, with both points in voxel indices
 * [z, y, x] of the field's grid. Also the mean and the 70th percentile Learn2Reg reports.
 */
export function targetRegistrationError(
  field: DisplacementField,
  fixedPoints: readonly (readonly number[])[],
  movingPoints: readonly (readonly number[])[]
): { values: number[]; mean: number; p70: number } {
  if (fixedPoints.length !== movingPoints.length || !fixedPoints.length) {
    throw new RegistrationInputError('landmarks', `need matching non-empty lists, got ${fixedPoints.length} and ${movingPoints.length}`);
  }
  const s = field.spacing;
  const values = fixedPoints.map((p, k) => {
    const u = field.at(p[0], p[1], p[2]);
    let sum = 0;
    for (let a = 0; a < 3; a++) sum += ((p[a] + u[a] - movingPoints[k][a]) * s[a]) ** 2;
    return sqrt(sum);
  });
  const sorted = [...values].sort((x, y) => x - y);
  return { values, mean: values.reduce((t, v) => t + v, 0) / values.length, p70: sorted[min(sorted.length - 1, floor(0.7 * (sorted.length - 1) + 0.5))] };
}

/**
 * Smoothness and folding of a field: SDlogJ, the standard deviation of log(clip(J + offset, 1e-9, 1e9))
 * over the volume cropped by 2 voxels (the Learn2Reg evaluation code adds 3 before the log; `offset: 0`
 * gives the textbook std of log J), and the percentage of cropped voxels with J <= 0.
 */
export function jacobianStatistics(field: DisplacementField, options: { offset?: number; crop?: number } = {}): { sdLogJ: number; negativePercent: number; minJ: number } {
  const j = jacobianDeterminant(field);
  const offset = options.offset ?? 3;
  const c = options.crop ?? 2;
  const [nz, ny, nx] = field.shape;
  let count = 0;
  let sum = 0;
  let sumSq = 0;
  let negative = 0;
  let minJ = Infinity;
  for (let z = c; z < nz - c; z++) {
    for (let y = c; y < ny - c; y++) {
      for (let x = c; x < nx - c; x++) {
        const v = j.data[(z * ny + y) * nx + x];
        const w = v + offset;
        const l = log(w < 1e-9 ? 1e-9 : w > 1e9 ? 1e9 : w);
        count++;
        sum += l;
        sumSq += l * l;
        if (v <= 0) negative++;
        if (v < minJ) minJ = v;
      }
    }
  }
  if (!count) throw new RegistrationInputError('field', `of shape [${field.shape.join(', ')}] is too small to crop ${c} voxels`);
  const mean = sum / count;
  return { sdLogJ: sqrt(Math.max(0, sumSq / count - mean * mean)), negativePercent: (100 * negative) / count, minJ };
}

namespace Private {
  export function checkShapes(a: Shape3, b: Shape3): void {
    if (a.some((v, i) => v !== b[i])) {
      throw new RegistrationInputError('label volumes', `have different shapes [${a.join(', ')}] and [${b.join(', ')}]; warp the moving labels onto the fixed grid first`);
    }
  }

  /** Voxels of the set with a 6-neighbour outside it (the array edge does not count). */
  export function surface(v: Volume, set: Set<number>): Uint8Array {
    const [nz, ny, nx] = v.shape;
    const out = new Uint8Array(v.size);
    const d = v.data;
    for (let z = 0, i = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++, i++) {
          if (!set.has(d[i])) continue;
          out[i] =
            (x > 0 && !set.has(d[i - 1])) || (x < nx - 1 && !set.has(d[i + 1])) ||
            (y > 0 && !set.has(d[i - nx])) || (y < ny - 1 && !set.has(d[i + nx])) ||
            (z > 0 && !set.has(d[i - nx * ny])) || (z < nz - 1 && !set.has(d[i + nx * ny])) ? 1 : 0;
        }
      }
    }
    return out;
  }

  /** Distances (voxels) from each surface voxel of `a` to the nearest surface voxel of `b`. */
  export function surfaceToSurface(a: Uint8Array, b: Uint8Array, shape: Shape3): number[] {
    const dist = distanceTransform(b, shape, [1, 1, 1]);
    const out: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i]) out.push(dist[i]);
    return out;
  }
}

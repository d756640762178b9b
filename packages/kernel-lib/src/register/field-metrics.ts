/**
 * Metrics of a displacement field with the Learn2Reg definitions (MDL-UzL/L2R evaluation code):
 * target registration error in µm, SDlogJ and the percentage of folding voxels. The label metrics
 * (Dice, HD95) are in metrics/ (`labelDice`, `hd95`).
 *
 * @example
 * const { sdLogJ, negativePercent } = jacobianStatistics(field);
 * const tre = targetRegistrationError(field, fixedPoints, movingPoints);   // µm
 */
import { RegistrationInputError } from '../errors';
import { sortedQuantile } from '../numeric';
import { DisplacementField, jacobianDeterminant } from './field';

const { log, sqrt } = Math;

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
  return { values, mean: values.reduce((t, v) => t + v, 0) / values.length, p70: sortedQuantile(sorted, 0.7, 'nearest') };
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

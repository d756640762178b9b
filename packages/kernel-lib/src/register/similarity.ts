/**
 * Similarity of a sampled fixed level and a moving image under an affine map: normalised
 * cross-correlation of intensities, or minus the mean squared MIND-SSC difference. Only samples
 * that land inside the moving image count; with fewer than 1 % of them inside, the result is -Infinity.
 *
 * @example
 * const s = similarityAt(level, transform.matrix);     // larger is better
 */
import type { Vec3 } from '../volume';
import { trilinear } from './interpolate';

const { sqrt } = Math;

/** Fixed samples (physical points and values) and the moving image at one pyramid level. */
export interface SampledLevel {
  metric: 'ncc' | 'mind';
  /** 1 for intensities, 12 for MIND. */
  channels: number;
  /** Fixed sample points, [z, y, x] µm, flat. */
  points: Float64Array;
  /** Fixed values, [channels, samples]. */
  values: Float32Array;
  /** Moving values, [channels, z, y, x]. */
  moving: Float32Array;
  shape: [number, number, number];
  spacing: Vec3;
  origin: Vec3;
}

/** NCC, or minus the mean squared MIND difference, of the samples mapped by the 4x4 `matrix` (fixed µm -> moving µm). */
export function similarityAt(level: SampledLevel, matrix: Float64Array): number {
  const { points, values, moving, shape, spacing, origin, channels } = level;
  const count = points.length / 3;
  const [nz, ny, nx] = shape;
  const n = nz * ny * nx;
  const m = matrix;
  let inside = 0;
  let sf = 0;
  let sm = 0;
  let sff = 0;
  let smm = 0;
  let sfm = 0;
  let ssd = 0;
  const views = Array.from({ length: channels }, (_, c) => moving.subarray(c * n, (c + 1) * n));
  for (let k = 0; k < count; k++) {
    const pz = points[3 * k];
    const py = points[3 * k + 1];
    const px = points[3 * k + 2];
    const qz = (m[0] * pz + m[1] * py + m[2] * px + m[3] - origin[0]) / spacing[0];
    const qy = (m[4] * pz + m[5] * py + m[6] * px + m[7] - origin[1]) / spacing[1];
    const qx = (m[8] * pz + m[9] * py + m[10] * px + m[11] - origin[2]) / spacing[2];
    if (qz < 0 || qy < 0 || qx < 0 || qz > nz - 1 || qy > ny - 1 || qx > nx - 1) continue;
    inside++;
    if (channels === 1) {
      const f = values[k];
      const v = trilinear(moving, shape, qz, qy, qx);
      sf += f;
      sm += v;
      sff += f * f;
      smm += v * v;
      sfm += f * v;
    } else {
      for (let c = 0; c < channels; c++) {
        const d = values[c * count + k] - trilinear(views[c], shape, qz, qy, qx);
        ssd += d * d;
      }
    }
  }
  if (inside < Math.max(10, 0.01 * count)) return -Infinity;
  if (channels > 1) return -ssd / (inside * channels);
  const cov = sfm - (sf * sm) / inside;
  const vf = sff - (sf * sf) / inside;
  const vm = smm - (sm * sm) / inside;
  return vf > 0 && vm > 0 ? cov / sqrt(vf * vm) : 0;
}

/**
 * Registration pairs with known truth, built from the implant phantom: (a) one implant at two
 * degradation stages, (b) one scan and a re-mapped copy (another "modality"). The moving image is
 * the source warped so that fixed voxel x corresponds to moving point x + truth(x), where truth is
 * a rigid offset (about the centre) after a smooth random deformation; labels and landmarks go
 * through the same map, so Dice, TRE and field statistics are measurable.
 *
 * @example
 * const pair = await timePointPair({ size: 64, seed: 1 });
 * const { field } = await convexAdam(pair.fixed, pair.moving);
 * dice(pair.fixedLabels, warpVolume(pair.movingLabels, field, { method: 'nearest' }), 1);
 */
import { implantPhantom, Rng } from '../phantom';
import { Volume } from '../volume';
import { composeFields, DisplacementField, invertField } from './field';
import { boxFilter3, upsample } from './interpolate';
import { AffineTransform } from './transform';
import { warpVolume } from './warp';

const { PI, sqrt, max, floor } = Math;

/** A fixed/moving pair with its truth. */
export interface RegistrationPair {
  fixed: Volume<Float32Array>;
  moving: Volume<Float32Array>;
  fixedLabels: Volume;
  movingLabels: Volume;
  /** Fixed grid -> moving, voxels: the field a perfect registration returns. */
  truth: DisplacementField;
  /** The rigid part of the truth (fixed -> moving, µm). */
  rigid: AffineTransform;
  /** Corresponding points, voxel indices [z, y, x] (moving = fixed + truth). */
  landmarks: { fixed: number[][]; moving: number[][] };
  description: string;
}

/** Options shared by the pair builders. */
export interface PairOptions {
  /** Cube side in voxels (default 64). */
  size?: number;
  /** Seed of the phantom and of the deformation (default 1). */
  seed?: number;
  /** Rotation angle of the rigid offset, degrees, about a random axis (default 4). */
  rotationDeg?: number;
  /** Length of the rigid translation, voxels, random direction (default 3). */
  translationVoxels?: number;
  /** Largest displacement of the smooth random deformation, voxels (default 4; 0 for none). */
  deformationVoxels?: number;
  /** Control-point spacing of the deformation, voxels (default size / 4). */
  controlSpacing?: number;
  /** Landmarks to place inside the specimen (default 40). */
  landmarks?: number;
}

/** Pair (a): the same implant at two degradation stages (weeks), with a rigid offset and a smooth deformation. */
export async function timePointPair(options: PairOptions & { stages?: [number, number] } = {}): Promise<RegistrationPair> {
  const size = options.size ?? 64;
  const seed = options.seed ?? 1;
  const [s0, s1] = options.stages ?? [4, 8];
  const a = await implantPhantom({ size, seed, stage: s0 });
  const b = await implantPhantom({ size, seed, stage: s1 });
  return Private.assemble(a.image as Volume<Float32Array>, a.labels, b.image as Volume<Float32Array>, b.labels, options, `time points: week ${s0} (fixed) vs week ${s1} (moving)`);
}

/** Pair (b): a scan and the same anatomy under another intensity mapping ('non-monotonic' default, or 'monotonic'). */
export async function crossModalPair(options: PairOptions & { stage?: number; mapping?: 'monotonic' | 'non-monotonic' } = {}): Promise<RegistrationPair> {
  const size = options.size ?? 64;
  const seed = options.seed ?? 1;
  const mapping = options.mapping ?? 'non-monotonic';
  const a = await implantPhantom({ size, seed, stage: options.stage ?? 8 });
  const image = a.image as Volume<Float32Array>;
  const mapped = Private.remap(image, mapping);
  return Private.assemble(image, a.labels, mapped, a.labels, options, `cross-modal: ${mapping} intensity mapping`);
}

namespace Private {
  export function assemble(
    fixed: Volume<Float32Array>,
    fixedLabels: Volume,
    source: Volume<Float32Array>,
    sourceLabels: Volume,
    options: PairOptions,
    description: string
  ): RegistrationPair {
    const rng = new Rng(options.seed ?? 1, Rng.stream('register-pair'));
    const [nz, ny, nx] = fixed.shape;
    const center = fixed.shape.map((n, i) => fixed.origin[i] + ((n - 1) * fixed.spacing[i]) / 2) as unknown as [number, number, number];
    const axis = rng.unitVector();
    const angle = ((options.rotationDeg ?? 4) * PI) / 180;
    const direction = rng.unitVector();
    const t = direction.map((d, i) => d * (options.translationVoxels ?? 3) * fixed.spacing[i]) as unknown as [number, number, number];
    const rigid = AffineTransform.fromLinear(Private.axisAngle(axis, angle), t, center);
    const smooth = Private.smoothField(fixed, options, rng);
    const truth = composeFields(DisplacementField.fromAffine(rigid, fixed), smooth);
    // moving(y) = source(y + w(y)) with w the inverse of truth, so moving(x + truth(x)) = source(x).
    const w = invertField(truth, { iterations: 40 });
    const moving = warpVolume(source, w) as Volume<Float32Array>;
    const movingLabels = warpVolume(sourceLabels, w, { method: 'nearest' });
    const fixedPoints: number[][] = [];
    const margin = max(2, floor(nz / 8));
    for (let tries = 0; fixedPoints.length < (options.landmarks ?? 40) && tries < 100000; tries++) {
      const p = [margin + rng.int(nz - 2 * margin), margin + rng.int(ny - 2 * margin), margin + rng.int(nx - 2 * margin)];
      if (fixedLabels.get(p[0], p[1], p[2]) > 0) fixedPoints.push(p);
    }
    const movingPoints = fixedPoints.map(p => {
      const u = truth.at(p[0], p[1], p[2]);
      return p.map((v, i) => v + u[i]);
    });
    return { fixed, moving, fixedLabels, movingLabels, truth, rigid, landmarks: { fixed: fixedPoints, moving: movingPoints }, description };
  }

  /** Random control-point displacements, upsampled and box-smoothed, scaled to the requested largest length. */
  export function smoothField(grid: Volume, options: PairOptions, rng: Rng): DisplacementField {
    const amplitude = options.deformationVoxels ?? 4;
    const field = DisplacementField.zeros(grid);
    if (amplitude <= 0) return field;
    const spacing = options.controlSpacing ?? max(4, floor(grid.shape[0] / 4));
    const coarse = grid.shape.map(n => max(2, Math.round(n / spacing))) as [number, number, number];
    const nc = coarse[0] * coarse[1] * coarse[2];
    const control = new Float32Array(3 * nc);
    for (let i = 0; i < control.length; i++) control[i] = rng.uniform(-1, 1);
    const dense = upsample(control, 3, coarse, grid.shape);
    for (let k = 0; k < 4; k++) boxFilter3(dense, 3, grid.shape);
    const n = grid.size;
    let peak = 0;
    for (let i = 0; i < n; i++) peak = max(peak, sqrt(dense[i] ** 2 + dense[n + i] ** 2 + dense[2 * n + i] ** 2));
    for (let i = 0; i < dense.length; i++) dense[i] *= peak > 0 ? amplitude / peak : 0;
    field.data.set(dense);
    return field;
  }

  /** Rodrigues' rotation matrix about a unit axis [z, y, x]. */
  export function axisAngle(k: readonly number[], angle: number): Float64Array {
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const v = 1 - c;
    const [a, b, e] = k;
    return Float64Array.of(
      c + a * a * v, a * b * v - e * s, a * e * v + b * s,
      b * a * v + e * s, c + b * b * v, b * e * v - a * s,
      e * a * v - b * s, e * b * v + a * s, c + e * e * v
    );
  }

  /** Intensities normalised by their 1st and 99th percentiles, then mapped: sqrt (monotonic) or 4 n (1 - n) (bone brightest). */
  export function remap(image: Volume<Float32Array>, mapping: 'monotonic' | 'non-monotonic'): Volume<Float32Array> {
    const sorted = Float32Array.from(image.data).sort();
    const lo = sorted[floor(0.01 * (sorted.length - 1))];
    const hi = sorted[floor(0.99 * (sorted.length - 1))];
    const out = new Float32Array(image.size);
    for (let i = 0; i < out.length; i++) {
      const v = (image.data[i] - lo) / (hi - lo || 1);
      const n = v < 0 ? 0 : v > 1 ? 1 : v;
      out[i] = mapping === 'monotonic' ? sqrt(n) : 4 * n * (1 - n);
    }
    return new Volume({ data: out, shape: image.shape, spacing: image.spacing, origin: image.origin });
  }
}

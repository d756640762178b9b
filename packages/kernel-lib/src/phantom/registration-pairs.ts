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
import { Rng, sortedQuantile } from '../numeric';
import {
  AffineTransform,
  boxFilter3,
  composeFields,
  DisplacementField,
  invertField,
  jacobianStatistics,
  sectionRotation,
  upsample,
  virtualSection,
  warpVolume,
  type SectionPose
} from '../register';
import { Volume } from '../volume';
import { implantPhantom } from './phantom';

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
  /** The truth in words: rotation, translation, deformation size and smoothness, its SDlogJ. */
  truthDescription: string;
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
  /** Largest displacement of the smooth random deformation, voxels (default 4, and 10 x size / 64 for pair (a); 0 for none). */
  deformationVoxels?: number;
  /** Control-point spacing of the deformation, voxels (default size / 4, and size / 3 for pair (a)). */
  controlSpacing?: number;
  /** Landmarks to place inside the specimen (default 40). */
  landmarks?: number;
}

/**
 * Pair (a): the same implant at two degradation stages (weeks), with a rigid offset and a clearly
 * visible smooth deformation: by default the largest displacement is 10 voxels at 64^3 (16 % of the
 * field, scaled with the size) on control points a third of the field apart, which the affine
 * model cannot follow (its implant Dice stays near 0.84, bone near 0.56 at 64^3) while the truth
 * stays fold-free (SDlogJ about 0.07, smallest Jacobian about 0.26 at seed 1).
 */
export async function timePointPair(options: PairOptions & { stages?: [number, number] } = {}): Promise<RegistrationPair> {
  const size = options.size ?? 64;
  const seed = options.seed ?? 1;
  const [s0, s1] = options.stages ?? [4, 8];
  const a = await implantPhantom({ size, seed, stage: s0 });
  const b = await implantPhantom({ size, seed, stage: s1 });
  const deformation = { deformationVoxels: Math.round((10 * size) / 64), controlSpacing: Math.round(size / 3) };
  return Private.assemble(
    a.image as Volume<Float32Array>, a.labels, b.image as Volume<Float32Array>, b.labels, { ...deformation, ...options },
    `time points: week ${s0} (fixed) vs week ${s1} (moving)`
  );
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

/** One section of `sectionPairs`: a histology stand-in cut at a known pose. */
export interface SectionSample {
  /** The histology stand-in [1, h, w]: the section re-mapped, deformed, shaded and noisy. */
  image: Volume<Float32Array>;
  /** Its labels (the section's labels through the same deformation). */
  labels: Volume;
  /** Where it was cut. */
  pose: SectionPose;
  /** The 2D deformation (pixels, [1, h, w]): image pixel p shows the section at p + deformation(p). */
  deformation: DisplacementField;
}

/** What `sectionPairs` returns: one volume and sections cut from it. */
export interface SectionPairs {
  volume: Volume<Float32Array>;
  labels: Volume;
  sections: SectionSample[];
  description: string;
}

/**
 * Pair (c): 2D sections cut at known poses from one phantom, each turned into a histology stand-in:
 * a non-monotonic "stain" mapping of the attenuation (background bright, bone dark, degradation
 * layer lighter than the residual metal), a mild smooth 2D deformation (cutting and mounting), a
 * linear shading ramp across the slide and Gaussian noise.
 */
export async function sectionPairs(options: sectionPairs.IOptions = {}): Promise<SectionPairs> {
  const size = options.size ?? 64;
  const seed = options.seed ?? 1;
  const phantom = await implantPhantom({ size, seed, stage: options.stage ?? 8 });
  const volume = phantom.image as Volume<Float32Array>;
  const labels = phantom.labels;
  const rng = new Rng(seed, Rng.stream('register-sections'));
  const shape = options.shape ?? [Math.round((3 * size) / 4), Math.round((3 * size) / 4)];
  const spacing = Math.min(...volume.spacing);
  const maxTilt = options.maxTiltDeg ?? 15;
  const sorted = Float32Array.from(volume.data).sort();
  const [lo, hi] = [sortedQuantile(sorted, 0.01, 'lower'), sortedQuantile(sorted, 0.99, 'lower')];
  const sections: SectionSample[] = [];
  for (let k = 0; k < (options.count ?? 20); k++) {
    // A normal uniform on the cap within maxTilt of z, as tilts about y and x; a uniform in-plane angle.
    const cosMax = Math.cos((maxTilt * PI) / 180);
    const c = 1 - rng.uniform() * (1 - cosMax);
    const phi = rng.uniform(0, 2 * PI);
    const sn = sqrt(1 - c * c);
    const normal = [c, sn * Math.sin(phi), sn * Math.cos(phi)];
    const ay = (Math.asin(-normal[2]) * 180) / PI;
    const ax = (Math.atan2(normal[1], normal[0]) * 180) / PI;
    const az = rng.uniform(-180, 180);
    const angles: [number, number, number] = [az, ay, ax];
    const r = sectionRotation(angles);
    const depth = rng.uniform(-1, 1) * (options.depthFraction ?? 0.25) * size * spacing;
    const s1 = rng.uniform(-1, 1) * (options.shiftVoxels ?? 3) * spacing;
    const s2 = rng.uniform(-1, 1) * (options.shiftVoxels ?? 3) * spacing;
    const offset = [0, 1, 2].map(a => depth * r[a * 3] + s1 * r[a * 3 + 1] + s2 * r[a * 3 + 2]) as [number, number, number];
    const pose: SectionPose = { angles, offset };
    const section = virtualSection(volume, pose, { shape, spacing });
    const sectionLabels = virtualSection(labels, pose, { shape, spacing, method: 'nearest' });
    const deformation = Private.smoothField2d(section, options.deformationPixels ?? 2, rng);
    const deformed = warpVolume(section, deformation) as Volume<Float32Array>;
    const image = Private.stain(deformed, lo, hi, options.noise ?? 0.05, rng);
    sections.push({ image, labels: warpVolume(sectionLabels, deformation, { method: 'nearest' }), pose, deformation });
  }
  const description =
    `sections: ${sections.length} of ${shape[0]} x ${shape[1]} pixels (${spacing} µm) from a ${size}^3 phantom (seed ${seed}); normals within ` +
    `${maxTilt} deg of z, uniform in-plane rotation, depth within ±${(options.depthFraction ?? 0.25) * size} voxels, in-plane offset ` +
    `±${options.shiftVoxels ?? 3} voxels; non-monotonic stain mapping, 2D deformation up to ${options.deformationPixels ?? 2} px, ` +
    `±10 % shading, noise SD ${options.noise ?? 0.05}`;
  return { volume, labels, sections, description };
}

/** Types of `sectionPairs`. */
export namespace sectionPairs {
  /** Options of `sectionPairs`. */
  export interface IOptions {
    /** Cube side of the phantom in voxels (default 64). */
    size?: number;
    /** Seed of the phantom and the sections (default 1). */
    seed?: number;
    /** Degradation stage of the phantom, weeks (default 8). */
    stage?: number;
    /** Number of sections (default 20). */
    count?: number;
    /** [rows, columns] of each section (default 3/4 of the cube side). */
    shape?: readonly [number, number];
    /** Largest angle between a section's normal and the z axis, degrees (default 15); the in-plane rotation is uniform. */
    maxTiltDeg?: number;
    /** Depths along z drawn within ± this fraction of the cube side (default 0.25). */
    depthFraction?: number;
    /** In-plane offset of the section centre, up to this many voxels per axis (default 3). */
    shiftVoxels?: number;
    /** Largest length of the smooth 2D deformation, pixels (default 2). */
    deformationPixels?: number;
    /** Standard deviation of the Gaussian noise, in units of the mapped range [0, 1] (default 0.05). */
    noise?: number;
  }
}

namespace Private {
  /** A smooth random 2D field ([1, h, w] grid, z component 0) with largest length `amplitude` pixels. */
  export function smoothField2d(grid: Volume, amplitude: number, rng: Rng): DisplacementField {
    const field = DisplacementField.zeros(grid);
    if (amplitude <= 0) return field;
    const [, h, w] = grid.shape;
    const coarse: [number, number, number] = [1, max(2, Math.round(h / 12)), max(2, Math.round(w / 12))];
    const nc = coarse[1] * coarse[2];
    const control = new Float32Array(3 * nc);
    for (let i = nc; i < 3 * nc; i++) control[i] = rng.uniform(-1, 1);
    const dense = upsample(control, 3, coarse, grid.shape);
    for (let k = 0; k < 4; k++) boxFilter3(dense, 3, grid.shape);
    const n = h * w;
    let peak = 0;
    for (let i = 0; i < n; i++) peak = max(peak, sqrt(dense[n + i] ** 2 + dense[2 * n + i] ** 2));
    for (let i = n; i < 3 * n; i++) field.data[i] = peak > 0 ? (dense[i] * amplitude) / peak : 0;
    return field;
  }

  /** The histology stand-in: stain look-up of the normalised attenuation, shading ramp, noise. */
  export function stain(section: Volume<Float32Array>, lo: number, hi: number, noise: number, rng: Rng): Volume<Float32Array> {
    // Normalised attenuation -> brightness: resin/background bright, bone dark, DL mid, RM darker.
    const table: [number, number][] = [[0, 0.92], [0.3, 0.85], [0.5, 0.35], [0.62, 0.6], [0.8, 0.45], [1, 0.15]];
    const [, h, w] = section.shape;
    const out = new Float32Array(h * w);
    const angle = rng.uniform(0, 2 * PI);
    const gy = Math.sin(angle) / max(1, h);
    const gx = Math.cos(angle) / max(1, w);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const o = i * w + j;
        const t = Math.min(1, Math.max(0, (section.data[o] - lo) / (hi - lo || 1)));
        let k = 0;
        while (k < table.length - 2 && t > table[k + 1][0]) k++;
        const [t0, v0] = table[k];
        const [t1, v1] = table[k + 1];
        const v = v0 + ((t - t0) / (t1 - t0)) * (v1 - v0);
        const shading = 1 + 0.2 * ((i - h / 2) * gy + (j - w / 2) * gx);
        out[o] = v * shading + noise * rng.normal();
      }
    }
    return new Volume({ data: out, shape: section.shape, spacing: section.spacing, origin: section.origin });
  }

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
    const deformation = smooth.maxMagnitude;
    const j = jacobianStatistics(truth);
    const jSmooth = jacobianStatistics(smooth);
    const truthDescription =
      `truth = rotation ${options.rotationDeg ?? 4} deg about a random axis and translation ${options.translationVoxels ?? 3} voxels, ` +
      `after a smooth random deformation of largest displacement ${deformation.toFixed(1)} voxels ` +
      `(control spacing ${options.controlSpacing ?? max(4, floor(nz / 4))} voxels; its SDlogJ ${jSmooth.sdLogJ.toFixed(3)}, ` +
      `min J ${jSmooth.minJ.toFixed(2)}, ${j.negativePercent.toFixed(2)} % J <= 0)`;
    return { fixed, moving, fixedLabels, movingLabels, truth, rigid, landmarks: { fixed: fixedPoints, moving: movingPoints }, description, truthDescription };
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

/**
 * Slice-to-volume registration: the pose at which a 2D image (a histology section) best matches a
 * virtual section of a volume, then a 2D deformable refinement of the image onto that section.
 *
 * 1. Similarity: normalised mutual information (Studholme: (H(A) + H(B)) / H(A, B), in [1, 2]) of
 *    the image and the virtual section, from a joint histogram with bilinear (partial-volume)
 *    binning. Pixels outside the volume count as empty (its lowest intensities), so that poses
 *    leaving the volume lose; below `minOverlap` inside, a pose does not count. It needs no relation
 *    between the two intensity scales, so stained sections compare with attenuation.
 * 2. Global search on a coarse level (volume pooled to about 32 voxels a side, image resampled to
 *    that voxel size): every in-plane rotation, tilt and depth on a grid around `initial` (and
 *    in-plane shifts when `shiftRangeUm` > 0).
 * 3. Local refinement: Nelder-Mead over the six pose parameters from the best distinct grid poses,
 *    coarse to fine, keeping the best few at each finer level.
 * 4. 2D deformable refinement: MIND-SSC features of the image and of the virtual section at the
 *    pose, and the Adam instance optimisation of convexAdam (diffusion-regularised, box-smoothed
 *    displacements) on the section's grid.
 *
 * `confidence` is the margin of the best refined start over the best one at a clearly different pose
 * (more than one grid angle step or 1.5 depth steps away), relative to its NMI above 1: about 0.15-0.3
 * for a true match on the phantom sections, below 0.06 for noise or a section of another phantom.
 * Below `minConfidence` (0.08) the result carries a "no clear match" warning.
 *
 * @example
 * const result = await registerSection(histology, volume, { initial: { angles: [0, 0, 0], offset: [0, 0, 0] } });
 * result.pose;                       // { angles: [az, ay, ax] degrees, offset: [z, y, x] µm }
 * showImages([{ image: result.section }, { image: result.warped }]);
 */
import { RegistrationInputError } from '../errors';
import { resolveSignal, throwIfInterrupted } from '../runtime/interrupt';
import type { Vec3, Volume } from '../volume';
import { DisplacementField } from './field';
import { refinePose } from './pose-search';
import { sectionAngles, sectionRotation, virtualSection, type SectionPose } from './section';
import { deformSection, type SectionDeformableOptions } from './section-deform';
import { checkedImage, fullSectionLevel, imageNmi, sectionLevel, sectionNmi } from './section-similarity';
import { warpVolume } from './warp';

const { floor, max, min, round, sqrt, abs } = Math;

/** What `registerSection` returns. */
export interface RegisterSectionResult {
  /** The section's pose in the volume. */
  pose: SectionPose;
  /** NMI of the image and the virtual section at the pose, full resolution, in [1, 2]. */
  similarity: number;
  /** NMI of the deformed image and the virtual section (equals `similarity` without the refinement). */
  similarityDeformed: number;
  /** (best - best at a distinct pose) / (best - 1) of the refined starts' NMI; 1 when all starts agree. */
  confidence: number;
  /** The virtual section at the pose, on the image's grid [1, h, w] (0 outside the volume). */
  section: Volume<Float32Array>;
  /** The image warped onto the section by `field` [1, h, w]. */
  warped: Volume<Float32Array>;
  /** 2D displacements on the image grid, pixels: section pixel p shows image point p + field(p) (z component 0). */
  field: DisplacementField;
  /** The locally refined starts at the coarsest level, best first. */
  candidates: { pose: SectionPose; similarity: number }[];
  /** Number of similarity evaluations in the global search and in the local refinement. */
  evaluations: { global: number; local: number };
  seconds: number;
  warnings: string[];
}

/** Registers the 2D `image` ([1, h, w] volume) to `volume`: the pose of its virtual section, then a 2D deformable refinement. */
export async function registerSection(image: Volume, volume: Volume, options: registerSection.IOptions = {}): Promise<RegisterSectionResult> {
  const t0 = performance.now();
  const signal = resolveSignal(options.signal);
  const progress = options.onProgress ?? (() => undefined);
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    (options.onWarning ?? console.warn)(message);
  };
  if (image.shape[0] !== 1) {
    throw new RegistrationInputError('section image', `must be one slice [1, h, w], got shape [${image.shape.join(', ')}]`);
  }
  const [, h, w] = image.shape;
  if (h < 8 || w < 8) throw new RegistrationInputError('section image', `of ${h} x ${w} pixels is too small (need at least 8 x 8)`);
  const pixelUm = options.spacing ?? image.spacing[2];
  if (!(pixelUm > 0 && Number.isFinite(pixelUm))) throw new RegistrationInputError('section spacing', `must be positive, got ${pixelUm}`);
  const imageData = checkedImage(image.data, 'section image');
  checkedImage(volume.data, 'volume');
  const initial = options.initial ?? { angles: [0, 0, 0], offset: [0, 0, 0] };
  const vmin = min(...volume.spacing);
  const centre = volume.shape.map((n, a) => volume.origin[a] + ((n - 1) * volume.spacing[a]) / 2) as unknown as Vec3;

  // Pyramid: the coarsest level has about 32 voxels along the longest axis.
  const longest = max(...volume.shape);
  let f0 = 1;
  while (longest / (2 * f0) >= 24 && f0 < 16) f0 *= 2;
  const factors: number[] = [];
  for (let f = f0; f >= 1; f /= 2) factors.push(f);
  const minOverlap = options.minOverlap ?? 0.5;
  const levels = factors.map(f => sectionLevel(volume, imageData, h, w, pixelUm, f, vmin, centre, options.bins, minOverlap));

  // Global search on the coarsest level.
  progress(0, 'global search');
  const coarse = levels[0];
  const grid = Private.searchGrid(volume, initial, coarse.pixel, options);
  const scores = new Float64Array(grid.count);
  let evaluations = 0;
  for (let k = 0; k < grid.count; k++) {
    if ((k & 1023) === 0) {
      throwIfInterrupted(signal);
      progress((0.5 * k) / grid.count, 'global search');
      await new Promise(resolve => setImmediate(resolve));
    }
    scores[k] = sectionNmi(coarse, grid.pose(k));
    evaluations++;
  }
  const finite = Array.from(scores).filter(Number.isFinite);
  if (!finite.length) {
    throw new RegistrationInputError(
      'section image',
      `overlaps the volume by less than ${round(minOverlap * 100)} % at every pose searched; check the pixel size (${pixelUm} µm) and the search ranges`
    );
  }
  const order = Array.from(scores.keys()).filter(k => Number.isFinite(scores[k])).sort((a, b) => scores[b] - scores[a]);
  const starts: SectionPose[] = [];
  for (const k of order) {
    if (starts.length >= (options.candidates ?? 32)) break;
    const pose = grid.pose(k);
    if (starts.every(s => !Private.near(s, pose, grid.angleStep, grid.depthStep))) starts.push(pose);
  }

  // Local refinement, coarse to fine.
  let refined = starts.map(pose => ({ pose, similarity: -Infinity }));
  let candidates: { pose: SectionPose; similarity: number }[] = [];
  let local = 0;
  for (let l = 0; l < levels.length; l++) {
    throwIfInterrupted(signal);
    const level = levels[l];
    const keep = l === 0 ? refined.length : l === levels.length - 1 ? 1 : 3;
    const next: { pose: SectionPose; similarity: number }[] = [];
    for (const start of refined.slice(0, keep)) {
      const step = { angle: l === 0 ? grid.angleStep / 2 : max(0.5, grid.angleStep / 2 ** (l + 1)), offset: level.pixel };
      let result = refinePose(p => -sectionNmi(level, p), start.pose, step, l === 0 ? 150 : 120);
      local += result.evaluations;
      if (l === levels.length - 1) {
        // One restart with a smaller simplex: Nelder-Mead stalls on a collapsed simplex.
        const again = refinePose(p => -sectionNmi(level, p), result.pose, { angle: step.angle / 2, offset: step.offset / 2 }, 120);
        local += again.evaluations;
        if (again.value <= result.value) result = again;
      }
      next.push({ pose: result.pose, similarity: -result.value });
      await new Promise(resolve => setImmediate(resolve));
    }
    next.sort((a, b) => b.similarity - a.similarity);
    if (l === 0) candidates = next.map(c => ({ pose: Private.rounded(c.pose), similarity: c.similarity }));
    refined = next;
    progress(0.5 + (0.3 * (l + 1)) / levels.length, `refine (level ${l + 1}/${levels.length})`);
  }
  const best = refined[0];
  const pose = Private.rounded(Private.canonical(best.pose));
  // Margin of the best start over the best start at a clearly different pose, relative to its NMI gain over 1.
  const top = candidates[0];
  const rival = candidates.find(c => Private.distinct(c.pose, top.pose, grid.angleStep, 1.5 * grid.depthStep));
  const confidence = rival && top.similarity > 1 ? round(((top.similarity - rival.similarity) / (top.similarity - 1)) * 1000) / 1000 : 1;
  if (!Number.isFinite(best.similarity)) {
    throw new RegistrationInputError('section image', 'matches no pose with enough overlap; check the pixel size and the search ranges');
  }
  if (confidence < (options.minConfidence ?? 0.08)) {
    warn(
      `registerSection: no clear match (confidence ${confidence.toFixed(3)}: the best pose's NMI ${top.similarity.toFixed(4)} is hardly above ` +
        `${rival?.similarity.toFixed(4)} at a different pose); the pose may be wrong. Check that the image shows this volume, its pixel size (${pixelUm} µm), and the search ranges`
    );
  }

  // The virtual section on the image's own grid, and the 2D deformable refinement.
  const section = virtualSection(volume, pose, { shape: [h, w], spacing: pixelUm }) as Volume<Float32Array>;
  progress(0.85, 'deformable 2D');
  const deformOptions = options.deformable === false ? { iterations: 0 } : options.deformable === true || !options.deformable ? {} : options.deformable;
  const field = await deformSection(section, image, levels[levels.length - 1], deformOptions, signal);
  const onGrid = image.withGeometry({ spacing: [pixelUm, pixelUm, pixelUm], origin: [0, 0, 0] });
  const warped = warpVolume(onGrid, field) as Volume<Float32Array>;
  const full = fullSectionLevel(volume, imageData, h, w, pixelUm, centre, options.bins, 0);
  const similarity = sectionNmi(full, pose);
  const similarityDeformed = imageNmi(full, section.data, warped.data);
  progress(1, 'done');
  return {
    pose,
    similarity,
    similarityDeformed,
    confidence,
    section,
    warped,
    field,
    candidates,
    evaluations: { global: evaluations, local },
    seconds: (performance.now() - t0) / 1000,
    warnings
  };
}

/** Types of `registerSection`. */
export namespace registerSection {
  /** Options of `registerSection`. */
  export interface IOptions {
    /** Pixel size of the image in µm (default its x spacing). */
    spacing?: number;
    /** Centre of the search (default the axial plane through the volume centre, angles and offset 0). */
    initial?: SectionPose;
    /** In-plane rotations searched: initial ± this, degrees (default 180: all). */
    inPlaneRangeDeg?: number;
    /** Grid step of the in-plane rotation, degrees (default 10). */
    inPlaneStepDeg?: number;
    /** Tilts about y and x searched: initial ± this, degrees (default 20). */
    tiltRangeDeg?: number;
    /** Grid step of the tilts, degrees (default 10). */
    tiltStepDeg?: number;
    /** Depths searched along the normal: initial ± this, µm (default half the volume's extent along the normal). */
    depthRangeUm?: number;
    /** In-plane shifts searched: initial ± this, µm (default 0; the local refinement still moves the section). */
    shiftRangeUm?: number;
    /** Distinct grid poses refined locally (default 32). */
    candidates?: number;
    /** NMI histogram bins (default: from the pixel count, 8 to 32). */
    bins?: number;
    /** Smallest fraction of image pixels inside the volume for a pose to count (default 0.5). */
    minOverlap?: number;
    /** Confidence below which the result carries a "no clear match" warning (default 0.08). */
    minConfidence?: number;
    /** The 2D deformable refinement: true (default), false, or its options. */
    deformable?: boolean | SectionDeformableOptions;
    /** Default: the calling cell's interrupt signal. */
    signal?: AbortSignal;
    /** Progress in [0, 1] and the stage's name. */
    onProgress?: (fraction: number, stage: string) => void;
    /** Non-fatal problems (a weak match, little overlap); default console.warn. */
    onWarning?: (message: string) => void;
  }
}

namespace Private {
  /** The grid of the global search: poses indexed by k. */
  export function searchGrid(
    volume: Volume, initial: SectionPose, voxelUm: number, options: registerSection.IOptions
  ): { count: number; pose(k: number): SectionPose; angleStep: number; depthStep: number } {
    const axis = (range: number, step: number): number[] => {
      const n = range > 0 && step > 0 ? floor(range / step + 1e-9) : 0;
      return Array.from({ length: 2 * n + 1 }, (_, i) => (i - n) * step);
    };
    const inPlaneRange = min(180, options.inPlaneRangeDeg ?? 180);
    const inPlaneStep = options.inPlaneStepDeg ?? 10;
    let inPlane = axis(inPlaneRange, inPlaneStep);
    if (inPlaneRange >= 180) inPlane = inPlane.filter(a => a > -180 + 1e-9); // -180 and 180 are one angle
    const tiltStep = options.tiltStepDeg ?? 10;
    const tilts = axis(options.tiltRangeDeg ?? 20, tiltStep);
    const shifts = axis(options.shiftRangeUm ?? 0, voxelUm * 2);
    const depthStep = voxelUm;
    // Depth range: half the volume's extent along the initial normal.
    const r0 = sectionRotation(initial.angles);
    const halfExtent = [0, 1, 2].reduce((s, a) => s + (abs(r0[a * 3]) * volume.shape[a] * volume.spacing[a]) / 2, 0);
    const depths = axis(options.depthRangeUm ?? halfExtent, depthStep);
    const dims = [inPlane.length, tilts.length, tilts.length, depths.length, shifts.length, shifts.length];
    const count = dims.reduce((a, b) => a * b, 1);
    const cache = new Map<number, Float64Array>();
    return {
      count,
      angleStep: max(tiltStep, inPlaneStep),
      depthStep,
      pose(k: number): SectionPose {
        const idx: number[] = [];
        for (let d = dims.length - 1; d >= 0; d--) {
          idx[d] = k % dims[d];
          k = floor(k / dims[d]);
        }
        const angles: [number, number, number] = [initial.angles[0] + inPlane[idx[0]], initial.angles[1] + tilts[idx[1]], initial.angles[2] + tilts[idx[2]]];
        const key = (idx[0] * tilts.length + idx[1]) * tilts.length + idx[2];
        let r = cache.get(key);
        if (!r) cache.set(key, (r = sectionRotation(angles)));
        const d = depths[idx[3]];
        const s1 = shifts[idx[4]];
        const s2 = shifts[idx[5]];
        const offset = [0, 1, 2].map(a => initial.offset[a] + d * r![a * 3] + s1 * r![a * 3 + 1] + s2 * r![a * 3 + 2]) as [number, number, number];
        return { angles, offset };
      }
    };
  }

  /** Whether two poses differ by more than `angle` degrees or `offset` µm. */
  export function distinct(a: SectionPose, b: SectionPose, angle: number, offset: number): boolean {
    const gap = poseGap(a, b);
    return gap.degrees > angle || gap.um > offset;
  }

  /** Whether two poses are neighbours on the search grid. */
  export function near(a: SectionPose, b: SectionPose, angleStep: number, depthStep: number): boolean {
    const gap = poseGap(a, b);
    return gap.degrees <= 1.01 * angleStep && gap.um <= 1.01 * depthStep;
  }

  /** How far apart two poses are: the angle of the rotation between them (degrees, from the trace) and the offsets' distance (µm). */
  function poseGap(a: SectionPose, b: SectionPose): { degrees: number; um: number } {
    const ra = sectionRotation(a.angles);
    const rb = sectionRotation(b.angles);
    let trace = 0;
    for (let i = 0; i < 9; i++) trace += ra[i] * rb[i];
    const degrees = (Math.acos(max(-1, min(1, (trace - 1) / 2))) * 180) / Math.PI;
    return { degrees, um: sqrt(a.offset.reduce((s, v, i) => s + (v - b.offset[i]) ** 2, 0)) };
  }

  /** The same rotation with ay in [-90, 90] and az, ax in (-180, 180]. */
  export function canonical(pose: SectionPose): SectionPose {
    return { angles: sectionAngles(sectionRotation(pose.angles)), offset: pose.offset };
  }

  export function rounded(pose: SectionPose): SectionPose {
    const r = (v: number, d: number): number => round(v * 10 ** d) / 10 ** d + 0;
    return { angles: pose.angles.map(v => r(v, 4)) as unknown as [number, number, number], offset: pose.offset.map(v => r(v, 3)) as unknown as [number, number, number] };
  }
}

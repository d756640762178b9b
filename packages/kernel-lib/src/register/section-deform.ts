/**
 * The 2D deformable refinement of slice-to-volume registration: MIND-SSC features of the image and
 * of its virtual section (a one-slice volume: the z neighbours repeat the pixel), and the Adam stage of
 * convexAdam (diffusion-regularised, box-smoothed displacements) on the section's grid; the field is
 * then resampled onto the image's own grid (centres aligned).
 *
 * @example
 * const field = await deformSection(section, image, finestLevel, { lambda: 6 }, signal);
 * const warped = warpVolume(image, field);
 */
import { throwIfInterrupted } from '../runtime/interrupt';
import type { Vec3, Volume } from '../volume';
import { adamRefine } from './adam';
import { DisplacementField } from './field';
import { averagePool, upsample } from './interpolate';
import { mindSsc } from './mind';
import { bilinearAt, resample2d, type SectionLevel } from './section-similarity';

const { max } = Math;

/** Options of the 2D deformable refinement of `registerSection`. */
export interface SectionDeformableOptions {
  /** Adam iterations (default 100; 0 skips the refinement). */
  iterations?: number;
  /** Adam learning rate in pixels of the Adam grid (default 0.5). */
  learningRate?: number;
  /**
   * Diffusion regularisation weight (default 6: a 2D section has 1/h of a volume's data per
   * displacement, and histology is noisy; chosen on phantom seed 7 sections, convexAdam's 3D default is 1.25).
   */
  lambda?: number;
  /** 3x3 box filter passes applied to the displacement parameters (default 3, convexAdam's). */
  smoothing?: number;
  /** Pooling factor of the Adam grid (default 1 below 128 pixels a side, else 2). */
  gridFactor?: number;
  /** MIND-SSC patch radius and neighbour distance (default 1 and 2). */
  mindRadius?: number;
  mindDilation?: number;
}

/** The 2D field (image grid, pixels) taking the section's pixels to the image's (z component 0). */
export async function deformSection(
  section: Volume<Float32Array>, image: Volume, finest: SectionLevel, options: SectionDeformableOptions, signal: AbortSignal
): Promise<DisplacementField> {
  const [, h, w] = image.shape;
  const grid = { shape: [1, h, w] as [number, number, number], spacing: section.spacing, origin: [0, 0, 0] as Vec3 };
  const iterations = options.iterations ?? 100;
  if (iterations <= 0) return DisplacementField.zeros(grid);
  // Working grid: the image at the finest level's pixel size (never finer than the volume).
  const lh = finest.h;
  const lw = finest.w;
  const ratio = finest.pixel / section.spacing[2];
  const imageData = image.data instanceof Float32Array ? image.data : Float32Array.from(image.data);
  const fixed = resample2d(section.data, h, w, lh, lw, ratio);
  const moving = resample2d(imageData, h, w, lh, lw, ratio);
  const mind = { radius: options.mindRadius ?? 1, dilation: options.mindDilation ?? 2 };
  const shape: [number, number, number] = [1, lh, lw];
  let fixedF: Float32Array;
  let movingF: Float32Array;
  try {
    fixedF = mindSsc({ data: fixed, shape }, mind);
    movingF = mindSsc({ data: moving, shape }, mind);
  } catch {
    return DisplacementField.zeros(grid); // a constant section (outside the volume): nothing to refine
  }
  const factor = options.gridFactor ?? (max(lh, lw) >= 128 ? 2 : 1);
  const fa = factor > 1 ? averagePool(fixedF, 12, shape, factor) : { data: fixedF, shape };
  const ma = factor > 1 ? averagePool(movingF, 12, shape, factor) : { data: movingF, shape };
  const init = new Float32Array(3 * fa.shape[0] * fa.shape[1] * fa.shape[2]);
  const refined = await adamRefine(fa.data, ma.data, fa.shape, init, {
    iterations,
    learningRate: options.learningRate ?? 0.5,
    lambda: options.lambda ?? 6,
    smoothing: options.smoothing ?? 3,
    signal
  });
  const working = factor > 1 ? upsample(refined.field, 3, fa.shape, shape, factor, factor) : refined.field;
  // To the image grid: positions and displacements scale by the ratio of pixel sizes (centres aligned).
  const out = DisplacementField.zeros(grid);
  const n = h * w;
  const ln = lh * lw;
  for (let i = 0; i < h; i++) {
    const y = (lh - 1) / 2 + (i - (h - 1) / 2) / ratio;
    for (let j = 0; j < w; j++) {
      const x = (lw - 1) / 2 + (j - (w - 1) / 2) / ratio;
      const o = i * w + j;
      out.data[n + o] = ratio * bilinearAt(working, ln, lh, lw, 1, y, x);
      out.data[2 * n + o] = ratio * bilinearAt(working, ln, lh, lw, 2, y, x);
    }
  }
  throwIfInterrupted(signal);
  return out;
}

/**
 * `convexAdam`: training-free deformable registration (Siebert, Grossbroehmer, Hansen, Heinrich,
 * IEEE TMI 2024; first overall in Learn2Reg 2021). MIND-SSC features; a discrete search with coupled
 * convex optimisation on a coarse grid, forward and backward, made inverse-consistent; Adam
 * instance optimisation on a half-resolution grid; trilinear upsampling. Every parameter is an
 * option whose default is the published one.
 *
 * @example
 * const { field } = await convexAdam(fixed, moving, { onProgress: (f, stage) => bar.update(f, stage) });
 * const warped = warpVolume(moving, field);
 * const labels = warpVolume(movingLabels, field, { method: 'nearest' });
 */
import { RegistrationInputError } from '../errors';
import { resolveSignal, throwIfInterrupted } from '../runtime/interrupt';
import type { Volume } from '../volume';
import { adamRefine } from './adam';
import { coupledConvex, makeInverseConsistent } from './convex';
import { composeFields, DisplacementField } from './field';
import { averagePool, upsample } from './interpolate';
import { mindSsc } from './mind';
import type { AffineTransform } from './transform';
import { checkGrids } from './grids';
import { warpVolume } from './warp';

const { max } = Math;

/** What `convexAdam` returns. */
export interface ConvexAdamResult {
  /** Fixed grid -> moving, voxels of the fixed grid. */
  field: DisplacementField;
  /** Final Adam loss (NaN when Adam was skipped). */
  loss: number;
  /** Seconds per stage. */
  seconds: { features: number; convex: number; adam: number; total: number };
}

/** Deformable registration of `moving` onto `fixed` by convexAdam; returns the displacement field on the fixed grid. */
export async function convexAdam(fixed: Volume, moving: Volume, options: convexAdam.IOptions = {}): Promise<ConvexAdamResult> {
  const t0 = performance.now();
  const signal = resolveSignal(options.signal);
  const progress = options.onProgress ?? (() => undefined);
  const grid = options.gridSpacing ?? 6;
  const factor = options.adamGridFactor ?? 2;
  if (fixed.shape.some(n => n < max(grid, factor) * 2)) {
    throw new RegistrationInputError('fixed image', `of shape [${fixed.shape.join(', ')}] is too small for grid spacing ${grid} (need >= ${2 * grid} voxels per axis)`);
  }
  let mov = checkGrids(fixed, moving, options.onWarning);
  if (options.initial) mov = warpVolume(mov, options.initial, { reference: fixed });
  throwIfInterrupted(signal);
  progress(0, 'features');
  const mindOptions = { radius: options.mindRadius ?? 1, dilation: options.mindDilation ?? 2 };
  const fixedMind = mindSsc(fixed, mindOptions);
  const movingMind = mindSsc(mov, mindOptions);
  const t1 = performance.now();
  throwIfInterrupted(signal);
  progress(0.1, 'convex');
  const fc = averagePool(fixedMind, 12, fixed.shape, grid);
  const mc = averagePool(movingMind, 12, fixed.shape, grid);
  const convex = {
    halfWidth: options.halfWidth ?? 4,
    alphas: options.alphas ?? [0.003, 0.01, 0.03, 0.1, 0.3, 1],
    costSmoothing: options.costSmoothing ?? 2
  };
  let coarse = coupledConvex(fc.data, mc.data, fc.shape, convex);
  const icIterations = options.inverseConsistencyIterations ?? 15;
  if (icIterations > 0) {
    throwIfInterrupted(signal);
    progress(0.2, 'convex (backward)');
    const backward = coupledConvex(mc.data, fc.data, fc.shape, convex);
    coarse = makeInverseConsistent(coarse, backward, fc.shape, icIterations).forward;
  }
  const t2 = performance.now();
  throwIfInterrupted(signal);
  let full: Float32Array;
  let loss = NaN;
  const iterations = options.adamIterations ?? 80;
  if (iterations > 0) {
    const fa = averagePool(fixedMind, 12, fixed.shape, factor);
    const ma = averagePool(movingMind, 12, fixed.shape, factor);
    const init = upsample(coarse, 3, fc.shape, fa.shape, grid / factor, grid / factor);
    const refined = await adamRefine(fa.data, ma.data, fa.shape, init, {
      iterations,
      learningRate: options.learningRate ?? 1,
      lambda: options.lambda ?? 1.25,
      dataWeight: options.dataWeight ?? 12,
      smoothing: options.adamSmoothing ?? 3,
      signal,
      onIteration: (done, total) => progress(0.3 + (0.65 * done) / total, 'adam')
    });
    loss = refined.loss;
    full = upsample(refined.field, 3, fa.shape, fixed.shape, factor, factor);
  } else {
    full = upsample(coarse, 3, fc.shape, fixed.shape, grid, grid);
  }
  const t3 = performance.now();
  let field = new DisplacementField({ data: full, shape: fixed.shape, spacing: fixed.spacing, origin: fixed.origin });
  if (options.initial) field = composeFields(DisplacementField.fromAffine(options.initial, fixed), field);
  if (!field.data.every(Number.isFinite)) throw new RegistrationInputError('result', 'has non-finite displacements (please report this with the inputs)');
  progress(1, 'done');
  return { field, loss, seconds: { features: (t1 - t0) / 1000, convex: (t2 - t1) / 1000, adam: (t3 - t2) / 1000, total: (performance.now() - t0) / 1000 } };
}

/** Types of `convexAdam`. */
export namespace convexAdam {
  /** Options of `convexAdam`; defaults are convexAdam's (Siebert et al. 2024, multimodallearning/convexAdam). */
  export interface IOptions {
    /** MIND-SSC patch radius (default 1). */
    mindRadius?: number;
    /** MIND-SSC neighbour distance (default 2). */
    mindDilation?: number;
    /** Coarse grid spacing in voxels (default 6). */
    gridSpacing?: number;
    /** Discrete search half-width in grid steps (default 4: 9^3 candidates, up to +-24 voxels). */
    halfWidth?: number;
    /** Coupling weights of the convex optimisation (default 0.003, 0.01, 0.03, 0.1, 0.3, 1). */
    alphas?: readonly number[];
    /** 3^3 box filter passes on the cost volume (default 2). */
    costSmoothing?: number;
    /** Fixed-point iterations of the inverse-consistency step; 0 skips the backward run (default 15). */
    inverseConsistencyIterations?: number;
    /** Adam iterations; 0 skips the stage (default 80). */
    adamIterations?: number;
    /** Adam learning rate (default 1). */
    learningRate?: number;
    /** Diffusion regularisation weight (default 1.25). */
    lambda?: number;
    /** Downsampling factor of the Adam grid (default 2: half resolution). */
    adamGridFactor?: number;
    /** 3^3 box filters applied to the Adam field (default 3). */
    adamSmoothing?: number;
    /** Weight of the mean squared MIND difference (default 12). */
    dataWeight?: number;
    /** An affine pre-alignment (fixed -> moving, µm); the returned field includes it. */
    initial?: AffineTransform;
    /** Default: the calling cell's interrupt signal. */
    signal?: AbortSignal;
    /** Progress in [0, 1] and the stage's name. */
    onProgress?: (fraction: number, stage: string) => void;
    /** Non-fatal problems (moving resampled onto the fixed grid); default console.warn. */
    onWarning?: (message: string) => void;
  }
}

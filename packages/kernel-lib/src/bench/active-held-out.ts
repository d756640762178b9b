/**
 * Dice on the voxels nobody annotated: every voxel of every annotated slice is left out (also the voxels of those
 * slices that an imperfect oracle left unlabelled), so that a head is never scored on what it was trained on. With no
 * slice annotated that is the whole volume.
 *
 * @example
 * const { dice, meanForegroundDice, voxels } = neverAnnotatedDice({ prediction: al.labels().data, truth: phantom.labels, axis: 'y', annotated: [12, 40] });
 */
import { UNLABELLED, sliceShape, voxelOf, type OrthogonalAxis } from '../protocol';
import { confusionMatrix, diceFromConfusion } from '../metrics';
import type { Volume } from '../volume';

/** Dice per class over the never-annotated voxels. */
export interface HeldOutDice {
  /** [background, bone, DL, RM]; NaN for a class absent from prediction and truth there. */
  dice: number[];
  /** Mean of the foreground classes' Dice (bone, DL, RM). */
  meanForegroundDice: number;
  /** Voxels scored. */
  voxels: number;
}

/** Dice of `prediction` (labels, C-order like `truth`) against `truth` outside the `annotated` slices along `axis`. */
export function neverAnnotatedDice(options: { prediction: ArrayLike<number>; truth: Volume<Uint8Array>; axis: OrthogonalAxis; annotated: readonly number[]; classes?: number }): HeldOutDice {
  const { prediction, truth, axis, annotated, classes = 4 } = options;
  const heldOut = truth.data.slice();
  const [h, w] = sliceShape(truth.shape, axis);
  // confusionMatrix counts no voxel whose truth is >= classes: UNLABELLED takes the annotated slices out.
  for (const k of new Set(annotated)) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) heldOut[voxelOf(truth.shape, axis, k, i, j)] = UNLABELLED;
  const dice = diceFromConfusion(confusionMatrix(prediction, heldOut, classes));
  const foreground = dice.slice(1).filter(d => !Number.isNaN(d));
  return { dice, meanForegroundDice: foreground.reduce((a, b) => a + b, 0) / foreground.length, voxels: heldOut.length - new Set(annotated).size * h * w };
}


/**
 * Overlap metrics: per-class Dice and IoU from the confusion matrix (segmentation; NaN where a
 * class is absent from both prediction and truth), and Dice of one label or a group of labels
 * between two label volumes with the Learn2Reg definitions (registration, MDL-UzL/L2R
 * evaluation code: NaN where the label is absent from the fixed labels, then the NaN-ignoring mean).
 *
 * @example
 * const cm = confusionMatrix(pred.data, truth.data, 4);   // cm[truth][pred] voxel counts
 * diceFromConfusion(cm);                                   // [bg, bone, DL, RM]
 * labelDice(fixedLabels, warpedLabels, [1, 2, 3]);         // { perLabel, mean }
 */
import { MetricsInputError } from '../errors';
import type { Volume } from '../volume';
import { checkLabelShapes } from './surface';

/** Voxel counts m[t][p]: truth class t predicted as p. Labels >= classes are counted in no row or column. */
export function confusionMatrix(pred: ArrayLike<number>, truth: ArrayLike<number>, classes: number): number[][] {
  if (pred.length !== truth.length) throw new MetricsInputError(`Prediction has ${pred.length} voxels, truth ${truth.length}; they must match`);
  const counts = new Float64Array(classes * classes);
  for (let i = 0; i < pred.length; i++) {
    const t = truth[i];
    const p = pred[i];
    if (t < classes && p < classes) counts[t * classes + p]++;
  }
  return Array.from({ length: classes }, (_, t) => Array.from(counts.subarray(t * classes, (t + 1) * classes)));
}

/** Per-class Dice 2|P∩T| / (|P| + |T|) from a confusion matrix. */
export function diceFromConfusion(m: number[][]): number[] {
  return m.map((row, c) => {
    const tp = row[c];
    const denominator = row.reduce((a, b) => a + b, 0) + m.reduce((a, r) => a + r[c], 0);
    return denominator === 0 ? NaN : (2 * tp) / denominator;
  });
}

/** Per-class IoU |P∩T| / |P∪T| from a confusion matrix. */
export function iouFromConfusion(m: number[][]): number[] {
  return m.map((row, c) => {
    const tp = row[c];
    const union = row.reduce((a, b) => a + b, 0) + m.reduce((a, r) => a + r[c], 0) - tp;
    return union === 0 ? NaN : tp / union;
  });
}

/** Dice of the voxels whose label is in `label` (one label or a group, e.g. [2, 3] for the implant); NaN when absent from `fixed`. */
export function dice(fixed: Volume, moving: Volume, label: number | readonly number[]): number {
  checkLabelShapes(fixed.shape, moving.shape);
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

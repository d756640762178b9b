/**
 * Overlap metrics from the confusion matrix: per-class Dice and IoU (NaN where a class is
 * absent from both prediction and truth, as in the Learn2Reg evaluation code).
 *
 * @example
 * const cm = confusionMatrix(pred.data, truth.data, 4);   // cm[truth][pred] voxel counts
 * diceFromConfusion(cm);                                   // [bg, bone, DL, RM]
 */
import { MetricsInputError } from '../errors';

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

/**
 * Metrics: per-class Dice, IoU, HD95 and mean surface distance (µm, spacing-aware, exact
 * Euclidean distance transform), confusion matrix, notebook table and plot; degradation
 * analytics (RM/DL volumes, DL thickness, degradation rate, BV/TV shells, bone-implant contact);
 * the Learn2Reg label metrics of registration (`dice`, `labelDice`, `hd95` in voxels).
 *
 * @example
 * import { segmentationMetrics, metricsTable, degradationMetrics, degradationRows, table } from '@mdlma/kernel';
 * const m = segmentationMetrics(labels, truth);
 * metricsTable(m);
 * table(degradationRows(degradationMetrics(labels, { initialImplantVolumeMm3: 2.1, weeks: 8 })));
 */
export { degradationMetrics, degradationRows } from './degradation';
export type { DegradationMetrics, ShellFraction } from './degradation';
export { LABEL_NAMES, metricsPlot, metricsRows, metricsSpec, metricsTable, segmentationMetrics } from './evaluate';
export type { ClassMetrics, SegmentationMetrics } from './evaluate';
export { confusionMatrix, dice, diceFromConfusion, iouFromConfusion, labelDice } from './overlap';
export { hd95, surfaceDistances, surfaceOf } from './surface';
export type { SurfaceDistances } from './surface';

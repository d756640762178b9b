/**
 * Comparing a label volume with the truth: per-class Dice, IoU, HD95 and mean surface distance
 * (µm, from the volumes' spacing), plus the confusion matrix; and helpers that show them as a
 * notebook table and a Vega-Lite bar chart.
 *
 * @example
 * const m = segmentationMetrics(labels, truth);
 * metricsTable(m);               // class | dice | iou | hd95 (µm) | msd (µm) | voxels
 * await metricsPlot(m);          // Dice and IoU per class
 */
import { table, plot, type Row, type VegaLiteSpec } from '../display';
import { MetricsInputError } from '../errors';
import type { Volume } from '../volume';
import { confusionMatrix, diceFromConfusion, iouFromConfusion } from './overlap';
import { surfaceDistances } from './surface';

/** Default class names by label value (DESIGN.md). */
export const LABEL_NAMES = ['background', 'bone', 'degradation layer', 'residual material'];

/** Metrics of one class. */
export interface ClassMetrics {
  label: number;
  name: string;
  dice: number;
  iou: number;
  /** µm; undefined when surface metrics were skipped. */
  hd95Um?: number;
  msdUm?: number;
  truthVoxels: number;
  predictedVoxels: number;
}

/** What `segmentationMetrics` returns. */
export interface SegmentationMetrics {
  classes: ClassMetrics[];
  /** confusion[t][p]: voxels of truth class t predicted as p. */
  confusion: number[][];
  /** Mean Dice over the foreground classes present (labels >= 1). */
  meanForegroundDice: number;
  spacing: [number, number, number];
  units: { hd95Um: 'µm'; msdUm: 'µm'; dice: '1'; iou: '1' };
}

/** Per-class metrics of `pred` against `truth` (same shape; spacing from `truth`). */
export function segmentationMetrics(pred: Volume, truth: Volume, options: segmentationMetrics.IOptions = {}): SegmentationMetrics {
  if (pred.shape.some((n, a) => n !== truth.shape[a])) {
    throw new MetricsInputError(`Prediction shape [${pred.shape.join(', ')}] differs from truth shape [${truth.shape.join(', ')}]; resample or crop one of them`);
  }
  const C = options.classes ?? 4;
  const names = options.names ?? LABEL_NAMES;
  const confusion = confusionMatrix(pred.data, truth.data, C);
  const dice = diceFromConfusion(confusion);
  const iou = iouFromConfusion(confusion);
  const classes: ClassMetrics[] = [];
  for (let c = 0; c < C; c++) {
    const m: ClassMetrics = {
      label: c,
      name: names[c] ?? `class ${c}`,
      dice: dice[c],
      iou: iou[c],
      truthVoxels: confusion[c].reduce((a, b) => a + b, 0),
      predictedVoxels: confusion.reduce((a, r) => a + r[c], 0)
    };
    if (options.surface !== false && (c > 0 || options.background)) {
      const a = Private.maskOf(pred.data, c);
      const b = Private.maskOf(truth.data, c);
      const s = surfaceDistances(a, b, truth.shape, truth.spacing);
      m.hd95Um = s.hd95;
      m.msdUm = s.msd;
    }
    classes.push(m);
  }
  const fg = dice.slice(1).filter(d => !Number.isNaN(d));
  return {
    classes,
    confusion,
    meanForegroundDice: fg.length ? fg.reduce((a, b) => a + b, 0) / fg.length : NaN,
    spacing: [...truth.spacing] as [number, number, number],
    units: { hd95Um: 'µm', msdUm: 'µm', dice: '1', iou: '1' }
  };
}

/** Types of `segmentationMetrics`. */
export namespace segmentationMetrics {
  /** Options of `segmentationMetrics`. */
  export interface IOptions {
    /** Number of classes (default 4). */
    classes?: number;
    /** Class names (default LABEL_NAMES). */
    names?: string[];
    /** Compute HD95 and MSD (default true; two distance transforms per class). */
    surface?: boolean;
    /** Surface metrics for background too (default false). */
    background?: boolean;
  }
}

/** Table rows of per-class metrics (with units in the column names). */
export function metricsRows(m: SegmentationMetrics): Row[] {
  return m.classes.map(c => ({
    class: `${c.label} ${c.name}`,
    dice: c.dice,
    iou: c.iou,
    'hd95 (µm)': c.hd95Um ?? '',
    'msd (µm)': c.msdUm ?? '',
    'truth voxels': c.truthVoxels,
    'predicted voxels': c.predictedVoxels
  }));
}

/** Shows per-class metrics as a table in the notebook (or text outside it). */
export function metricsTable(m: SegmentationMetrics, caption = 'Segmentation metrics per class'): void {
  table(metricsRows(m), { caption, digits: 4 });
}

/** A Vega-Lite grouped bar chart of Dice and IoU per class. */
export function metricsSpec(m: SegmentationMetrics, title = 'Dice and IoU per class'): VegaLiteSpec {
  const values = m.classes.flatMap(c => [
    { class: c.name, metric: 'Dice', value: c.dice },
    { class: c.name, metric: 'IoU', value: c.iou }
  ]);
  return {
    title,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'class', type: 'nominal', sort: null, title: null },
      xOffset: { field: 'metric' },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: 'score' },
      color: { field: 'metric', type: 'nominal' }
    },
    width: 320,
    height: 200
  };
}

/** Shows `metricsSpec(m)` in the notebook. */
export async function metricsPlot(m: SegmentationMetrics, title?: string): Promise<void> {
  await plot(metricsSpec(m, title));
}

namespace Private {
  export function maskOf(labels: ArrayLike<number>, c: number): Uint8Array {
    const out = new Uint8Array(labels.length);
    for (let i = 0; i < labels.length; i++) out[i] = labels[i] === c ? 1 : 0;
    return out;
  }
}

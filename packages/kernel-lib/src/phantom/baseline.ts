/**
 * How separable the classes of a labelled tomogram are by grey value alone: per-class
 * intensity histograms, their pairwise overlap, and the best global-threshold
 * segmentation. On real SRµCT of Mg implants the DL is poorly separated by thresholds; a
 * realistic phantom must show the same.
 *
 * @example
 * const base = thresholdBaseline(phantom.image, phantom.labels);
 * base.dice;                                  // [background, bone, DL, RM]
 * const h = classHistograms(phantom.image, phantom.labels, 128);
 * histogramOverlap(h, 2, 3);                  // DL vs RM, 0 (disjoint) .. 1 (identical)
 */
import { VolumeShapeError } from '../errors';
import { sortedQuantile, sortedSample } from '../numeric';
import type { Volume } from '../volume';

// Local aliases: in jest's VM sandbox every lookup of the global `Math` costs ~100x a local one.
const { floor, min } = Math;

/** Class names by label value. */
export const CLASS_NAMES = ['background', 'bone', 'DL', 'RM'] as const;

/** Per-class intensity histograms on shared bins. */
export interface ClassHistograms {
  /** Bin edges (bins + 1), in image units. */
  edges: number[];
  /** Bin centres. */
  centers: number[];
  /** counts[label][bin]. Values outside the range fall into the first or last bin. */
  counts: number[][];
  /** Voxels per class. */
  totals: number[];
}

/** Intensity histograms of each label class (0..3) of `image`. */
export function classHistograms(image: Volume, labels: Volume, bins: number | thresholdBaseline.IOptions = 128): ClassHistograms {
  const options = typeof bins === 'number' ? { bins } : bins;
  const n = options.bins ?? 128;
  if (image.size !== labels.size) {
    throw new VolumeShapeError(`Image [${image.shape.join(', ')}] and labels [${labels.shape.join(', ')}] differ in shape`);
  }
  const [lo, hi] = options.range ?? Private.percentileRange(image.data);
  const width = (hi - lo) / n || 1;
  const counts = CLASS_NAMES.map(() => new Array<number>(n).fill(0));
  const totals = [0, 0, 0, 0];
  const data = image.data;
  for (let i = 0; i < data.length; i++) {
    const c = labels.data[i];
    if (c > 3) continue;
    let b = floor((data[i] - lo) / width);
    b = b < 0 ? 0 : b >= n ? n - 1 : b;
    counts[c][b]++;
    totals[c]++;
  }
  const edges = Array.from({ length: n + 1 }, (_, k) => lo + k * width);
  return { edges, centers: edges.slice(0, n).map(e => e + width / 2), counts, totals };
}

/** Overlap of the normalised histograms of classes a and b: Σ min(p_a, p_b), 0 (disjoint) to 1 (identical). */
export function histogramOverlap(h: ClassHistograms, a: number, b: number): number {
  if (!h.totals[a] || !h.totals[b]) return NaN;
  let sum = 0;
  for (let k = 0; k < h.centers.length; k++) {
    sum += min(h.counts[a][k] / h.totals[a], h.counts[b][k] / h.totals[b]);
  }
  return sum;
}

/** The best global-threshold segmentation of a labelled image. */
export interface ThresholdBaseline {
  /** Thresholds (image units), ascending: the intensity bands between them are the classes of `order`. */
  thresholds: number[];
  /** The class of each intensity band, darkest first. */
  order: number[];
  /** Dice per label [background, bone, DL, RM] of that segmentation; NaN for absent classes. */
  dice: number[];
  /** Mean Dice over present classes (what the search maximised). */
  meanDice: number;
  /** For each class on its own, the best intensity interval and its Dice (an upper bound for any global threshold). */
  bestInterval: { lo: number; hi: number; dice: number }[];
}

/**
 * Search all threshold triples on the histogram, and all assignments of the four classes
 * to the four intensity bands, for the highest mean Dice (exhaustive on `bins` bins).
 */
export function thresholdBaseline(image: Volume, labels: Volume, options: thresholdBaseline.IOptions = {}): ThresholdBaseline {
  const h = classHistograms(image, labels, { bins: options.bins ?? 128, range: options.range });
  const B = h.centers.length;
  // cum[c][b]: voxels of class c in bins < b; all[b]: voxels of any class in bins < b.
  const cum = h.counts.map(row => {
    const out = new Float64Array(B + 1);
    for (let b = 0; b < B; b++) out[b + 1] = out[b] + row[b];
    return out;
  });
  const all = new Float64Array(B + 1);
  for (let b = 0; b <= B; b++) all[b] = cum[0][b] + cum[1][b] + cum[2][b] + cum[3][b];
  const present = [0, 1, 2, 3].filter(c => h.totals[c] > 0);
  const dice = (c: number, a: number, b: number) => (2 * (cum[c][b] - cum[c][a])) / (all[b] - all[a] + h.totals[c]);

  let best = { score: -1, t: [0, 0, 0], order: [0, 1, 2, 3] };
  for (const order of Private.permutations([0, 1, 2, 3])) {
    const [c0, c1, c2, c3] = order;
    for (let t1 = 0; t1 <= B; t1++) {
      const d0 = h.totals[c0] ? dice(c0, 0, t1) : 0;
      for (let t2 = t1; t2 <= B; t2++) {
        const d1 = h.totals[c1] ? dice(c1, t1, t2) : 0;
        for (let t3 = t2; t3 <= B; t3++) {
          const score = d0 + d1 + (h.totals[c2] ? dice(c2, t2, t3) : 0) + (h.totals[c3] ? dice(c3, t3, B) : 0);
          if (score > best.score) best = { score, t: [t1, t2, t3], order };
        }
      }
    }
  }
  const bounds = [0, ...best.t, B];
  const diceOut = [NaN, NaN, NaN, NaN];
  best.order.forEach((c, k) => {
    if (h.totals[c]) diceOut[c] = dice(c, bounds[k], bounds[k + 1]);
  });
  const bestInterval = [0, 1, 2, 3].map(c => {
    let top = { lo: NaN, hi: NaN, dice: NaN };
    if (!h.totals[c]) return top;
    top.dice = -1;
    for (let a = 0; a < B; a++) {
      for (let b = a + 1; b <= B; b++) {
        const d = dice(c, a, b);
        if (d > top.dice) top = { lo: h.edges[a], hi: h.edges[b], dice: d };
      }
    }
    return top;
  });
  return {
    thresholds: best.t.map(t => h.edges[t]),
    order: best.order,
    dice: diceOut,
    meanDice: best.score / present.length,
    bestInterval
  };
}

/** Types of `thresholdBaseline`. */
export namespace thresholdBaseline {
  /** Options of `classHistograms` and `thresholdBaseline`. */
  export interface IOptions {
    /** Number of bins (default 128). */
    bins?: number;
    /** Intensity range; default the 0.1-99.9 percentile range of the image. */
    range?: [number, number];
  }
}

namespace Private {
  /** The 0.1st and 99.9th percentiles of a sample (order statistics below and above). */
  export function percentileRange(data: ArrayLike<number>): [number, number] {
    const sample = sortedSample(data);
    const lo = sortedQuantile(sample, 0.001, 'lower');
    const hi = sortedQuantile(sample, 0.999, 'higher');
    return hi > lo ? [lo, hi] : [lo, lo + 1];
  }

  export function permutations(items: number[]): number[][] {
    if (items.length <= 1) return [items];
    return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map(rest => [item, ...rest]));
  }
}

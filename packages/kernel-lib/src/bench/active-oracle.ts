/**
 * Simulated annotators of the active-learning benchmark. Each turns the phantom's ground truth into the label image
 * of one slice (the slice's [rows, cols], 255 = left unlabelled) that the benchmark hands to `annotate`, the entry
 * point the annotation panel's comm feeds. `perfect` paints the whole slice exactly. `imperfect` is a hurried expert:
 * strokes that stop 1 or 2 voxels short of every class boundary and cover only a part of the slice (a random
 * rectangle of 40-70 % of it), the rest left unlabelled; deterministic in the phantom seed and the slice, so that every
 * strategy that picks a slice gets the same strokes on it.
 *
 * @example
 * const labels2d = ORACLES.imperfect({ truth: phantom.labels, axis: 'y', index: 40, seed: 2001 });
 * al.annotate('y', 40, labels2d);
 */
import { sliceShape, UNLABELLED, voxelOf, type OrthogonalAxis } from '../protocol';
import { distanceTransform, Rng } from '../numeric';
import type { Volume } from '../volume';

/** The annotators the benchmark compares. */
export type OracleName = 'perfect' | 'imperfect';

/** What an oracle is asked: a slice of the phantom whose truth it knows. */
export interface OracleRequest {
  truth: Volume<Uint8Array>;
  axis: OrthogonalAxis;
  index: number;
  /** The phantom's seed (the imperfect oracle's strokes are drawn from it). */
  seed: number;
}

/** An annotator: the slice's label image ([rows, cols], 255 = unlabelled). */
export type Oracle = (request: OracleRequest) => Uint8Array;

/** How the imperfect oracle falls short of the truth. */
export const IMPERFECT_ORACLE = {
  /** Voxels within this distance (voxels, Euclidean, in the slice) of another class stay unlabelled: 1 or 2, drawn per slice. */
  boundaryMargin: [1, 2],
  /** Fraction of the slice inside the labelled rectangle, drawn uniformly per slice. */
  coverage: [0.4, 0.7]
} as const;

/** The slice's ground truth, every voxel labelled. */
export function perfectOracle({ truth, axis, index }: OracleRequest): Uint8Array {
  const [h, w] = sliceShape(truth.shape, axis);
  const out = new Uint8Array(h * w);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[i * w + j] = truth.data[voxelOf(truth.shape, axis, index, i, j)];
  return out;
}

/** The slice's ground truth away from class boundaries and inside a random sub-rectangle; unlabelled elsewhere. */
export function imperfectOracle(request: OracleRequest): Uint8Array {
  const { truth, axis, index, seed } = request;
  const [h, w] = sliceShape(truth.shape, axis);
  const exact = perfectOracle(request);
  const rng = new Rng(seed, Rng.stream(`bench.active.imperfect-oracle:${axis}:${index}`));
  const [lowMargin, highMargin] = IMPERFECT_ORACLE.boundaryMargin;
  const margin = lowMargin + rng.int(highMargin - lowMargin + 1);
  const rectangle = Private.rectangle(h, w, rng.uniform(...IMPERFECT_ORACLE.coverage), rng);
  const out = new Uint8Array(h * w).fill(UNLABELLED);
  for (const label of new Set(exact)) {
    // Distance of each voxel to the nearest voxel of another class, the slice taken as a one-voxel-thick volume.
    const other = Uint8Array.from(exact, v => (v !== label ? 1 : 0));
    const distance = distanceTransform(other, [1, h, w], [1, 1, 1]);
    for (let i = rectangle.top; i < rectangle.top + rectangle.height; i++) {
      for (let j = rectangle.left; j < rectangle.left + rectangle.width; j++) {
        const p = i * w + j;
        if (exact[p] === label && distance[p] > margin) out[p] = label;
      }
    }
  }
  return out;
}

/** The oracles by name (adding one touches this table and `OracleName`). */
export const ORACLES: Record<OracleName, Oracle> = { perfect: perfectOracle, imperfect: imperfectOracle };

namespace Private {
  /** A rectangle of about `coverage` of an h x w slice, of random aspect and position. */
  export function rectangle(h: number, w: number, coverage: number, rng: Rng): { top: number; left: number; height: number; width: number } {
    // Width fraction in [coverage, 1] so that the height fraction coverage / width stays within [coverage, 1].
    const widthFraction = rng.uniform(coverage, 1);
    const width = Math.max(1, Math.min(w, Math.round(widthFraction * w)));
    const height = Math.max(1, Math.min(h, Math.round((coverage / widthFraction) * h)));
    return { top: rng.int(h - height + 1), left: rng.int(w - width + 1), height, width };
  }
}

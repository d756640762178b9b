/**
 * Acquisition functions: which slices should the expert annotate next? Each scores every slice along an orthogonal
 * axis from the model's outputs (higher = more worth annotating), then a batch of k slices is chosen that keeps away
 * from near-duplicates (slices closer than `minDistance` to a chosen or already annotated one).
 *
 * - random: a seeded shuffle (the baseline every strategy must beat);
 * - entropy, margin, least-confidence: voxel uncertainty from the class posteriors p_c (entropy -Σ p log p / log C;
 *   1 - (p_1st - p_2nd); 1 - p_max), aggregated per slice as the mean or as the mean of the top `topPercent` % voxels.
 *   Each voxel's uncertainty is weighted by Σ_c p_c w_c with w_c = (V / (C n_c))^classBalance, n_c the predicted
 *   (soft) volume of class c: the goal is Dice per class, and a doubt about a thin degradation layer matters more
 *   than one about the background at the sample's edge (classBalance 0 = plain uncertainty);
 * - coreset: k-center greedy (Sener & Savarese, ICLR 2018) on per-slice embeddings pooled from the U-Net's
 *   `features` (mean and standard deviation of each channel over the slice, z-scored across slices);
 * - hybrid: the same greedy, with each slice's distance weighted by its normalised uncertainty (uncertainty-weighted
 *   diversity);
 * - mc-dropout, bald: need several stochastic passes; an ONNX model exported in eval mode has none, so they raise
 *   StochasticInferenceError pointing at the card's `stochastic_inference`.
 *
 * @example
 * const picks = acquire({ shape, classes: 4, probs, features, featureCount: 16 }, {
 *   strategy: 'entropy', axis: 'z', k: 4, minDistance: 3, annotated: [10, 40]
 * });
 * picks[0];   // { axis: 'z', index: 57, score: 0.31, rank: 1, reason: 'entropy: ...' }
 */
import { ActiveLearningError, StochasticInferenceError } from '../errors';
import type { SegmentationModel } from '../models';
import { Rng } from '../numeric';
import { type OrthogonalAxis, sliceCount, type Suggestion } from '../protocol';
import type { Shape3 } from '../volume';
import { checkAxis, sliceOfVoxel } from './planes';

/** Voxel uncertainty measures. */
export type UncertaintyKind = 'entropy' | 'margin' | 'least-confidence';

/** Every acquisition strategy by name (mc-dropout and bald only where the model has stochastic inference). */
export type AcquisitionStrategy = 'random' | UncertaintyKind | 'coreset' | 'hybrid' | 'mc-dropout' | 'bald';

/** The strategies in a stable order. */
export const ACQUISITION_STRATEGIES: readonly AcquisitionStrategy[] = ['random', 'entropy', 'margin', 'least-confidence', 'coreset', 'hybrid', 'mc-dropout', 'bald'];

/** The strategies that run on a deterministic ONNX model. */
export const DETERMINISTIC_STRATEGIES: readonly AcquisitionStrategy[] = ['random', 'entropy', 'margin', 'least-confidence', 'coreset', 'hybrid'];

/** How voxel uncertainties become one slice score. */
export type Aggregation = 'mean' | 'top-k';

/** What acquisition reads: per-voxel class probabilities [C, z, y, x] and, for coreset and hybrid, features [F, z, y, x]. */
export interface AcquisitionInput {
  shape: Shape3;
  classes: number;
  probs: Float32Array;
  features?: Float32Array;
  featureCount?: number;
}

/** Picks `options.k` slices along `options.axis` by `options.strategy`; see the module header. */
export function acquire(input: AcquisitionInput, options: acquire.IOptions): Suggestion[] {
  const axis = checkAxis(options.axis);
  const n = sliceCount(input.shape, axis);
  const { k } = options;
  if (!Number.isInteger(k) || k < 1) throw new ActiveLearningError('k', `must be a positive integer, got ${JSON.stringify(k)}`);
  const minDistance = options.minDistance ?? 2;
  if (!Number.isInteger(minDistance) || minDistance < 1) throw new ActiveLearningError('minDistance', `must be a positive integer (1 allows neighbouring slices), got ${JSON.stringify(minDistance)}`);
  const annotated = [...new Set(options.annotated ?? [])].filter(a => a >= 0 && a < n);
  const eligible = Private.eligibility(n, annotated, minDistance);
  const strategy = options.strategy;
  const aggregation = { aggregation: options.aggregation ?? 'mean', topPercent: options.topPercent ?? 10, classBalance: options.classBalance ?? 1 } as const;
  const mark = (picks: { index: number; score: number; reason: string }[]): Suggestion[] =>
    picks.map((p, r) => ({ axis, index: p.index, score: p.score, rank: r + 1, reason: p.reason }));
  switch (strategy) {
    case 'random': {
      const rng = new Rng(options.seed ?? 0, Rng.stream('acquisition.random'));
      const scores = Float64Array.from({ length: n }, () => rng.uniform());
      return mark(selectSlices(scores, k, { eligible, minDistance }).map(index => ({ index, score: scores[index], reason: `random (seed ${options.seed ?? 0})` })));
    }
    case 'entropy':
    case 'margin':
    case 'least-confidence': {
      const scores = sliceUncertainty(input, axis, strategy, aggregation);
      const weighted = aggregation.classBalance ? 'class-weighted ' : '';
      const what = aggregation.aggregation === 'mean' ? `mean ${weighted}voxel ${strategy}` : `mean ${weighted}${strategy} of the top ${aggregation.topPercent}% voxels`;
      const order = Private.rankOf(scores);
      return mark(
        selectSlices(scores, k, { eligible, minDistance }).map(index => ({
          index,
          score: scores[index],
          reason: `${strategy}: ${what} ${scores[index].toFixed(3)} (${Private.ordinal(order[index] + 1)} most uncertain of ${n} slices)`
        }))
      );
    }
    case 'coreset':
    case 'hybrid': {
      const embedding = sliceEmbeddings(Private.features(input, strategy), input.featureCount!, input.shape, axis);
      const weights = strategy === 'hybrid' ? Private.normalised(sliceUncertainty(input, axis, options.hybridUncertainty ?? 'entropy', aggregation)) : undefined;
      const picks = kCenterGreedy(embedding.data, embedding.dim, { labelled: annotated, k, eligible, minDistance, weights });
      return mark(
        picks.map(p => ({
          index: p.index,
          score: p.score,
          reason:
            strategy === 'coreset'
              ? `coreset: feature distance ${p.distance.toFixed(2)} to the nearest annotated or chosen slice`
              : `hybrid: uncertainty ${weights![p.index].toFixed(2)} (of the most uncertain) x feature distance ${p.distance.toFixed(2)}`
        }))
      );
    }
    case 'mc-dropout':
    case 'bald':
      throw Private.stochastic(strategy, options.model);
    default:
      throw new ActiveLearningError('strategy', `must be one of ${ACQUISITION_STRATEGIES.join(', ')}; got ${JSON.stringify(strategy)}`);
  }
}

/** Types of `acquire`. */
export namespace acquire {
  /** Options of `acquire`. */
  export interface IOptions {
    strategy: AcquisitionStrategy;
    axis: OrthogonalAxis;
    /** Slices to pick. */
    k: number;
    /** Slices already annotated along `axis`: never picked again, and the labelled set of coreset. */
    annotated?: readonly number[];
    /** Picks keep at least this many slices away from each other and from annotated slices (default 2: no neighbours). */
    minDistance?: number;
    /** Per-slice aggregation of voxel uncertainty (default 'mean'). */
    aggregation?: Aggregation;
    /** Percentage of a slice's most uncertain voxels averaged by 'top-k' (default 10). */
    topPercent?: number;
    /** Seed of 'random' (default 0). */
    seed?: number;
    /** Exponent of the class weights of voxel uncertainty (default 1: inverse predicted class volume; 0: none). */
    classBalance?: number;
    /** Uncertainty measure of 'hybrid' (default 'entropy'). */
    hybridUncertainty?: UncertaintyKind;
    /** The model, so that mc-dropout and bald can say where its card explains stochastic inference. */
    model?: SegmentationModel;
  }
}

/** Per-voxel uncertainty in [0, 1] from planar class probabilities [C, V]. */
export function voxelUncertainty(probs: Float32Array, classes: number, kind: UncertaintyKind): Float32Array {
  const V = probs.length / classes;
  if (!Number.isInteger(V)) throw new ActiveLearningError('probs', `has ${probs.length} values, not a multiple of ${classes} classes`);
  const out = new Float32Array(V);
  const norm = 1 / Math.log(classes);
  for (let v = 0; v < V; v++) {
    let first = 0;
    let second = 0;
    let h = 0;
    for (let c = 0; c < classes; c++) {
      const p = probs[c * V + v];
      if (p > first) {
        second = first;
        first = p;
      } else if (p > second) second = p;
      if (p > 0) h -= p * Math.log(p);
    }
    out[v] = kind === 'entropy' ? h * norm : kind === 'margin' ? 1 - (first - second) : 1 - first;
  }
  return out;
}

/** One score per slice along `axis`: the mean of `values` over the slice, or the mean of its top `topPercent` %. */
export function aggregateSlices(values: Float32Array, shape: Shape3, axis: OrthogonalAxis, options: { aggregation?: Aggregation; topPercent?: number } = {}): Float64Array {
  const n = sliceCount(shape, axis);
  const which = sliceOfVoxel(shape, axis);
  const counts = new Float64Array(n);
  const sums = new Float64Array(n);
  for (let v = 0; v < values.length; v++) {
    sums[which[v]] += values[v];
    counts[which[v]]++;
  }
  if ((options.aggregation ?? 'mean') === 'mean') return sums.map((s, k) => s / counts[k]);
  const percent = options.topPercent ?? 10;
  if (!(percent > 0 && percent <= 100)) throw new ActiveLearningError('topPercent', `must be in (0, 100], got ${percent}`);
  // Gather each slice's values, then average its largest ones.
  const starts = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) starts[k + 1] = starts[k] + counts[k];
  const gathered = new Float32Array(values.length);
  const fill = starts.slice(0, n);
  for (let v = 0; v < values.length; v++) gathered[fill[which[v]]++] = values[v];
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const part = gathered.subarray(starts[k], starts[k + 1]).sort();
    const top = Math.max(1, Math.round((part.length * percent) / 100));
    let s = 0;
    for (let i = part.length - top; i < part.length; i++) s += part[i];
    out[k] = s / top;
  }
  return out;
}

/** Uncertainty of every slice along `axis` (voxel uncertainty, class-weighted, then aggregation). */
export function sliceUncertainty(
  input: AcquisitionInput,
  axis: OrthogonalAxis,
  kind: UncertaintyKind,
  options: { aggregation?: Aggregation; topPercent?: number; classBalance?: number } = {}
): Float64Array {
  const values = voxelUncertainty(input.probs, input.classes, kind);
  if (options.classBalance) weightByClass(values, input.probs, input.classes, options.classBalance);
  return aggregateSlices(values, input.shape, axis, options);
}

/**
 * Multiplies each voxel's value by Σ_c p_c w_c, w_c = (V / (C n_c))^exponent with n_c = Σ_v p_c(v) (the predicted
 * class volume): rare classes weigh more, as in class-balanced losses. In place; returns `values`.
 */
export function weightByClass(values: Float32Array, probs: Float32Array, classes: number, exponent: number): Float32Array {
  if (!(exponent >= 0)) throw new ActiveLearningError('classBalance', `must be 0 or more, got ${exponent}`);
  const V = values.length;
  const weights = new Float64Array(classes);
  for (let c = 0; c < classes; c++) {
    let n = 0;
    for (let v = 0; v < V; v++) n += probs[c * V + v];
    // A class predicted nowhere gets the weight of a class of one voxel.
    weights[c] = (V / (classes * Math.max(n, 1))) ** exponent;
  }
  for (let v = 0; v < V; v++) {
    let w = 0;
    for (let c = 0; c < classes; c++) w += probs[c * V + v] * weights[c];
    values[v] *= w;
  }
  return values;
}

/** Per-slice embeddings [n, 2F]: mean and standard deviation of each feature channel over the slice, z-scored across slices. */
export function sliceEmbeddings(features: Float32Array, featureCount: number, shape: Shape3, axis: OrthogonalAxis): { data: Float32Array; dim: number } {
  const n = sliceCount(shape, axis);
  const V = shape[0] * shape[1] * shape[2];
  const F = featureCount;
  if (features.length !== F * V) throw new ActiveLearningError('features', `has ${features.length} values, expected ${F} channels x ${V} voxels`);
  const which = sliceOfVoxel(shape, axis);
  const per = V / n;
  const dim = 2 * F;
  const data = new Float32Array(n * dim);
  const sum = new Float64Array(n);
  const sq = new Float64Array(n);
  for (let f = 0; f < F; f++) {
    sum.fill(0);
    sq.fill(0);
    const base = f * V;
    for (let v = 0; v < V; v++) {
      const x = features[base + v];
      sum[which[v]] += x;
      sq[which[v]] += x * x;
    }
    for (let k = 0; k < n; k++) {
      const mean = sum[k] / per;
      data[k * dim + f] = mean;
      data[k * dim + F + f] = Math.sqrt(Math.max(0, sq[k] / per - mean * mean));
    }
  }
  // z-score each dimension across slices, so that no channel dominates the distances by its scale.
  for (let d = 0; d < dim; d++) {
    let m = 0;
    for (let k = 0; k < n; k++) m += data[k * dim + d];
    m /= n;
    let s = 0;
    for (let k = 0; k < n; k++) s += (data[k * dim + d] - m) ** 2;
    const inv = 1 / Math.max(Math.sqrt(s / n), 1e-6);
    for (let k = 0; k < n; k++) data[k * dim + d] = (data[k * dim + d] - m) * inv;
  }
  return { data, dim };
}

/**
 * k-center greedy (Sener & Savarese 2018): d[i] = distance of item i to its nearest labelled item; repeat k times:
 * pick u = argmax d[i] (times weights[i] when given), add u, d = min(d, dist(., u)). Without labelled items the first
 * reference is the items' centroid. Items closer than `minDistance` (in index) to a pick or a labelled item are skipped.
 */
export function kCenterGreedy(
  embeddings: Float32Array,
  dim: number,
  options: { labelled?: readonly number[]; k: number; eligible?: Uint8Array; minDistance?: number; weights?: Float64Array }
): { index: number; score: number; distance: number }[] {
  const n = embeddings.length / dim;
  const d = new Float64Array(n).fill(Infinity);
  const update = (u: number) => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < dim; c++) s += (embeddings[i * dim + c] - embeddings[u * dim + c]) ** 2;
      const dist = Math.sqrt(s);
      if (dist < d[i]) d[i] = dist;
    }
  };
  const labelled = options.labelled ?? [];
  if (labelled.length) {
    for (const u of labelled) update(u);
  } else {
    const centroid = new Float64Array(dim);
    for (let i = 0; i < n; i++) for (let c = 0; c < dim; c++) centroid[c] += embeddings[i * dim + c] / n;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < dim; c++) s += (embeddings[i * dim + c] - centroid[c]) ** 2;
      d[i] = Math.sqrt(s);
    }
  }
  const eligible = options.eligible ? options.eligible.slice() : new Uint8Array(n).fill(1);
  const minDistance = options.minDistance ?? 1;
  const picks: { index: number; score: number; distance: number }[] = [];
  while (picks.length < options.k) {
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      if (!eligible[i]) continue;
      const score = d[i] * (options.weights ? options.weights[i] : 1);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    if (best < 0) break;
    picks.push({ index: best, score: bestScore, distance: d[best] });
    Private.exclude(eligible, best, minDistance);
    update(best);
  }
  return picks;
}

/** The k best-scoring eligible slices, best first, each at least `minDistance` from the others (fewer when the pool runs out). */
export function selectSlices(scores: ArrayLike<number>, k: number, options: { eligible?: Uint8Array; minDistance?: number } = {}): number[] {
  const n = scores.length;
  const eligible = options.eligible ? options.eligible.slice() : new Uint8Array(n).fill(1);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const picks: number[] = [];
  for (const i of order) {
    if (picks.length >= k) break;
    if (!eligible[i]) continue;
    picks.push(i);
    Private.exclude(eligible, i, options.minDistance ?? 1);
  }
  return picks;
}

namespace Private {
  /** 1 where a slice may be picked: not within minDistance of an annotated slice. */
  export function eligibility(n: number, annotated: readonly number[], minDistance: number): Uint8Array {
    const e = new Uint8Array(n).fill(1);
    for (const a of annotated) exclude(e, a, minDistance);
    return e;
  }

  /** Marks slices within minDistance - 1 of `i` (and i itself) as not eligible. */
  export function exclude(eligible: Uint8Array, i: number, minDistance: number): void {
    for (let j = Math.max(0, i - minDistance + 1); j <= Math.min(eligible.length - 1, i + minDistance - 1); j++) eligible[j] = 0;
  }

  export function features(input: AcquisitionInput, strategy: string): Float32Array {
    if (!input.features || !input.featureCount) {
      throw new ActiveLearningError('features', `are needed by the "${strategy}" strategy; run the model with features (predictOutputs(..., { features: true }))`);
    }
    return input.features;
  }

  /** Scores divided by their maximum (all ones when every score is 0). */
  export function normalised(scores: Float64Array): Float64Array {
    let m = 0;
    for (const s of scores) if (s > m) m = s;
    return m > 0 ? scores.map(s => s / m) : scores.map(() => 1);
  }

  /** rank[i] = 0 for the highest score. */
  export function rankOf(scores: Float64Array): Uint32Array {
    const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
    const rank = new Uint32Array(scores.length);
    order.forEach((i, r) => (rank[i] = r));
    return rank;
  }

  export function ordinal(n: number): string {
    const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
    return `${n}${s}`;
  }

  export function stochastic(strategy: string, model?: SegmentationModel): StochasticInferenceError {
    if (!model) return new StochasticInferenceError(strategy, 'the model', 'its model card (models/<name>/model.json)');
    const note = (model.card.raw.stochastic_inference as { mc_dropout?: unknown } | undefined)?.mc_dropout;
    return new StochasticInferenceError(strategy, model.card.name, `${model.folder}/model.json`, typeof note === 'string' ? note : '');
  }
}

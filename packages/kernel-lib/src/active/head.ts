/**
 * The fast head: a small MLP trained in the kernel, in seconds, on the frozen U-Net `features` of the annotated voxels,
 * fused with the U-Net's own probabilities. Its logits are a learned correction of the U-Net's:
 *
 *   z = a ⊙ log p_unet + W2 relu(W1 x + b1) + Wl x + b        (x: the voxel's F features, standardised)
 *
 * and start as exactly the U-Net (a = 1, W2 = Wl = b = 0): with few annotations the head changes little, and weight
 * decay pulls it back towards the U-Net. A class absent from the annotations keeps the U-Net's probability: the head
 * only redistributes the remaining mass among the annotated classes (a few slices without implant must not teach it
 * that there is no implant anywhere). `fusion: 'replace'` drops the U-Net term (a softmax regression plus MLP on
 * the features alone). Training: cross-entropy with class weights n_c^-balance (0 none, 0.5 default, 1 inverse
 * frequency), Adam, mini-batches drawn at random from the annotated voxels; typed arrays throughout.
 *
 * Anchors: with a handful of annotated voxels of a class (a slice that grazes the implant holds a few dozen), a free
 * head learns that class from them alone and can lose it everywhere else. So each step also draws unannotated
 * "anchor" voxels whose target is the U-Net's own posterior (restricted to the annotated classes), each weighing
 * `anchorWeight` of an annotated voxel, so that they fade as annotations accumulate: where no annotation says otherwise
 * the head stays with the U-Net (distillation, as in Li & Hoiem's
 * learning without forgetting, 2017). At the start the head equals the U-Net, so anchors cost nothing until it moves.
 *
 * @example
 * const head = new SegmentationHead({ features: 16, classes: 4 });
 * const stats = head.train(trainingSetFrom(outputs, annotations));     // { seconds, samples, steps, loss }
 * const fused = head.predict(outputs.features!, outputs.probs);        // [C, V] probabilities
 * const again = SegmentationHead.fromJSON(JSON.parse(JSON.stringify(head.toJSON())));
 */
import { ActiveLearningError } from '../errors';
import { Rng } from '../numeric';
import { resolveSignal, throwIfInterrupted } from '../runtime';

const { exp, log, max, sqrt } = Math;

/** Voxels to train on: features [n, F] (voxel-major), U-Net probabilities [n, C], labels [n] (0..C-1). */
export interface TrainingSamples {
  count: number;
  features: Float32Array;
  probs: Float32Array;
  labels: Uint8Array;
  /** Unannotated voxels (features [m, F], U-Net probabilities [m, C]) that keep the head near the U-Net. */
  anchors?: { count: number; features: Float32Array; probs: Float32Array };
}

/** What one `train` call did. */
export interface HeadTrainingStats {
  seconds: number;
  samples: number;
  steps: number;
  /** Mean weighted cross-entropy over the last 10% of the steps. */
  loss: number;
  /** Training voxels per class. */
  classCounts: number[];
}

/** The serialised head (plain JSON). */
export interface HeadJSON {
  format: 'mdlma-head/1';
  features: number;
  classes: number;
  hidden: number;
  fusion: 'residual' | 'replace';
  mean: number[];
  std: number[];
  weights: Record<'w1' | 'b1' | 'w2' | 'wl' | 'b' | 'a', number[]>;
  trainedOn: number;
  /** 1 for the classes the head was trained on (others keep the U-Net's probabilities). */
  present?: number[];
}

/** A small MLP on U-Net features, fused with the U-Net's probabilities. */
export class SegmentationHead {
  constructor(options: SegmentationHead.IOptions) {
    const { features: F, classes: C } = options;
    if (!Number.isInteger(F) || F < 1 || !Number.isInteger(C) || C < 2) {
      throw new ActiveLearningError('head', `needs at least 1 feature and 2 classes, got ${F} and ${C}`);
    }
    this.features = F;
    this.classes = C;
    this.hidden = options.hidden ?? 32;
    this.fusion = options.fusion ?? 'residual';
    this._mean = new Float32Array(F);
    this._std = new Float32Array(F).fill(1);
    this._w = Private.zeros(F, C, this.hidden);
    this.present = new Uint8Array(C).fill(1);
    this._reset(options.seed ?? 0);
  }

  /** Restores a head from `toJSON`'s output. */
  static fromJSON(json: HeadJSON): SegmentationHead {
    if (json?.format !== 'mdlma-head/1') throw new ActiveLearningError('head', `is not an "mdlma-head/1" object (format ${JSON.stringify(json?.format)})`);
    const head = new SegmentationHead({ features: json.features, classes: json.classes, hidden: json.hidden, fusion: json.fusion });
    head._mean.set(json.mean);
    head._std.set(json.std);
    for (const key of Object.keys(head._w) as (keyof Private.Weights)[]) head._w[key].set(json.weights[key]);
    head.trainedOn = json.trainedOn;
    if (json.present) head.present.set(json.present);
    return head;
  }

  /** Feature channels F. */
  readonly features: number;
  /** Classes C. */
  readonly classes: number;
  /** Hidden units. */
  readonly hidden: number;
  /** 'residual': correct the U-Net's logits; 'replace': ignore them. */
  readonly fusion: 'residual' | 'replace';
  /** Voxels the last training used (0: the head is the U-Net). */
  trainedOn = 0;
  /** 1 for the classes the last training saw; the others keep the U-Net's probabilities. */
  present: Uint8Array;

  /** Trains from scratch on `samples` (the head stays the U-Net when there are none). */
  train(samples: TrainingSamples, options: SegmentationHead.ITrainOptions = {}): HeadTrainingStats {
    const started = performance.now();
    const signal = resolveSignal(options.signal);
    const { features: F, classes: C, hidden: H } = this;
    const n = samples.count;
    const classCounts = new Array<number>(C).fill(0);
    for (let i = 0; i < n; i++) {
      const y = samples.labels[i];
      if (y >= C) throw new ActiveLearningError('labels', `hold ${y}; training labels must be 0..${C - 1}`);
      classCounts[y]++;
    }
    this._reset(options.seed ?? 0);
    if (n === 0) return { seconds: 0, samples: 0, steps: 0, loss: NaN, classCounts };
    Private.standardise(samples.features, n, F, this._mean, this._std);
    const present = classCounts.filter(c => c > 0).length;
    // Classes nobody annotated keep the U-Net's probability: the head models p(c | x, c annotated somewhere).
    this.present = Uint8Array.from(classCounts, c => (c > 0 ? 1 : 0));
    const on = this.present;
    const balance = options.balance ?? 0.5;
    const classWeight = classCounts.map(c => (c > 0 ? (n / (present * c)) ** balance : 0));
    const steps = options.steps ?? 800;
    const batch = Math.min(options.batch ?? 256, n);
    const lr = options.learningRate ?? 3e-3;
    const decay = options.weightDecay ?? 1e-4;
    const rng = new Rng(options.seed ?? 0, Rng.stream('head.batches'));
    const grad = Private.zeros(F, C, H);
    const adam = new Private.Adam(this._w, lr);
    // Standardised features and U-Net log-probabilities once, not per visit.
    const xs = new Float32Array(n * F);
    for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) xs[i * F + f] = (samples.features[i * F + f] - this._mean[f]) / this._std[f];
    const lp = new Float32Array(n * C);
    for (let p = 0; p < n * C; p++) lp[p] = log(samples.probs[p] + Private.EPS);
    const anchors = Private.anchorSet(samples.anchors, F, C, this._mean, this._std, this.present);
    // Anchors weigh like annotated voxels, `anchorWeight` each: their share of a batch is λm / (n + λm), large for a
    // first slice and fading as annotations accumulate (capped at twice the annotated part).
    const anchorWeight = options.anchorWeight ?? 0.5;
    const anchorBatch = anchors.count > 0 && anchorWeight > 0 ? Math.max(1, Math.round(batch * Math.min(2, (anchorWeight * anchors.count) / n))) : 0;
    const residual = this.fusion === 'residual';
    const hPre = new Float64Array(H);
    const h = new Float64Array(H);
    const z = new Float64Array(C);
    const dz = new Float64Array(C);
    const dh = new Float64Array(H);
    const w = this._w;
    const { w1, b1, w2, wl, b, a } = w;
    let lossTail = 0;
    let tailCount = 0;
    // One voxel's forward and backward pass into `grad`: x at xs[xo..], U-Net log-probabilities at lps[lo..], target
    // class `hard` (soft === undefined) or probabilities soft[lo..], loss weight `weight`; returns its cross-entropy.
    const accumulate = (xs: Float32Array, xo: number, lps: Float32Array, lo: number, hard: number, soft: Float32Array | undefined, weight: number): number => {
      for (let j = 0; j < H; j++) {
        let s = b1[j];
        const row = j * F;
        for (let f = 0; f < F; f++) s += w1[row + f] * xs[xo + f];
        hPre[j] = s;
        h[j] = s > 0 ? s : 0;
      }
      for (let c = 0; c < C; c++) {
        if (!on[c]) continue;
        let s = b[c] + (residual ? a[c] * lps[lo + c] : 0);
        for (let j = 0; j < H; j++) s += w2[c * H + j] * h[j];
        for (let f = 0; f < F; f++) s += wl[c * F + f] * xs[xo + f];
        z[c] = s;
      }
      let m = -Infinity;
      for (let c = 0; c < C; c++) if (on[c] && z[c] > m) m = z[c];
      let s = 0;
      for (let c = 0; c < C; c++) if (on[c]) s += exp(z[c] - m);
      let loss = 0;
      for (let c = 0; c < C; c++) {
        if (!on[c]) {
          dz[c] = 0;
          continue;
        }
        const t = soft ? soft[lo + c] : c === hard ? 1 : 0;
        if (t > 0) loss -= t * (z[c] - m - log(s));
        dz[c] = weight * (exp(z[c] - m) / s - t);
      }
      // Backward: output layer, skip layer, U-Net scale, then the hidden layer.
      dh.fill(0);
      for (let c = 0; c < C; c++) {
        const d = dz[c];
        if (d === 0) continue;
        grad.b[c] += d;
        if (residual) grad.a[c] += d * lps[lo + c];
        for (let j = 0; j < H; j++) {
          grad.w2[c * H + j] += d * h[j];
          dh[j] += d * w2[c * H + j];
        }
        for (let f = 0; f < F; f++) grad.wl[c * F + f] += d * xs[xo + f];
      }
      for (let j = 0; j < H; j++) {
        if (hPre[j] <= 0) continue;
        const d = dh[j];
        grad.b1[j] += d;
        for (let f = 0; f < F; f++) grad.w1[j * F + f] += d * xs[xo + f];
      }
      return loss;
    };
    for (let step = 0; step < steps; step++) {
      if ((step & 63) === 0) throwIfInterrupted(signal);
      for (const g of Object.values(grad)) g.fill(0);
      let batchLoss = 0;
      for (let q = 0; q < batch; q++) {
        const i = rng.int(n);
        const y = samples.labels[i];
        const cw = classWeight[y];
        batchLoss += cw * accumulate(xs, i * F, lp, i * C, y, undefined, cw / batch);
      }
      for (let q = 0; q < anchorBatch; q++) {
        const i = rng.int(anchors.count);
        accumulate(anchors.xs, i * F, anchors.lp, i * C, 0, anchors.target, 1 / batch);
      }
      // L2 towards the U-Net: weights towards 0, the U-Net scale towards 1.
      for (const key of ['w1', 'w2', 'wl'] as const) {
        const g = grad[key];
        const v = w[key];
        for (let p = 0; p < g.length; p++) g[p] += decay * v[p];
      }
      for (let c = 0; c < C; c++) grad.a[c] += decay * (w.a[c] - 1);
      if (this.fusion === 'replace') grad.a.fill(0);
      adam.step(grad, Private.poly(step, steps));
      if (step >= steps * 0.9) {
        lossTail += batchLoss / batch;
        tailCount++;
      }
    }
    this.trainedOn = n;
    return { seconds: (performance.now() - started) / 1000, samples: n, steps, loss: lossTail / max(1, tailCount), classCounts };
  }

  /**
   * Fused class probabilities [C, V] of every voxel, from planar features [F, V] and U-Net probabilities [C, V]
   * (written into `out` when given).
   */
  predict(features: Float32Array, probs: Float32Array, out?: Float32Array): Float32Array {
    const { features: F, classes: C, hidden: H } = this;
    const V = probs.length / C;
    if (features.length !== F * V) throw new ActiveLearningError('features', `have ${features.length} values, expected ${F} x ${V}`);
    const result = out ?? new Float32Array(C * V);
    if (this.trainedOn === 0 && this.fusion === 'residual') {
      result.set(probs);
      return result;
    }
    // The forward pass inlined with local references: this loop runs for every voxel of the volume.
    const { w1, b1, w2, wl, b, a } = this._w;
    const mean = this._mean;
    const inv = this._std.map(s => 1 / s);
    const residual = this.fusion === 'residual';
    const on = this.present;
    const x = new Float64Array(F);
    const h = new Float64Array(H);
    const z = new Float64Array(C);
    for (let v = 0; v < V; v++) {
      for (let f = 0; f < F; f++) x[f] = (features[f * V + v] - mean[f]) * inv[f];
      for (let j = 0; j < H; j++) {
        let s = b1[j];
        const row = j * F;
        for (let f = 0; f < F; f++) s += w1[row + f] * x[f];
        h[j] = s > 0 ? s : 0;
      }
      let m = -Infinity;
      let absent = 0;
      for (let c = 0; c < C; c++) {
        if (!on[c]) {
          absent += probs[c * V + v];
          continue;
        }
        let s = b[c];
        if (residual) s += a[c] * log(probs[c * V + v] + Private.EPS);
        const rh = c * H;
        for (let j = 0; j < H; j++) s += w2[rh + j] * h[j];
        const rf = c * F;
        for (let f = 0; f < F; f++) s += wl[rf + f] * x[f];
        z[c] = s;
        if (s > m) m = s;
      }
      let sum = 0;
      for (let c = 0; c < C; c++) if (on[c]) sum += z[c] = exp(z[c] - m);
      const scale = (1 - absent) / sum;
      for (let c = 0; c < C; c++) result[c * V + v] = on[c] ? z[c] * scale : probs[c * V + v];
    }
    return result;
  }

  /** Plain JSON (weights as number arrays), for `save` and `SegmentationHead.fromJSON`. */
  toJSON(): HeadJSON {
    const weights = Object.fromEntries(Object.entries(this._w).map(([k, v]) => [k, Array.from(v as Float32Array)])) as HeadJSON['weights'];
    return { format: 'mdlma-head/1', features: this.features, classes: this.classes, hidden: this.hidden, fusion: this.fusion, mean: Array.from(this._mean), std: Array.from(this._std), weights, trainedOn: this.trainedOn, present: Array.from(this.present) };
  }

  /** Back to the U-Net: output weights 0, U-Net scale 1, hidden weights He-initialised from `seed`. */
  private _reset(seed: number): void {
    const rng = new Rng(seed, Rng.stream('head.init'));
    const scale = sqrt(2 / this.features);
    for (let p = 0; p < this._w.w1.length; p++) this._w.w1[p] = rng.normal() * scale;
    for (const key of ['b1', 'w2', 'wl', 'b'] as const) this._w[key].fill(0);
    this._w.a.fill(this.fusion === 'residual' ? 1 : 0);
    this.trainedOn = 0;
    this.present.fill(1);
  }

  private readonly _mean: Float32Array;
  private readonly _std: Float32Array;
  private readonly _w: Private.Weights;
}

export namespace SegmentationHead {
  /** Options of the SegmentationHead constructor. */
  export interface IOptions {
    /** Feature channels F (the card's features output; 16 for sun-implant). */
    features: number;
    /** Classes C. */
    classes: number;
    /** Hidden units (default 32; 0 = softmax regression on the features plus the U-Net term). */
    hidden?: number;
    /** 'residual' (default): correct the U-Net's logits; 'replace': the head alone. */
    fusion?: 'residual' | 'replace';
    /** Seed of the hidden layer's initialisation (default 0). */
    seed?: number;
  }

  /** Options of `train`. */
  export interface ITrainOptions {
    /** Adam steps (default 800: about a second on one core). */
    steps?: number;
    /** Voxels per step (default 256). */
    batch?: number;
    /** Adam learning rate, decayed as (1 - t)^0.9 (default 3e-3). */
    learningRate?: number;
    /** L2 pull towards the U-Net (default 1e-4). */
    weightDecay?: number;
    /** Class weights n_c^-balance: 0 none, 0.5 (default), 1 inverse frequency. */
    balance?: number;
    /** Weight of one anchor voxel against one annotated voxel (default 0.5; 0 = annotations only). */
    anchorWeight?: number;
    /** Seed of initialisation and batches (default 0). */
    seed?: number;
    /** Aborts between steps (default: the calling cell's interrupt). */
    signal?: AbortSignal;
  }
}

namespace Private {
  /** Added to probabilities before the log (a U-Net that says exactly 0 stays finite). */
  export const EPS = 1e-6;

  export type Weights = Record<'w1' | 'b1' | 'w2' | 'wl' | 'b' | 'a', Float32Array>;

  export function zeros(F: number, C: number, H: number): Weights {
    return { w1: new Float32Array(H * F), b1: new Float32Array(H), w2: new Float32Array(C * H), wl: new Float32Array(C * F), b: new Float32Array(C), a: new Float32Array(C) };
  }

  /** Mean and standard deviation of each feature over the samples. */
  export function standardise(x: Float32Array, n: number, F: number, mean: Float32Array, std: Float32Array): void {
    for (let f = 0; f < F; f++) {
      let s = 0;
      let q = 0;
      for (let i = 0; i < n; i++) {
        const v = x[i * F + f];
        s += v;
        q += v * v;
      }
      const m = s / n;
      mean[f] = m;
      std[f] = max(sqrt(max(0, q / n - m * m)), 1e-3);
    }
  }

  /**
   * Anchor voxels ready for training: standardised features, U-Net log-probabilities and, as targets, the U-Net's
   * probabilities renormalised over the classes the head models (`present`).
   */
  export function anchorSet(
    anchors: { count: number; features: Float32Array; probs: Float32Array } | undefined,
    F: number,
    C: number,
    mean: Float32Array,
    std: Float32Array,
    present: Uint8Array
  ): { count: number; xs: Float32Array; lp: Float32Array; target: Float32Array } {
    const m = anchors?.count ?? 0;
    const xs = new Float32Array(m * F);
    const lp = new Float32Array(m * C);
    const target = new Float32Array(m * C);
    for (let i = 0; i < m; i++) {
      for (let f = 0; f < F; f++) xs[i * F + f] = (anchors!.features[i * F + f] - mean[f]) / std[f];
      let sum = 0;
      for (let c = 0; c < C; c++) {
        const p = anchors!.probs[i * C + c];
        lp[i * C + c] = log(p + EPS);
        if (present[c]) sum += p;
      }
      for (let c = 0; c < C; c++) target[i * C + c] = present[c] && sum > 0 ? anchors!.probs[i * C + c] / sum : 0;
    }
    return { count: m, xs, lp, target };
  }

  /** Learning-rate factor: short linear warm-up, then poly decay (1 - t)^0.9 as in nnU-Net. */
  export function poly(step: number, steps: number): number {
    const warm = Math.min(1, (step + 1) / 20);
    return warm * (1 - step / steps) ** 0.9;
  }

  /** Adam (Kingma & Ba 2015; beta1 0.9, beta2 0.999, eps 1e-8: the paper's defaults). */
  export class Adam {
    constructor(readonly weights: Weights, readonly lr: number) {
      for (const [k, v] of Object.entries(weights)) {
        this._m.set(k, new Float32Array(v.length));
        this._v.set(k, new Float32Array(v.length));
      }
    }

    step(grad: Weights, factor: number): void {
      this._t++;
      const c1 = 1 - 0.9 ** this._t;
      const c2 = 1 - 0.999 ** this._t;
      const lr = this.lr * factor;
      for (const [k, w] of Object.entries(this.weights) as [keyof Weights, Float32Array][]) {
        const g = grad[k];
        const m = this._m.get(k)!;
        const v = this._v.get(k)!;
        for (let p = 0; p < w.length; p++) {
          m[p] = 0.9 * m[p] + 0.1 * g[p];
          v[p] = 0.999 * v[p] + 0.001 * g[p] * g[p];
          w[p] -= (lr * (m[p] / c1)) / (sqrt(v[p] / c2) + 1e-8);
        }
      }
    }

    private _t = 0;
    private readonly _m = new Map<string, Float32Array>();
    private readonly _v = new Map<string, Float32Array>();
  }
}

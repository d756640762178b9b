/**
 * Fusing per-axis class probabilities on the grid: soft voting (the mean distribution) or hard
 * voting (the mode of the per-axis argmax, ties broken by the mean distribution), and the
 * per-voxel quality maps of DESIGN.md: confidence (1 - normalised entropy of the fused
 * distribution), maximum fused probability, axis agreement (fraction of axes whose argmax is
 * the fused label).
 *
 * @example
 * const votes = new VoteAccumulator({ voxels, classes: 4 });
 * for (const axisProbs of perAxis) votes.add(axisProbs);       // Float32 [C, voxels] each
 * const labels = new Uint8Array(voxels);
 * const confidence = new Float32Array(voxels);
 * votes.fuse({ voting: 'soft', labels, confidence });
 */
const { log } = Math;

/** How per-axis predictions are fused. */
export type Voting = 'soft' | 'hard';

/** Per-voxel sums and vote counts over the axes added so far, for one slab of voxels. */
export class VoteAccumulator {
  constructor(options: VoteAccumulator.IOptions) {
    this.voxels = options.voxels;
    this.classes = options.classes;
    this.sum = new Float32Array(options.voxels * options.classes);
    this.votes = new Uint8Array(options.voxels * options.classes);
  }

  /** Voxels per class plane. */
  readonly voxels: number;
  /** Classes C. */
  readonly classes: number;
  /** Summed probabilities [C, voxels]. */
  readonly sum: Float32Array;
  /** Per-class count of axes whose argmax it is [C, voxels]. */
  readonly votes: Uint8Array;

  /** Axes added. */
  get axes(): number {
    return this._axes;
  }

  /** Adds one axis's probabilities [C, voxels] (only the first C * voxels values are read): sums and a vote. */
  add(probs: Float32Array): void {
    const V = this.voxels;
    const C = this.classes;
    const sum = this.sum;
    const votes = this.votes;
    // One pass per voxel: add every class and find the argmax while the values are at hand.
    for (let v = 0; v < V; v++) {
      let best = 0;
      let bestP = probs[v];
      sum[v] += bestP;
      for (let c = 1, o = V + v; c < C; c++, o += V) {
        const p = probs[o];
        sum[o] += p;
        if (p > bestP) {
          bestP = p;
          best = c;
        }
      }
      votes[best * V + v]++;
    }
    this._axes++;
  }

  /**
   * Counts an axis whose probabilities the caller added straight into `sum` (soft voting without
   * agreement needs no per-axis copy); its votes are not recorded.
   */
  countSummedAxis(): void {
    this._axes++;
    this._votesComplete = false;
  }

  /** Whether every axis was added with `add`, so that votes (hard voting, agreement) are valid. */
  get votesComplete(): boolean {
    return this._votesComplete;
  }

  /** Clears sums and votes for the next slab. */
  reset(): void {
    this.sum.fill(0);
    this.votes.fill(0);
    this._axes = 0;
    this._votesComplete = true;
  }

  /**
   * Writes the fused labels and whichever maps are given, for voxels [from, to) of the slab
   * (default all) into outputs starting at index 0.
   */
  fuse(out: VoteAccumulator.IFuseOutputs, from = 0, to = this.voxels): void {
    const V = this.voxels;
    const C = this.classes;
    const A = this._axes;
    const { sum, votes } = this;
    const { labels, confidence, maxProbability, agreement, probabilities } = out;
    const inv = A > 0 ? 1 / A : 0;
    const invLogC = 1 / log(C);
    const hard = out.voting === 'hard';
    if ((hard || agreement) && !this._votesComplete) {
      throw new Error('VoteAccumulator: hard voting and agreement need every axis added with add(), not summed directly');
    }
    for (let v = from, o = 0; v < to; v++, o++) {
      let best = 0;
      if (hard) {
        let bestVotes = votes[v];
        let bestSum = sum[v];
        for (let c = 1; c < C; c++) {
          const n = votes[c * V + v];
          const s = sum[c * V + v];
          if (n > bestVotes || (n === bestVotes && s > bestSum)) {
            bestVotes = n;
            bestSum = s;
            best = c;
          }
        }
      } else {
        let bestSum = sum[v];
        for (let c = 1; c < C; c++) {
          const s = sum[c * V + v];
          if (s > bestSum) {
            bestSum = s;
            best = c;
          }
        }
      }
      labels[o] = best;
      if (confidence) {
        // Normalised entropy of the mean distribution, 0 (one class certain) .. 1 (uniform); confidence = 1 - it.
        let total = 0;
        for (let c = 0; c < C; c++) total += sum[c * V + v];
        let h = 0;
        if (total > 0) {
          const t = 1 / total;
          for (let c = 0; c < C; c++) {
            const p = sum[c * V + v] * t;
            if (p > 0) h -= p * log(p);
          }
        }
        confidence[o] = total > 0 ? 1 - h * invLogC : 0;
      }
      if (maxProbability) maxProbability[o] = sum[best * V + v] * inv;
      if (agreement) agreement[o] = votes[best * V + v] * inv;
      if (probabilities) {
        // Compact fused probabilities: uint8, 255 = 1.
        for (let c = 0; c < C; c++) {
          const p = sum[c * V + v] * inv * 255 + 0.5;
          probabilities[c][o] = p > 255 ? 255 : p;
        }
      }
    }
  }

  private _axes = 0;
  private _votesComplete = true;
}

export namespace VoteAccumulator {
  /** Options of the VoteAccumulator constructor. */
  export interface IOptions {
    voxels: number;
    classes: number;
  }

  /** Where `fuse` writes (all but `labels` optional). */
  export interface IFuseOutputs {
    voting: Voting;
    labels: Uint8Array;
    /** 1 - entropy / ln C of the mean distribution. */
    confidence?: Float32Array;
    /** Mean probability of the fused label (max of the mean distribution under soft voting). */
    maxProbability?: Float32Array;
    /** Fraction of axes whose argmax is the fused label. */
    agreement?: Float32Array;
    /** Per-class fused probability, uint8 scaled by 255 (one array per class). */
    probabilities?: Uint8Array[];
  }
}

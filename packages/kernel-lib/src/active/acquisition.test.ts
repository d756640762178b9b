import { StochasticInferenceError, ActiveLearningError } from '../errors';
import { SegmentationModel } from '../models';
import { voxelOf } from '../protocol';
import type { Shape3 } from '../volume';
import { acquire, aggregateSlices, kCenterGreedy, sliceEmbeddings, voxelUncertainty, type AcquisitionInput } from './acquisition';

const C = 4;

/** Probabilities [C, V] where every voxel is sure of class 1 (0.97), except where `dist` says otherwise. */
function probsOf(shape: Shape3, dist: (z: number, y: number, x: number) => number[] | undefined): Float32Array {
  const [nz, ny, nx] = shape;
  const V = nz * ny * nx;
  const probs = new Float32Array(C * V);
  for (let z = 0, v = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, v++) {
        const p = dist(z, y, x) ?? [0.01, 0.97, 0.01, 0.01];
        for (let c = 0; c < C; c++) probs[c * V + v] = p[c];
      }
    }
  }
  return probs;
}

const UNIFORM = [0.25, 0.25, 0.25, 0.25];

/** Features [F, V] whose value on slice z (axis z) is `value(z, channel)` plus a little in-slice texture. */
function featuresOf(shape: Shape3, F: number, value: (z: number, f: number) => number): Float32Array {
  const [nz, ny, nx] = shape;
  const V = nz * ny * nx;
  const out = new Float32Array(F * V);
  for (let f = 0; f < F; f++) {
    for (let z = 0, v = 0; z < nz; z++) for (let p = 0; p < ny * nx; p++, v++) out[f * V + v] = value(z, f) + 0.01 * ((p * 7 + f) % 5);
  }
  return out;
}

describe('uncertainty strategies', () => {
  const shape: Shape3 = [10, 4, 4];

  it('entropy, margin and least confidence pick the slice whose voxels are uniform', () => {
    const input: AcquisitionInput = { shape, classes: C, probs: probsOf(shape, z => (z === 6 ? UNIFORM : undefined)) };
    for (const strategy of ['entropy', 'margin', 'least-confidence'] as const) {
      const [best] = acquire(input, { strategy, axis: 'z', k: 1 });
      expect(best).toMatchObject({ axis: 'z', index: 6, rank: 1 });
      expect(best.reason).toContain(strategy);
    }
    expect(voxelUncertainty(new Float32Array(UNIFORM), C, 'entropy')[0]).toBeCloseTo(1, 6);
  });

  it('scores slices along y and x as well', () => {
    const input: AcquisitionInput = { shape, classes: C, probs: probsOf(shape, (z, y, x) => (x === 2 ? UNIFORM : y === 1 ? [0.2, 0.4, 0.2, 0.2] : undefined)) };
    expect(acquire(input, { strategy: 'entropy', axis: 'x', k: 1 })[0].index).toBe(2);
    expect(acquire(input, { strategy: 'entropy', axis: 'y', k: 1 })[0].index).toBe(1);
  });

  it('top-k aggregation finds a slice with a small very uncertain region that the mean misses', () => {
    // Slice 2: one uniform voxel among sure ones; slice 5: every voxel mildly unsure.
    const probs = probsOf(shape, (z, y, x) => (z === 2 && y === 0 && x === 0 ? UNIFORM : z === 5 ? [0.05, 0.85, 0.05, 0.05] : undefined));
    const input: AcquisitionInput = { shape, classes: C, probs };
    expect(acquire(input, { strategy: 'entropy', axis: 'z', k: 1 })[0].index).toBe(5);
    expect(acquire(input, { strategy: 'entropy', axis: 'z', k: 1, aggregation: 'top-k', topPercent: 5 })[0].index).toBe(2);
  });

  it('avoids near-duplicates: a neighbour of a pick or of an annotated slice is skipped', () => {
    // Slices 3 and 4 are equally uncertain, 8 a little less.
    const probs = probsOf(shape, z => (z === 3 || z === 4 ? UNIFORM : z === 8 ? [0.1, 0.7, 0.1, 0.1] : undefined));
    const input: AcquisitionInput = { shape, classes: C, probs };
    expect(acquire(input, { strategy: 'entropy', axis: 'z', k: 2, minDistance: 1 }).map(s => s.index)).toEqual([3, 4]);
    expect(acquire(input, { strategy: 'entropy', axis: 'z', k: 2, minDistance: 2 }).map(s => s.index)).toEqual([3, 8]);
    expect(acquire(input, { strategy: 'entropy', axis: 'z', k: 1, annotated: [3], minDistance: 2 })[0].index).toBe(8);
    expect(acquire(input, { strategy: 'entropy', axis: 'z', k: 1, annotated: [3], minDistance: 1 })[0].index).toBe(4);
  });

  it('class balance prefers a doubt about a rare class to a larger doubt about a common one', () => {
    // Slice 2: voxels torn between background and bone (the common classes); slice 7: a few voxels torn between
    // degradation layer and residual material (rare classes), less uncertain in sum.
    const probs = probsOf(shape, (z, y) => (z === 2 ? [0.45, 0.55, 0, 0] : z === 7 && y === 0 ? [0, 0.02, 0.5, 0.48] : undefined));
    const input: AcquisitionInput = { shape, classes: C, probs };
    expect(acquire(input, { strategy: 'entropy', axis: 'z', k: 1, classBalance: 0 })[0].index).toBe(2);
    expect(acquire(input, { strategy: 'entropy', axis: 'z', k: 1 })[0].index).toBe(7);
    expect(acquire(input, { strategy: 'margin', axis: 'z', k: 1 })[0].index).toBe(7);
    expect(() => acquire(input, { strategy: 'entropy', axis: 'z', k: 1, classBalance: -1 })).toThrow(ActiveLearningError);
  });

  it('mean and top-k aggregation agree with a direct computation', () => {
    const values = Float32Array.from({ length: 2 * 2 * 10 }, (_, v) => v % 10);
    expect(Array.from(aggregateSlices(values, [2, 2, 10], 'z'))).toEqual([4.5, 4.5]);
    expect(Array.from(aggregateSlices(values, [2, 2, 10], 'z', { aggregation: 'top-k', topPercent: 10 }))).toEqual([9, 9]);
    expect(Array.from(aggregateSlices(values, [2, 2, 10], 'x'))).toEqual(Array.from({ length: 10 }, (_, x) => x));
  });
});

describe('diversity strategies', () => {
  const shape: Shape3 = [12, 4, 4];
  const F = 3;
  // Slices 0-5: cluster A at 0; 6-7: cluster C at 4 (uncertain); 10-11: cluster B at 10 (sure).
  const level = (z: number) => (z >= 10 ? 10 : z === 6 || z === 7 ? 4 : 0);
  const input: AcquisitionInput = {
    shape,
    classes: C,
    probs: probsOf(shape, z => (z === 6 || z === 7 ? UNIFORM : undefined)),
    features: featuresOf(shape, F, (z, f) => level(z) * (f === 0 ? 1 : 0.5) + 0.05 * z * (f === 2 ? 1 : 0)),
    featureCount: F
  };

  it('coreset picks the far cluster first', () => {
    const [first] = acquire(input, { strategy: 'coreset', axis: 'z', k: 1, annotated: [0] });
    expect([10, 11]).toContain(first.index);
    expect(first.reason).toMatch(/^coreset: feature distance/);
  });

  it('coreset spreads a batch over the clusters instead of taking both far slices', () => {
    const picks = acquire(input, { strategy: 'coreset', axis: 'z', k: 2, annotated: [0], minDistance: 1 }).map(s => s.index);
    expect(picks.some(i => i >= 10)).toBe(true);
    expect(picks.some(i => i === 6 || i === 7)).toBe(true);
  });

  it('hybrid weights distance by uncertainty: the uncertain cluster wins over the farther sure one', () => {
    const [first] = acquire(input, { strategy: 'hybrid', axis: 'z', k: 1, annotated: [0] });
    expect([6, 7]).toContain(first.index);
  });

  it('k-center greedy follows Sener & Savarese on points on a line', () => {
    const points = Float32Array.from([0, 1, 2, 10, 11, 20]);
    expect(kCenterGreedy(points, 1, { labelled: [0], k: 3 }).map(p => p.index)).toEqual([5, 3, 2]);
  });

  it('embeddings are z-scored per dimension', () => {
    const e = sliceEmbeddings(input.features!, F, shape, 'z');
    expect(e.dim).toBe(2 * F);
    let mean = 0;
    for (let k = 0; k < 12; k++) mean += e.data[k * e.dim];
    expect(Math.abs(mean / 12)).toBeLessThan(1e-5);
  });

  it('says which input is missing when features are absent', () => {
    expect(() => acquire({ shape, classes: C, probs: input.probs }, { strategy: 'coreset', axis: 'z', k: 1 })).toThrow(ActiveLearningError);
  });
});

describe('random and bad options', () => {
  const shape: Shape3 = [20, 2, 2];
  const input: AcquisitionInput = { shape, classes: C, probs: probsOf(shape, () => undefined) };

  it('random is reproducible from its seed and respects minDistance', () => {
    const a = acquire(input, { strategy: 'random', axis: 'z', k: 5, seed: 3, minDistance: 3 }).map(s => s.index);
    expect(acquire(input, { strategy: 'random', axis: 'z', k: 5, seed: 3, minDistance: 3 }).map(s => s.index)).toEqual(a);
    expect(acquire(input, { strategy: 'random', axis: 'z', k: 5, seed: 4, minDistance: 3 }).map(s => s.index)).not.toEqual(a);
    const sorted = [...a].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(3);
  });

  it('refuses unknown strategies, axes and batch sizes with typed errors', () => {
    expect(() => acquire(input, { strategy: 'nope' as never, axis: 'z', k: 1 })).toThrow(/must be one of random, entropy/);
    expect(() => acquire(input, { strategy: 'entropy', axis: 'zy+' as never, k: 1 })).toThrow(ActiveLearningError);
    expect(() => acquire(input, { strategy: 'entropy', axis: 'z', k: 0 })).toThrow(/k must be a positive integer/);
  });

  it('MC dropout and BALD say that the ONNX model has no stochastic inference and point at the card', async () => {
    const model = await SegmentationModel.load('sun-implant', { threads: 1 });
    for (const strategy of ['mc-dropout', 'bald'] as const) {
      let error: unknown;
      try {
        acquire(input, { strategy, axis: 'z', k: 1, model });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StochasticInferenceError);
      expect((error as Error).message).toMatch(/sun-implant.*stochastic_inference.*model\.json/s);
      expect((error as StochasticInferenceError).cardPath).toMatch(/models\/sun-implant\/model\.json$/);
    }
  });
});

it('voxelOf maps slice pixels to the same voxels as orthoSlice', () => {
  const shape: Shape3 = [2, 3, 4];
  expect(voxelOf(shape, 'z', 1, 2, 3)).toBe(1 * 12 + 2 * 4 + 3);
  expect(voxelOf(shape, 'y', 2, 1, 3)).toBe(1 * 12 + 2 * 4 + 3);
  expect(voxelOf(shape, 'x', 3, 1, 2)).toBe(1 * 12 + 2 * 4 + 3);
});

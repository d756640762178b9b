import { VoteAccumulator } from './voting';

describe('VoteAccumulator', () => {
  // Three axes, two voxels, three classes: voxel 0 is certain, voxel 1 is split.
  const axis = (p0: number[], p1: number[]) => Float32Array.from([p0[0], p1[0], p0[1], p1[1], p0[2], p1[2]]);
  const votes = new VoteAccumulator({ voxels: 2, classes: 3 });
  votes.add(axis([1, 0, 0], [0.1, 0.45, 0.45]));
  votes.add(axis([1, 0, 0], [0.0, 0.6, 0.4]));
  votes.add(axis([1, 0, 0], [0.1, 0.0, 0.9]));

  it('soft voting takes the argmax of the mean distribution', () => {
    const labels = new Uint8Array(2);
    const maxProbability = new Float32Array(2);
    votes.fuse({ voting: 'soft', labels, maxProbability });
    // voxel 1: mean = [0.0667, 0.35, 0.5833] -> class 2
    expect(Array.from(labels)).toEqual([0, 2]);
    expect(maxProbability[0]).toBeCloseTo(1);
    expect(maxProbability[1]).toBeCloseTo(1.75 / 3);
  });

  it('hard voting takes the mode of the per-axis argmax, ties broken by the mean', () => {
    const labels = new Uint8Array(2);
    votes.fuse({ voting: 'hard', labels });
    // per-axis argmax of voxel 1: 1 (tie 0.45/0.45 goes to the first), 1, 2 -> 1
    expect(Array.from(labels)).toEqual([0, 1]);
  });

  it('confidence is 1 - normalised entropy and agreement the fraction of agreeing axes', () => {
    const labels = new Uint8Array(2);
    const confidence = new Float32Array(2);
    const agreement = new Float32Array(2);
    const probabilities = [new Uint8Array(2), new Uint8Array(2), new Uint8Array(2)];
    votes.fuse({ voting: 'soft', labels, confidence, agreement, probabilities });
    const mean = [0.2 / 3, 1.05 / 3, 1.75 / 3];
    const h = -mean.reduce((s, p) => s + p * Math.log(p), 0) / Math.log(3);
    expect(confidence[0]).toBeCloseTo(1);
    expect(confidence[1]).toBeCloseTo(1 - h, 5);
    expect(Array.from(agreement)).toEqual([1, Math.fround(1 / 3)]);
    expect(probabilities.map(p => p[1])).toEqual(mean.map(p => Math.round(p * 255)));
  });

  it('a uniform distribution has confidence 0', () => {
    const v = new VoteAccumulator({ voxels: 1, classes: 4 });
    v.add(Float32Array.from([0.25, 0.25, 0.25, 0.25]));
    const confidence = new Float32Array(1);
    v.fuse({ voting: 'soft', labels: new Uint8Array(1), confidence });
    expect(confidence[0]).toBeCloseTo(0, 6);
  });
});

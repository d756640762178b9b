import { ActiveLearningError } from '../errors';
import { Rng } from '../numeric';
import { SegmentationHead, type TrainingSamples } from './head';

/** n voxels of F features where class = which of 3 blobs the features come from; the "U-Net" says class 0 everywhere. */
function blobs(n: number, F: number, seed: number, unetSure = 0.7): TrainingSamples & { planar: Float32Array; planarProbs: Float32Array } {
  const rng = new Rng(seed);
  const C = 3;
  const features = new Float32Array(n * F);
  const planar = new Float32Array(n * F);
  const probs = new Float32Array(n * C);
  const planarProbs = new Float32Array(n * C);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // Class 2 is rare (5 %): class balancing has to find it.
    const y = rng.uniform() < 0.05 ? 2 : rng.uniform() < 0.5 ? 0 : 1;
    labels[i] = y;
    for (let f = 0; f < F; f++) {
      const v = (f === y ? 3 : 0) + rng.normal() * 0.5;
      features[i * F + f] = v;
      planar[f * n + i] = v;
    }
    const p = [unetSure, (1 - unetSure) / 2, (1 - unetSure) / 2];
    for (let c = 0; c < C; c++) {
      probs[i * C + c] = p[c];
      planarProbs[c * n + i] = p[c];
    }
  }
  return { count: n, features, probs, labels, planar, planarProbs };
}

function accuracy(head: SegmentationHead, data: ReturnType<typeof blobs>): number[] {
  const out = head.predict(data.planar, data.planarProbs);
  const n = data.count;
  const right = [0, 0, 0];
  const total = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < 3; c++) if (out[c * n + i] > out[best * n + i]) best = c;
    total[data.labels[i]]++;
    if (best === data.labels[i]) right[data.labels[i]]++;
  }
  return right.map((r, c) => r / total[c]);
}

describe('SegmentationHead', () => {
  it('is exactly the U-Net before training', () => {
    const data = blobs(100, 4, 1);
    const head = new SegmentationHead({ features: 4, classes: 3 });
    expect(Array.from(head.predict(data.planar, data.planarProbs))).toEqual(Array.from(data.planarProbs));
  });

  it('learns to overrule a wrong U-Net from the features, rare class included, in well under a few seconds', () => {
    const train = blobs(5000, 4, 2);
    const test = blobs(3000, 4, 3);
    const head = new SegmentationHead({ features: 4, classes: 3 });
    const stats = head.train(train, { steps: 400 });
    expect(stats.samples).toBe(5000);
    expect(stats.classCounts[2]).toBeGreaterThan(100);
    expect(stats.seconds).toBeLessThan(5);
    const acc = accuracy(head, test);
    expect(Math.min(...acc)).toBeGreaterThan(0.9);
  });

  it('round-trips through JSON with identical predictions', () => {
    const train = blobs(2000, 4, 4);
    const head = new SegmentationHead({ features: 4, classes: 3, hidden: 8 });
    head.train(train, { steps: 100 });
    const again = SegmentationHead.fromJSON(JSON.parse(JSON.stringify(head.toJSON())));
    expect(again.trainedOn).toBe(2000);
    expect(Array.from(again.predict(train.planar, train.planarProbs))).toEqual(Array.from(head.predict(train.planar, train.planarProbs)));
    expect(() => SegmentationHead.fromJSON({ format: 'other' } as never)).toThrow(ActiveLearningError);
  });

  it('leaves a class nobody annotated at the U-Net probability', () => {
    const data = blobs(3000, 4, 5);
    const onlyTwo = { ...data, labels: data.labels.map(y => (y === 2 ? 1 : y)) };
    const head = new SegmentationHead({ features: 4, classes: 3 });
    head.train(onlyTwo, { steps: 200 });
    expect(Array.from(head.present)).toEqual([1, 1, 0]);
    const out = head.predict(data.planar, data.planarProbs);
    const n = data.count;
    for (const i of [0, 17, 999]) {
      expect(out[2 * n + i]).toBeCloseTo(data.planarProbs[2 * n + i], 6);
      expect(out[i] + out[n + i] + out[2 * n + i]).toBeCloseTo(1, 5);
    }
  });

  it('stays with the U-Net where nobody annotated, thanks to its anchors', () => {
    // The annotations come from one region (feature 0 high) and are 98 % class 1 there; elsewhere (feature 1 high)
    // the U-Net says class 0 (0.6) and nobody said otherwise. A head without anchors carries its class-1 bias there.
    const rng = new Rng(8);
    const F = 2;
    const region = (count: number, centre: number[], label: (i: number) => number, p0: number): TrainingSamples => {
      const out: TrainingSamples = { count, features: new Float32Array(count * F), probs: new Float32Array(count * 2), labels: new Uint8Array(count) };
      for (let i = 0; i < count; i++) {
        for (let f = 0; f < F; f++) out.features[i * F + f] = centre[f] + rng.normal() * 0.5;
        out.probs.set([p0, 1 - p0], i * 2);
        out.labels[i] = label(i);
      }
      return out;
    };
    const annotated = region(2000, [3, 0], i => (i % 50 === 0 ? 0 : 1), 0.5);
    const elsewhere = region(2000, [0, 3], () => 0, 0.6);
    const planar = new Float32Array(F * 2000);
    const planarProbs = new Float32Array(2 * 2000);
    for (let i = 0; i < 2000; i++) {
      for (let f = 0; f < F; f++) planar[f * 2000 + i] = elsewhere.features[i * F + f];
      for (let c = 0; c < 2; c++) planarProbs[c * 2000 + i] = elsewhere.probs[i * 2 + c];
    }
    const class0Elsewhere = (head: SegmentationHead) => {
      const out = head.predict(planar, planarProbs);
      let n = 0;
      for (let i = 0; i < 2000; i++) if (out[i] > out[2000 + i]) n++;
      return n / 2000;
    };
    const free = new SegmentationHead({ features: F, classes: 2 });
    free.train(annotated, { steps: 400 });
    const anchored = new SegmentationHead({ features: F, classes: 2 });
    anchored.train({ ...annotated, anchors: { count: 1000, features: elsewhere.features.slice(0, 1000 * F), probs: elsewhere.probs.slice(0, 2000) } }, { steps: 400 });
    expect(class0Elsewhere(anchored)).toBeGreaterThan(0.9);
    expect(class0Elsewhere(free)).toBeLessThan(0.5);
  });

  it('refuses labels outside the classes', () => {
    const head = new SegmentationHead({ features: 2, classes: 2 });
    expect(() => head.train({ count: 1, features: new Float32Array(2), probs: new Float32Array(2), labels: new Uint8Array([5]) })).toThrow(/labels hold 5/);
  });
});

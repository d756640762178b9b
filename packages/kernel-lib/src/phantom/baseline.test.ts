import { Volume } from '../volume';
import { classHistograms, histogramOverlap, thresholdBaseline } from './baseline';
import { implantPhantom } from './phantom';

describe('thresholdBaseline', () => {
  it('segments perfectly separable classes perfectly', () => {
    const labels = new Volume({ data: Uint8Array.from({ length: 400 }, (_, i) => i % 4), shape: [1, 20, 20] });
    const image = new Volume({ data: Float32Array.from(labels.data, l => [0.2, 1.5, 2, 3][l]), shape: [1, 20, 20] });
    const base = thresholdBaseline(image, labels);
    expect(base.dice).toEqual([1, 1, 1, 1]);
    expect(base.order).toEqual([0, 1, 2, 3]);
  });

  it('on a phantom, gives the DL a Dice clearly below the RM, as on real scans', async () => {
    const { image, labels } = await implantPhantom({ size: 48, angles: 48, seed: 4, stage: 10, ringArtifacts: true });
    const base = thresholdBaseline(image, labels);
    const [bg, bone, dl, rm] = base.dice;
    expect(bg).toBeGreaterThan(0.9);
    expect(bone).toBeGreaterThan(0.6);
    expect(rm).toBeGreaterThan(0.75);
    expect(dl).toBeLessThan(rm - 0.2);
    expect(base.bestInterval[2].dice).toBeLessThan(0.7);
    expect(base.thresholds).toHaveLength(3);
  });
});

describe('classHistograms', () => {
  it('bins every voxel of each class, and the DL overlaps bone and RM', async () => {
    const { image, labels } = await implantPhantom({ size: 48, angles: 48, seed: 4, stage: 10 });
    const h = classHistograms(image, labels, 64);
    expect(h.edges).toHaveLength(65);
    h.counts.forEach((row, c) => expect(row.reduce((a, b) => a + b, 0)).toBe(h.totals[c]));
    expect(h.totals.reduce((a, b) => a + b, 0)).toBe(image.size);
    expect(histogramOverlap(h, 2, 1)).toBeGreaterThan(0.2);
    expect(histogramOverlap(h, 2, 3)).toBeGreaterThan(0.05);
    expect(histogramOverlap(h, 1, 3)).toBeLessThan(histogramOverlap(h, 2, 1));
  });
});

import { Volume } from '../volume';
import { confusionMatrix, diceFromConfusion, iouFromConfusion } from './overlap';
import { segmentationMetrics } from './evaluate';
import { surfaceDistances } from './surface';

const { hypot } = Math;

/** A [n, n, n] volume with label 1 inside a box [a, b) on every axis. */
function box(n: number, a: number, b: number, spacing: [number, number, number] = [1, 1, 1]): Volume<Uint8Array> {
  const v = Volume.zeros([n, n, n], 'uint8', { spacing });
  for (let z = a; z < b; z++) for (let y = a; y < b; y++) for (let x = a; x < b; x++) v.set(z, y, x, 1);
  return v;
}

describe('overlap metrics', () => {
  it('Dice and IoU from the confusion matrix', () => {
    const truth = [0, 0, 1, 1, 1, 1, 2, 2];
    const pred = [0, 1, 1, 1, 1, 0, 2, 3];
    const cm = confusionMatrix(pred, truth, 4);
    expect(cm[1]).toEqual([1, 3, 0, 0]);
    const dice = diceFromConfusion(cm);
    expect(dice[1]).toBeCloseTo((2 * 3) / (4 + 4));
    expect(dice[2]).toBeCloseTo((2 * 1) / (2 + 1));
    expect(dice[3]).toBe(0);
    expect(iouFromConfusion(cm)[1]).toBeCloseTo(3 / 5);
    expect(Number.isNaN(diceFromConfusion(confusionMatrix([0], [0], 2))[1])).toBe(true);
  });
});

describe('surface distances', () => {
  it('a box grown by one voxel on every side: HD95 and MSD in µm', () => {
    const spacing: [number, number, number] = [2, 2, 2];
    const small = box(20, 6, 14, spacing); // 8^3
    const big = box(20, 5, 15, spacing); // 10^3
    const s = surfaceDistances(small.data, big.data, small.shape, spacing);
    // Faces are 2 µm apart; edges and corners of the small box are farther from the big surface: sqrt(2)*2, sqrt(3)*2.
    expect(s.hd95).toBeGreaterThanOrEqual(2);
    expect(s.hd95).toBeLessThanOrEqual(hypot(2, 2, 2) + 1e-6);
    expect(s.msd).toBeGreaterThan(2 - 1e-6);
    expect(s.msd).toBeLessThan(2.5);
    expect(surfaceDistances(small.data, small.data, small.shape, spacing)).toEqual({ hd95: 0, msd: 0 });
  });

  it('a shifted box: HD95 is the shift in µm on the anisotropic axis', () => {
    const a = box(16, 4, 10, [5, 1, 1]);
    const b = Volume.zeros([16, 16, 16], 'uint8', { spacing: [5, 1, 1] });
    for (let z = 6; z < 12; z++) for (let y = 4; y < 10; y++) for (let x = 4; x < 10; x++) b.set(z, y, x, 1);
    const s = surfaceDistances(a.data, b.data, a.shape, [5, 1, 1]);
    expect(s.hd95).toBeCloseTo(10, 5); // 2 voxels of 5 µm along z
  });
});

describe('segmentationMetrics', () => {
  it('reports per-class figures with units and rejects mismatched shapes', () => {
    const truth = box(12, 3, 9);
    const pred = box(12, 3, 9);
    const m = segmentationMetrics(pred, truth, { classes: 2 });
    expect(m.classes[1].dice).toBe(1);
    expect(m.classes[1].hd95Um).toBe(0);
    expect(m.units.hd95Um).toBe('µm');
    expect(() => segmentationMetrics(box(10, 1, 2), truth)).toThrow(/differs from truth shape/);
  });
});

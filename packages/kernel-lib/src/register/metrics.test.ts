import { Volume } from '../volume';
import { dice, DisplacementField, hd95, jacobianStatistics, labelDice, targetRegistrationError } from '.';

function cube(offset: number): Volume {
  const v = Volume.zeros([20, 20, 20], 'uint8');
  for (let z = 5; z < 15; z++) for (let y = 5; y < 15; y++) for (let x = 5 + offset; x < 15 + offset; x++) v.set(z, y, x, 1);
  return v;
}

describe('Learn2Reg metrics', () => {
  it('Dice per label is NaN for an absent label and the mean ignores it', () => {
    const d = labelDice(cube(0), cube(2), [1, 2]);
    expect(d.perLabel[0]).toBeCloseTo(0.8, 6);
    expect(d.perLabel[1]).toBeNaN();
    expect(d.mean).toBeCloseTo(0.8, 6);
    expect(dice(cube(0), cube(0), [1, 2])).toBe(1);
  });

  it('HD95 of a cube shifted by 2 voxels is 2', () => {
    expect(hd95(cube(0), cube(2), 1)).toBeCloseTo(2, 6);
  });

  it('TRE is in µm; a zero field has SDlogJ 0 and no folding', () => {
    const f = DisplacementField.zeros({ shape: [10, 10, 10], spacing: [2, 2, 2], origin: [0, 0, 0] });
    const tre = targetRegistrationError(f, [[5, 5, 5]], [[5, 5, 8]]);
    expect(tre.mean).toBeCloseTo(6, 6);
    const j = jacobianStatistics(f);
    expect(j.sdLogJ).toBeCloseTo(0, 6);
    expect(j.negativePercent).toBe(0);
    expect(j.minJ).toBe(1);
  });
});

import { RegistrationInputError } from '../errors';
import { Volume } from '../volume';
import { dice, labelDice } from './overlap';
import { hd95 } from './surface';

/** A 10^3 cube of label 1 in a 20^3 volume, shifted along x by `offset` voxels. */
function cube(offset: number): Volume {
  const v = Volume.zeros([20, 20, 20], 'uint8');
  for (let z = 5; z < 15; z++) for (let y = 5; y < 15; y++) for (let x = 5 + offset; x < 15 + offset; x++) v.set(z, y, x, 1);
  return v;
}

describe('Learn2Reg label metrics', () => {
  it('Dice per label is NaN for a label absent from the fixed labels, and the mean ignores it', () => {
    const d = labelDice(cube(0), cube(2), [1, 2]);
    expect(d.perLabel[0]).toBeCloseTo(0.8, 6);
    expect(d.perLabel[1]).toBeNaN();
    expect(d.mean).toBeCloseTo(0.8, 6);
    expect(dice(cube(0), cube(0), [1, 2])).toBe(1);
    expect(() => dice(cube(0), Volume.zeros([20, 20, 21], 'uint8'), 1)).toThrow(RegistrationInputError);
  });

  it('HD95 (voxels) of a cube shifted by 2 voxels is 2; NaN when a label is missing', () => {
    expect(hd95(cube(0), cube(2), 1)).toBeCloseTo(2, 6);
    expect(hd95(cube(0), cube(2), 2)).toBeNaN();
  });
});

import { confusionMatrix, diceFromConfusion, iouFromConfusion } from './overlap';

describe('overlap from a confusion matrix', () => {
  it('gives Dice and IoU per class, NaN where a class is absent from both', () => {
    const m = confusionMatrix(Uint8Array.of(0, 1, 1, 1), Uint8Array.of(0, 1, 1, 0), 3);
    expect(m).toEqual([[1, 1, 0], [0, 2, 0], [0, 0, 0]]);
    expect(diceFromConfusion(m)).toEqual([2 / 3, 0.8, NaN]);
    expect(iouFromConfusion(m)).toEqual([0.5, 2 / 3, NaN]);
  });
});

import { Rng } from '../numeric';
import { SmoothNoise } from './noise';

describe('SmoothNoise', () => {
  it('is smooth at the scale of its cell and bounded by [-1, 1]', () => {
    const field = new SmoothNoise({ rng: new Rng(1), cell: 10 });
    let maxStep = 0;
    for (let x = 0; x < 200; x++) {
      const v = field.at(3, 4, x * 0.5);
      expect(Math.abs(v)).toBeLessThanOrEqual(1);
      maxStep = Math.max(maxStep, Math.abs(field.at(3, 4, x * 0.5 + 0.5) - v));
    }
    expect(maxStep).toBeLessThan(0.3);
  });
});

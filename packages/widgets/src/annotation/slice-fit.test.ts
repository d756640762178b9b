import { fitSlice } from './slice-fit';

describe('fitSlice', () => {
  it('fills the narrower side of the space and keeps the slice aspect', () => {
    expect(fitSlice(48, 48, 305, 400)).toEqual([305, 305]);
    expect(fitSlice(48, 48, 600, 250)).toEqual([250, 250]);
    expect(fitSlice(48, 96, 300, 300)).toEqual([300, 150]);
    expect(fitSlice(200, 100, 1000, 300)).toEqual([150, 300]);
  });

  it('shrinks a slice larger than the space (a large scan in a narrow panel)', () => {
    expect(fitSlice(2000, 1000, 250, 900)).toEqual([250, 500]);
  });

  it('gives whole CSS pixels, never more than the space', () => {
    const [w, h] = fitSlice(37, 53, 301.5, 222.25);
    expect(Number.isInteger(w) && Number.isInteger(h)).toBe(true);
    expect(w).toBeLessThanOrEqual(301.5);
    expect(h).toBeLessThanOrEqual(222.25);
  });

  it('shows the slice at a whole-number zoom before layout', () => {
    expect(fitSlice(48, 48, 0, 0)).toEqual([480, 480]);
    expect(fitSlice(8, 10, 0, 300)).toEqual([510, 408]);
    expect(fitSlice(1000, 600, 0, 0)).toEqual([600, 1000]);
  });
});

import { DisplacementField, jacobianStatistics, targetRegistrationError } from '.';

describe('Learn2Reg field metrics', () => {
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

import { RegistrationInputError } from '../errors';
import { dice } from '../metrics';
import { timePointPair } from '../phantom';
import { resample, Volume } from '../volume';
import { convexAdam, DisplacementField, jacobianStatistics, registerLinear, targetRegistrationError, warpVolume } from '.';

describe('convexAdam', () => {
  let pair: Awaited<ReturnType<typeof timePointPair>>;
  beforeAll(async () => {
    pair = await timePointPair({ size: 64, seed: 1 });
  });
  const scores = (field: DisplacementField): { bone: number; implant: number } => {
    const warped = warpVolume(pair.movingLabels, field, { method: 'nearest' });
    return { bone: dice(pair.fixedLabels, warped, 1), implant: dice(pair.fixedLabels, warped, [2, 3]) };
  };

  it('beats the affine result by 0.1 Dice on a pair with a known smooth deformation, with a smooth, unfolded field', async () => {
    const rigid = await registerLinear(pair.fixed, pair.moving, { model: 'rigid' });
    const affine = await registerLinear(pair.fixed, pair.moving, { model: 'affine', initial: rigid.transform });
    const before = scores(DisplacementField.fromAffine(affine.transform, pair.fixed));
    const stages: string[] = [];
    const { field } = await convexAdam(pair.fixed, pair.moving, { onProgress: (_, stage) => stages.push(stage) });
    const after = scores(field);
    expect(after.bone).toBeGreaterThan(before.bone + 0.1);
    expect(after.implant).toBeGreaterThan(before.implant + 0.1);
    const { sdLogJ, negativePercent } = jacobianStatistics(field);
    expect(sdLogJ).toBeLessThan(0.1);
    expect(negativePercent).toBeLessThan(0.1);
    const tre = targetRegistrationError(field, pair.landmarks.fixed, pair.landmarks.moving);
    expect(tre.mean).toBeLessThan(2 * pair.fixed.spacing[0]); // largest true displacement: 10 voxels plus the rigid offset
    expect(stages).toContain('adam');
  });

  it('resamples a moving image on another grid with a warning, and never returns NaN', async () => {
    const warnings: string[] = [];
    const coarse = resample(pair.moving, { shape: [48, 48, 48] });
    const { field } = await convexAdam(pair.fixed, coarse, { adamIterations: 10, onWarning: m => warnings.push(m) });
    expect(warnings.join()).toMatch(/resampled onto the fixed grid/);
    expect(field.shape).toEqual(pair.fixed.shape);
    expect(field.data.every(Number.isFinite)).toBe(true);
  });

  it('gives typed errors for constant images, no overlap and tiny volumes', async () => {
    const constant = Volume.zeros([64, 64, 64], 'float32', { spacing: pair.fixed.spacing });
    await expect(convexAdam(pair.fixed, constant)).rejects.toThrow(/constant/);
    await expect(convexAdam(pair.fixed, pair.moving.withGeometry({ origin: [0, 1e7, 0] }))).rejects.toThrow(/overlap/);
    await expect(convexAdam(Volume.zeros([8, 8, 8], 'float32'), Volume.zeros([8, 8, 8], 'float32'))).rejects.toThrow(RegistrationInputError);
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(convexAdam(pair.fixed, pair.moving, { signal: controller.signal })).rejects.toThrow();
  });
});

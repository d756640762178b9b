import { RegistrationInputError } from '../errors';
import { timePointPair } from '../phantom';
import { Volume } from '../volume';
import { AffineTransform, registerLinear } from '.';

/** Rotation (degrees) and translation at the centre (voxels) between an estimate and the truth. */
function error(estimate: AffineTransform, truth: AffineTransform, volume: Volume): { degrees: number; voxels: number } {
  const delta = truth.inverse().compose(estimate);
  const c = volume.shape.map((n, a) => ((n - 1) * volume.spacing[a]) / 2) as [number, number, number];
  const moved = delta.applyToPoint(c);
  const voxels = Math.sqrt(moved.reduce((s, v, a) => s + ((v - c[a]) / volume.spacing[a]) ** 2, 0));
  return { degrees: delta.rotationDegrees, voxels };
}

describe('registerLinear', () => {
  let pair: Awaited<ReturnType<typeof timePointPair>>;
  beforeAll(async () => {
    pair = await timePointPair({ size: 64, seed: 2, rotationDeg: 6, translationVoxels: 4, deformationVoxels: 0 });
  });

  it('recovers a known rotation and translation within 1 degree and 1 voxel (NCC)', async () => {
    const { transform, similarity } = await registerLinear(pair.fixed, pair.moving, { model: 'rigid' });
    const e = error(transform, pair.rigid, pair.fixed);
    expect(e.degrees).toBeLessThan(1);
    expect(e.voxels).toBeLessThan(1);
    expect(similarity).toBeGreaterThan(0.5);
  });

  it('starts from landmarks and keeps the answer', async () => {
    const s = pair.fixed.spacing;
    const toUm = (p: number[]): [number, number, number] => [p[0] * s[0], p[1] * s[1], p[2] * s[2]];
    const landmarks = { fixed: pair.landmarks.fixed.slice(0, 6).map(toUm), moving: pair.landmarks.moving.slice(0, 6).map(toUm) };
    const { transform } = await registerLinear(pair.fixed, pair.moving, { model: 'affine', landmarks, levels: 1, iterations: 30 });
    const e = error(transform, pair.rigid, pair.fixed);
    expect(e.degrees).toBeLessThan(1);
    expect(e.voxels).toBeLessThan(1);
  });

  it('gives typed errors for constant images and no overlap', async () => {
    const constant = Volume.zeros([32, 32, 32], 'float32');
    await expect(registerLinear(constant, pair.moving)).rejects.toThrow(RegistrationInputError);
    const far = pair.moving.withGeometry({ origin: [1e6, 0, 0] });
    await expect(registerLinear(pair.fixed, far, { levels: 1, iterations: 5 })).rejects.toThrow(/overlap/);
  });
});

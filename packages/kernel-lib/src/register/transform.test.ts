import { Volume } from '../volume';
import { AffineTransform, composeFields, DisplacementField, inverseConsistencyError, invertField, jacobianDeterminant, warpVolume } from '.';

const grid = { shape: [24, 24, 24] as const, spacing: [2, 2, 2] as const, origin: [0, 0, 0] as const };

function smoothField(amplitude: number): DisplacementField {
  const u = DisplacementField.zeros(grid);
  const n = u.size;
  for (let z = 0, i = 0; z < 24; z++) {
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < 24; x++, i++) {
        u.data[i] = amplitude * Math.sin((2 * Math.PI * y) / 24);
        u.data[n + i] = amplitude * Math.cos((2 * Math.PI * x) / 24);
        u.data[2 * n + i] = amplitude * Math.sin((2 * Math.PI * z) / 24);
      }
    }
  }
  return u;
}

describe('AffineTransform', () => {
  it('composes and inverts: T^-1 T is the identity', () => {
    const t = AffineTransform.rigid({ angles: [0.1, -0.2, 0.3], translation: [5, -3, 2], center: [20, 20, 20] });
    const s = AffineTransform.fromLinear([1.1, 0.05, 0, 0, 0.9, 0.02, 0.01, 0, 1.05], [1, 2, 3]);
    const p: [number, number, number] = [3, 14, -7];
    const q = t.inverse().compose(t).applyToPoint(p);
    q.forEach((v, i) => expect(v).toBeCloseTo(p[i], 9));
    const both = s.compose(t).applyToPoint(p);
    s.applyToPoint(t.applyToPoint(p)).forEach((v, i) => expect(v).toBeCloseTo(both[i], 9));
    expect(t.determinant).toBeCloseTo(1, 9);
    expect(t.rotationDegrees).toBeGreaterThan(5);
  });

  it('fits landmarks exactly (affine) and recovers a rotation (rigid)', () => {
    const t = AffineTransform.rigid({ angles: [0.05, 0.1, -0.07], translation: [4, 0, -2], center: [10, 10, 10] });
    const from: [number, number, number][] = [[0, 0, 0], [20, 0, 0], [0, 20, 0], [0, 0, 20], [13, 7, 5]];
    const to = from.map(p => t.applyToPoint(p));
    for (const rigid of [false, true]) {
      const fit = AffineTransform.fromLandmarks(from, to, { rigid });
      fit.matrix.forEach((v, i) => expect(v).toBeCloseTo(t.matrix[i], 6));
    }
  });

  it('rotates about each axis, leaving that axis fixed', () => {
    const quarter = Math.PI / 2;
    const about = (angles: [number, number, number], p: [number, number, number]) => AffineTransform.rigid({ angles }).applyToPoint(p).map(v => Math.round(v * 1e9) / 1e9 + 0);
    expect(about([0, 0, quarter], [0, 0, 1])).toEqual([0, 0, 1]); // x fixed by a rotation about x
    expect(about([0, 0, quarter], [1, 0, 0])).toEqual([0, 1, 0]); // z -> y
    expect(about([0, quarter, 0], [0, 1, 0])).toEqual([0, 1, 0]); // y fixed
    expect(about([quarter, 0, 0], [1, 0, 0])).toEqual([1, 0, 0]); // z fixed
    expect(about([quarter, 0, 0], [0, 1, 0])).toEqual([0, 0, 1]); // y -> x
  });

  it('throws a typed error for a singular inverse', () => {
    expect(() => AffineTransform.fromLinear([1, 0, 0, 0, 1, 0, 0, 0, 0]).inverse()).toThrow(/singular/);
  });
});

describe('displacement fields', () => {
  it('the Jacobian determinant of an affine field is its determinant', () => {
    const t = AffineTransform.fromLinear([1.1, 0.05, 0, 0, 0.9, 0.02, 0.01, 0, 1.05], [1, 2, 3], [24, 24, 24]);
    const j = jacobianDeterminant(DisplacementField.fromAffine(t, grid));
    for (const v of [j.data[0], j.data[5000], j.data[j.size - 1]]) expect(v).toBeCloseTo(t.determinant, 4);
  });

  it('warping by a field, then by its inverse, recovers the image in the interior', () => {
    const image = Volume.zeros([24, 24, 24], 'float32', { spacing: [2, 2, 2] });
    for (let z = 0, i = 0; z < 24; z++) for (let y = 0; y < 24; y++) for (let x = 0; x < 24; x++, i++) image.data[i] = Math.sin(x / 3) + Math.cos(y / 4) + z / 10;
    const u = smoothField(1.5);
    const v = invertField(u);
    // Warping by u, then the result by v, is warping by the point map of v followed by u.
    const back = warpVolume(warpVolume(image, u), v);
    let worst = 0;
    for (let z = 4; z < 20; z++) for (let y = 4; y < 20; y++) for (let x = 4; x < 20; x++) worst = Math.max(worst, Math.abs(back.get(z, y, x) - image.get(z, y, x)));
    expect(worst).toBeLessThan(0.15);
    const ice = inverseConsistencyError(u, v);
    expect(ice.mean).toBeLessThan(0.1); // border clamping included
    expect(composeFields(u, v).maxMagnitude).toBeLessThan(0.5);
  });

  it('warps labels with nearest neighbour (dtype and values kept)', () => {
    const labels = Volume.zeros([24, 24, 24], 'uint8', { spacing: [2, 2, 2] });
    labels.data.fill(2, 5000, 9000);
    const out = warpVolume(labels, smoothField(1), { method: 'nearest' });
    expect(out.dtype).toBe('uint8');
    expect(new Set(out.data)).toEqual(new Set([0, 2]));
  });
});

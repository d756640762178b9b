import { RegistrationInputError } from '../errors';
import { Rng } from '../numeric';
import { sectionPairs } from '../phantom';
import { orthoSlice, Volume } from '../volume';
import { registerSection, sectionAngles, sectionFrame, sectionPoseError, sectionRotation, virtualSection, type SectionPose } from '.';

/** A volume whose value is a linear function of the physical position, so trilinear sampling is exact. */
function ramp(shape: [number, number, number], spacing: [number, number, number]): { volume: Volume<Float32Array>; at: (p: number[]) => number } {
  const volume = Volume.zeros(shape, 'float32', { spacing, origin: [10, -20, 30] });
  const at = (p: number[]): number => 0.5 * p[0] + 2 * p[1] - 1.5 * p[2];
  for (let z = 0, i = 0; z < shape[0]; z++) {
    for (let y = 0; y < shape[1]; y++) {
      for (let x = 0; x < shape[2]; x++, i++) volume.data[i] = at([10 + z * spacing[0], -20 + y * spacing[1], 30 + x * spacing[2]]);
    }
  }
  return { volume, at };
}

describe('virtualSection', () => {
  it('at the zero pose is the axial slice through the centre', () => {
    const volume = Volume.zeros([9, 12, 16], 'float32', { spacing: [3, 3, 3] });
    volume.data.forEach((_, i) => (volume.data[i] = Math.sin(i)));
    const section = virtualSection(volume, { angles: [0, 0, 0], offset: [0, 0, 0] }, { shape: [12, 16], spacing: 3 });
    expect(section.shape).toEqual([1, 12, 16]);
    const slice = orthoSlice(volume, 'z', 4).data;
    section.data.forEach((v, i) => expect(v).toBeCloseTo(slice[i], 5));
    // An offset of one voxel along z is the next slice.
    const next = virtualSection(volume, { angles: [0, 0, 0], offset: [3, 0, 0] }, { shape: [12, 16], spacing: 3 });
    next.data.forEach((v, i) => expect(v).toBeCloseTo(orthoSlice(volume, 'z', 5).data[i], 5));
  });

  it('places pixel (i, j) at centre + offset + R [0, v, u] at any pose (exact on a linear volume)', () => {
    const { volume, at } = ramp([20, 24, 28], [2, 2.5, 3]);
    const pose: SectionPose = { angles: [37, -12, 8], offset: [4, -6, 5] };
    const [h, w, s] = [10, 14, 1.7];
    const section = virtualSection(volume, pose, { shape: [h, w], spacing: s });
    const r = sectionRotation(pose.angles);
    const centre = [0, 1, 2].map(a => volume.origin[a] + ((volume.shape[a] - 1) * volume.spacing[a]) / 2 + pose.offset[a]);
    for (const [i, j] of [[0, 0], [3, 7], [9, 13], [5, 2]]) {
      const v = (i - (h - 1) / 2) * s;
      const u = (j - (w - 1) / 2) * s;
      const p = [0, 1, 2].map(a => centre[a] + r[a * 3 + 1] * v + r[a * 3 + 2] * u);
      expect(section.data[i * w + j]).toBeCloseTo(at(p), 3);
    }
    // The frame agrees: the normal is R e_z, steps are R e_y and R e_x in voxels.
    const frame = sectionFrame(volume, pose, [h, w], s);
    expect(frame.normal.map(v => +v.toFixed(9))).toEqual([r[0], r[3], r[6]].map(v => +v.toFixed(9)));
    expect(frame.column[2]).toBeCloseTo((r[8] * s) / 3, 12);
  });

  it('turns the image in its plane with az, samples labels with nearest, and fills outside the volume', () => {
    const { volume } = ramp([16, 16, 16], [1, 1, 1]);
    const a = virtualSection(volume, { angles: [0, 0, 0], offset: [0.5, 0, 0] }, { shape: [16, 16] });
    const b = virtualSection(volume, { angles: [90, 0, 0], offset: [0.5, 0, 0] }, { shape: [16, 16] });
    // A quarter turn: b's rows run along +x and its columns along -y, so b(i, j) = a(15 - j, i).
    for (const [i, j] of [[0, 0], [2, 9], [15, 4]]) expect(b.data[i * 16 + j]).toBeCloseTo(a.data[(15 - j) * 16 + i], 4);
    const labels = Volume.zeros([16, 16, 16], 'uint8');
    labels.data.fill(3, 8 * 256);
    const cut = virtualSection(labels, { angles: [0, 90, 0], offset: [0, 0, 0] }, { shape: [16, 16], method: 'nearest', fill: 7 });
    expect(cut.dtype).toBe('uint8');
    expect(new Set(cut.data)).toEqual(new Set([0, 3]));
    const outside = virtualSection(volume, { angles: [0, 0, 0], offset: [100, 0, 0] }, { shape: [4, 4], fill: -1 });
    expect(Array.from(outside.data)).toEqual(new Array(16).fill(-1));
    expect(() => virtualSection(volume, { angles: [0, NaN, 0], offset: [0, 0, 0] })).toThrow(RegistrationInputError);
  });
});

describe('section poses', () => {
  it('round-trips angles through the rotation and measures pose errors', () => {
    const rng = new Rng(4);
    for (let k = 0; k < 20; k++) {
      const angles: [number, number, number] = [rng.uniform(-179, 179), rng.uniform(-80, 80), rng.uniform(-179, 179)];
      sectionAngles(sectionRotation(angles)).forEach((v, i) => expect(v).toBeCloseTo(angles[i], 6));
    }
    const spacing = [2, 2, 2];
    const truth: SectionPose = { angles: [10, 5, -3], offset: [4, 0, 0] };
    expect(sectionPoseError(truth, truth, { spacing }).angleDeg).toBeCloseTo(0, 5);
    const turned = sectionPoseError({ angles: [15, 5, -3], offset: [4, 6, 8] }, truth, { spacing });
    expect(turned.angleDeg).toBeCloseTo(5, 6); // in-plane only
    expect(turned.normalDeg).toBeCloseTo(0, 6);
    expect(turned.offsetUm).toBeCloseTo(10, 9);
    expect(turned.offsetVoxels).toBeCloseTo(5, 9);
    expect(sectionPoseError({ angles: [10, 5, 1], offset: [4, 0, 0] }, truth, { spacing }).normalDeg).toBeCloseTo(4, 1);
  });
});

describe('registerSection', () => {
  let data: Awaited<ReturnType<typeof sectionPairs>>;
  beforeAll(async () => {
    data = await sectionPairs({ size: 64, seed: 3, count: 2 });
  }, 60000);

  it('builds histology stand-ins at known poses with their labels and a mild 2D deformation', () => {
    const s = data.sections[0];
    expect(s.image.shape).toEqual([1, 48, 48]);
    expect(s.labels.shape).toEqual([1, 48, 48]);
    expect(s.deformation.maxMagnitude).toBeCloseTo(2, 3);
    expect(s.deformation.component(0).every(v => v === 0)).toBe(true);
    const tilt = (Math.acos(sectionRotation(s.pose.angles)[0]) * 180) / Math.PI;
    expect(tilt).toBeLessThanOrEqual(15);
    expect(data.description).toMatch(/stain/);
  });

  it('finds the pose of sections with another intensity mapping, noise and a 2D deformation (< 4 deg, < 1.5 voxels)', async () => {
    // The 2D deformation (up to 2 px) limits the accuracy: these two end 2-3 deg off (0.2 deg without the deformation).
    for (const s of data.sections) {
      const stages: string[] = [];
      const result = await registerSection(s.image, data.volume, { onProgress: (_, stage) => stages.push(stage), onWarning: () => undefined });
      const e = sectionPoseError(result.pose, s.pose, data.volume);
      expect(e.angleDeg).toBeLessThan(4);
      expect(e.offsetVoxels).toBeLessThan(1.5);
      expect(result.confidence).toBeGreaterThan(0.08);
      expect(result.warnings).toEqual([]);
      // The 2D refinement makes the image agree better with the virtual section.
      expect(result.similarityDeformed).toBeGreaterThan(result.similarity);
      expect(result.warped.shape).toEqual([1, 48, 48]);
      expect(result.section.shape).toEqual([1, 48, 48]);
      expect(result.field.data.every(Number.isFinite)).toBe(true);
      expect(stages).toContain('global search');
    }
  }, 120000);

  it('handles an image with a finer pixel size than the volume', async () => {
    const s = data.sections[0];
    // The same section at half the pixel size (twice the pixels over the same area).
    const fine = virtualSection(data.volume, s.pose, { shape: [96, 96], spacing: 37.5 });
    const result = await registerSection(fine, data.volume, { deformable: false, onWarning: () => undefined });
    const e = sectionPoseError(result.pose, s.pose, data.volume);
    expect(e.angleDeg).toBeLessThan(1);
    expect(e.offsetVoxels).toBeLessThan(0.5);
    expect(result.warped.shape).toEqual([1, 96, 96]);
  }, 60000);

  it('warns when nothing matches, and rejects constant, non-2D, tiny and non-finite images', async () => {
    const rng = new Rng(3);
    const noise = new Volume({ data: Float32Array.from({ length: 48 * 48 }, () => rng.normal()), shape: [1, 48, 48], spacing: [75, 75, 75] });
    const warnings: string[] = [];
    const result = await registerSection(noise, data.volume, { deformable: false, onWarning: m => warnings.push(m) });
    expect(warnings.join()).toMatch(/no clear match/);
    expect(result.confidence).toBeLessThan(0.08);
    const constant = Volume.zeros([1, 48, 48], 'float32', { spacing: [75, 75, 75] });
    await expect(registerSection(constant, data.volume)).rejects.toThrow(/constant/);
    await expect(registerSection(data.volume, data.volume)).rejects.toThrow(/one slice/);
    await expect(registerSection(Volume.zeros([1, 4, 4], 'float32'), data.volume)).rejects.toThrow(/too small/);
    const nan = noise.clone();
    nan.data[5] = NaN;
    await expect(registerSection(nan, data.volume)).rejects.toThrow(RegistrationInputError);
    // A pixel size so large that the image never fits inside the volume.
    await expect(registerSection(noise.withGeometry({ spacing: [1e4, 1e4, 1e4] }), data.volume)).rejects.toThrow(/overlaps the volume/);
  }, 60000);
});

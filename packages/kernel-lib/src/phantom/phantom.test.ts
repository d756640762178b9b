import { PhantomOptionError } from '../errors';
import { degradedFraction } from './degradation';
import { implantPhantom } from './phantom';

// Small and fast: 48³ with 48 projections.
const FAST = { size: 48, angles: 48 } as const;

describe('implantPhantom', () => {
  it('is deterministic: the same seed gives identical bytes, another seed a different phantom', async () => {
    const a = await implantPhantom({ ...FAST, seed: 5, stage: 8, ringArtifacts: true, phaseContrast: true });
    const b = await implantPhantom({ ...FAST, seed: 5, stage: 8, ringArtifacts: true, phaseContrast: true });
    const c = await implantPhantom({ ...FAST, seed: 6, stage: 8, ringArtifacts: true, phaseContrast: true });
    expect(Buffer.from(a.image.data.buffer).equals(Buffer.from(b.image.data.buffer))).toBe(true);
    expect(Buffer.from(a.labels.data.buffer).equals(Buffer.from(b.labels.data.buffer))).toBe(true);
    expect(Buffer.from(a.image.data.buffer).equals(Buffer.from(c.image.data.buffer))).toBe(false);
    expect(Buffer.from(a.labels.data.buffer).equals(Buffer.from(c.labels.data.buffer))).toBe(false);
  });

  it('labels with the values 0..3 and plausible volume fractions', async () => {
    const { image, labels, params } = await implantPhantom({ ...FAST, seed: 1, stage: 8 });
    expect(image.shape).toEqual([48, 48, 48]);
    expect(image.dtype).toBe('float32');
    expect(labels.dtype).toBe('uint8');
    expect(Math.max(...labels.data)).toBeLessThanOrEqual(3);
    const [background, bone, dl, rm] = params.volumeFractions;
    expect(background).toBeGreaterThan(0.5);
    expect(bone).toBeGreaterThan(0.05);
    expect(bone).toBeLessThan(0.4);
    expect(dl).toBeGreaterThan(0.01);
    expect(rm).toBeGreaterThan(0.01);
    expect(dl + rm).toBeLessThan(0.2);
    // DL share of the implant matches the stage.
    expect(dl / (dl + rm)).toBeCloseTo(degradedFraction(8, 'Mg-10Gd'), 1);
    // Reconstructed attenuation per class keeps the physical order: tissue < bone < RM.
    const mean = (label: number) => {
      let s = 0;
      let n = 0;
      labels.data.forEach((l, i) => {
        if (l === label) {
          s += image.data[i];
          n++;
        }
      });
      return s / n;
    };
    expect(mean(0)).toBeLessThan(mean(1));
    expect(mean(1)).toBeLessThan(mean(3));
    expect(mean(2)).toBeGreaterThan(mean(1) - 0.3);
    expect(mean(2)).toBeLessThan(mean(3));
  });

  it('degrades monotonically: more weeks, less RM and more DL, the same envelope', async () => {
    const implant = (labels: Uint8Array) => labels.reduce((n, l) => n + (l >= 2 ? 1 : 0), 0);
    let previous: Uint8Array | undefined;
    let previousRm = Infinity;
    for (const stage of [0, 4, 8, 12]) {
      const { labels, params } = await implantPhantom({ size: 48, seed: 3, stage, idealImage: true });
      const rm = params.counts[3];
      expect(rm).toBeLessThan(previousRm);
      if (previous) {
        expect(implant(labels.data)).toBe(implant(previous));
        // Every DL voxel of the earlier stage is still DL.
        previous.forEach((l, i) => l === 2 && expect(labels.data[i]).toBe(2));
      } else {
        expect(params.counts[2]).toBe(0); // no DL at implantation
      }
      previous = labels.data;
      previousRm = rm;
    }
  });

  it('writes uint16 with the documented intensity mapping', async () => {
    const f = await implantPhantom({ ...FAST, seed: 2, stage: 4 });
    const u = await implantPhantom({ ...FAST, seed: 2, stage: 4, dtype: 'uint16' });
    expect(u.image.dtype).toBe('uint16');
    const { offset, slope } = u.params.intensity;
    const i = 48 * 48 * 24 + 48 * 24 + 24;
    expect(offset + slope * u.image.data[i]).toBeCloseTo(f.image.data[i], 3);
  });

  it('controls: Ti and PEEK never degrade', async () => {
    const { params } = await implantPhantom({ size: 32, seed: 1, stage: 12, material: 'Ti', idealImage: true });
    expect(params.counts[2]).toBe(0);
    expect(params.counts[3]).toBeGreaterThan(0);
  });

  it('rejects bad options with PhantomOptionError', async () => {
    await expect(implantPhantom({ size: 8, seed: 1 })).rejects.toThrow(PhantomOptionError);
    await expect(implantPhantom({ size: 32, seed: NaN })).rejects.toThrow(PhantomOptionError);
    await expect(implantPhantom({ size: 32, seed: 1, fraction: 1.5 })).rejects.toThrow(/fraction/);
    await expect(implantPhantom({ size: 32, seed: 1, flux: 0 })).rejects.toThrow(/flux/);
  });

  it('reports progress and stops when the signal aborts', async () => {
    const calls: number[] = [];
    await implantPhantom({ size: 32, angles: 16, seed: 1, onProgress: done => calls.push(done) });
    expect(calls[calls.length - 1]).toBe(64);
    const controller = new AbortController();
    controller.abort();
    await expect(implantPhantom({ size: 32, angles: 16, seed: 1, signal: controller.signal })).rejects.toThrow(/interrupted/);
  });
});

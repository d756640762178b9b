import { Volume } from '../volume';
import { simulateScan } from './acquisition';

/** A uniform water-like cylinder (0.3 /cm) in air, 40³ at 40 µm. */
function cylinder(): Volume<Float32Array> {
  const v = Volume.zeros([8, 40, 40], 'float32', { spacing: [40, 40, 40] });
  for (let z = 0; z < 8; z++) {
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 40; x++) {
        if ((y - 19.5) ** 2 + (x - 19.5) ** 2 < 15 ** 2) v.set(z, y, x, 0.3);
      }
    }
  }
  return v;
}

/** Mean and standard deviation in the cylinder's core. */
function coreStats(v: Volume<Float32Array>): { mean: number; sd: number } {
  const values: number[] = [];
  for (let z = 0; z < 8; z++) {
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 40; x++) {
        if ((y - 19.5) ** 2 + (x - 19.5) ** 2 < 10 ** 2) values.push(v.get(z, y, x));
      }
    }
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, sd: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) };
}

describe('simulateScan', () => {
  it('reconstructs attenuation in 1/cm without noise', async () => {
    const image = await simulateScan(cylinder(), { seed: 1, angles: 60, flux: Infinity });
    expect(coreStats(image).mean).toBeCloseTo(0.3, 2);
    expect(coreStats(image).sd).toBeLessThan(0.01);
  });

  it('is noisier at lower flux (σ ∝ 1/√flux)', async () => {
    const low = coreStats(await simulateScan(cylinder(), { seed: 1, angles: 60, flux: 2000 }));
    const high = coreStats(await simulateScan(cylinder(), { seed: 1, angles: 60, flux: 32000 }));
    expect(low.mean).toBeCloseTo(0.3, 1);
    expect(high.mean).toBeCloseTo(0.3, 1);
    // 16x the photons: 4x less noise, within sampling error.
    expect(low.sd / high.sd).toBeGreaterThan(3);
    expect(low.sd / high.sd).toBeLessThan(5.3);
  });

  it('adds ring artifacts: a fixed pattern that is the same in every slice', async () => {
    const clean = await simulateScan(cylinder(), { seed: 1, angles: 60, flux: Infinity });
    const rings = await simulateScan(cylinder(), { seed: 1, angles: 60, flux: Infinity, ringArtifacts: 0.01 });
    const diff = rings.data.map((v, i) => v - clean.data[i]);
    const rms = Math.sqrt(diff.reduce((a, b) => a + b * b, 0) / diff.length);
    expect(rms).toBeGreaterThan(0.01);
  });

  it('adds phase-contrast fringes at edges only', async () => {
    const clean = await simulateScan(cylinder(), { seed: 1, angles: 60, flux: Infinity });
    const phase = await simulateScan(cylinder(), { seed: 1, angles: 60, flux: Infinity, phaseContrast: 1 });
    expect(Math.abs(coreStats(phase).mean - coreStats(clean).mean)).toBeLessThan(0.01);
    // Just inside the edge (r ≈ 14) the fringe is brighter than the flat interior.
    const edge = phase.get(4, 20, 34) - clean.get(4, 20, 34);
    expect(Math.abs(edge)).toBeGreaterThan(0.02);
  });
});

import { Volume } from '../volume';
import { degradationMetrics, degradationRows } from './degradation';

/** A flat implant: RM for x < 10, DL for 10 <= x < 15, bone for 15 <= x < 20, background beyond. */
function layered(spacing: [number, number, number]): Volume<Uint8Array> {
  const v = Volume.zeros([8, 8, 40], 'uint8', { spacing });
  for (let z = 0; z < 8; z++) {
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 40; x++) v.set(z, y, x, x < 10 ? 3 : x < 15 ? 2 : x < 20 ? 1 : 0);
    }
  }
  return v;
}

describe('degradationMetrics', () => {
  const s = 10; // µm
  const labels = layered([s, s, s]);
  const d = degradationMetrics(labels, { initialImplantVolumeMm3: 8 * 8 * 20 * 1e3 * 1e-9, weeks: 4, thicknessMap: true, shellsUm: [[0, 50], [50, 100], [100, 200]] });

  it('volumes in mm³ from voxel counts and spacing', () => {
    const voxel = s ** 3 * 1e-9;
    expect(d.rmVolumeMm3).toBeCloseTo(8 * 8 * 10 * voxel, 12);
    expect(d.dlVolumeMm3).toBeCloseTo(8 * 8 * 5 * voxel, 12);
    expect(d.implantVolumeMm3).toBeCloseTo(8 * 8 * 15 * voxel, 12);
  });

  it('DL thickness of a flat 5-voxel layer is 50 µm everywhere', () => {
    expect(d.dlThicknessMeanUm).toBeCloseTo(50, 4);
    expect(d.dlThicknessMaxUm).toBeCloseTo(50, 4);
    expect(d.dlThicknessMap!.get(3, 3, 12)).toBeCloseTo(50, 4);
    expect(d.dlThicknessMap!.get(3, 3, 2)).toBe(0);
  });

  it('degradation rate from the initial volume (20 voxel columns) and the time', () => {
    // initial 20 columns, residual 10: half degraded over 4 weeks.
    expect(d.degradedFraction).toBeCloseTo(0.5, 10);
    expect(d.degradationRatePercentPerWeek).toBeCloseTo(12.5, 8);
    expect(d.degradationRateMm3PerWeek).toBeCloseTo(d.degradedVolumeMm3! / 4, 12);
  });

  it('BV/TV per shell and bone-implant contact', () => {
    // Distances 10..50 µm: x = 15..19 (all bone); 60..100: x = 20..24 (background); 110..200: background.
    expect(d.bvtv.map(b => b.bvtv)).toEqual([1, 0, 0]);
    expect(d.bvtv[0].totalVoxels).toBe(8 * 8 * 5);
    // Implant surface: the x = 14 face touches bone; the implant box's other faces are at the volume border.
    expect(d.implantSurfaceVoxels).toBe(64);
    expect(d.boneImplantContact).toBe(1);
    expect(degradationRows(d).find(r => r.unit === 'mm³/week')).toBeDefined();
  });

  it('a DL with no RM left uses twice the distance to the outside', () => {
    const v = Volume.zeros([4, 4, 20], 'uint8', { spacing: [1, 1, 1] });
    for (let z = 0; z < 4; z++) for (let y = 0; y < 4; y++) for (let x = 5; x < 10; x++) v.set(z, y, x, 2);
    // x = 7 is 3 voxels from both sides: 2 * 3 - 1 = 5, the layer's thickness.
    expect(degradationMetrics(v, { thicknessMap: true }).dlThicknessMap!.get(1, 1, 7)).toBeCloseTo(5);
  });
});

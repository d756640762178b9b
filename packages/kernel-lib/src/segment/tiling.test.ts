import { TilePlan } from './tiling';

describe('TilePlan', () => {
  it('pads a slice smaller than the tile up to the model multiple', () => {
    const plan = new TilePlan({ height: 50, width: 33, tile: [64, 64], multiple: 16 });
    expect(plan.tiles).toEqual([{ y: 0, x: 0 }]);
    expect([plan.tileHeight, plan.tileWidth]).toEqual([64, 48]);
    expect(plan.direct).toBe(false);
    const slice = Float32Array.from({ length: 50 * 33 }, (_, i) => i);
    const tile = new Float32Array(64 * 48);
    plan.extract(slice, 0, 0, tile, 0, -1);
    expect(tile[0]).toBe(0);
    expect(tile[32]).toBe(32);
    expect(tile[33]).toBe(-1); // padding column
    expect(tile[49 * 48 + 32]).toBe(49 * 33 + 32);
    expect(tile[50 * 48]).toBe(-1); // padding row
  });

  it('uses the slice itself when it is an exact multiple no larger than the tile', () => {
    expect(new TilePlan({ height: 32, width: 48, tile: [64, 64], multiple: 16 }).direct).toBe(true);
  });

  it('overlaps tiles by half a tile and blends them back exactly for a constant prediction', () => {
    const plan = new TilePlan({ height: 100, width: 64, tile: [64, 64], multiple: 16 });
    expect(plan.tiles.map(t => t.y)).toEqual([0, 18, 36]); // nnU-Net: ceil((100 - 64) / 32) + 1 steps
    const C = 2;
    const out = new Float32Array(C * 100 * 64);
    const probs = new Float32Array(C * 64 * 64);
    probs.fill(0.25, 0, 64 * 64);
    probs.fill(0.75, 64 * 64);
    for (let t = 0; t < plan.tiles.length; t++) plan.blend(probs, 0, t, C, out, 0);
    plan.finish(out, 0, C);
    expect(Math.max(...Array.from(out.subarray(0, 6400)).map(v => Math.abs(v - 0.25)))).toBeLessThan(1e-6);
    expect(Math.max(...Array.from(out.subarray(6400)).map(v => Math.abs(v - 0.75)))).toBeLessThan(1e-6);
  });

  it('weights the tile centre more than its border (Gaussian, sigma = tile / 8)', () => {
    const plan = new TilePlan({ height: 200, width: 200, tile: [64, 64], multiple: 16 });
    const w = plan.weights;
    expect(w[32 * 64 + 32]).toBeGreaterThan(0.95);
    expect(w[0]).toBeGreaterThan(0);
    expect(w[0]).toBeLessThan(0.01);
  });
});

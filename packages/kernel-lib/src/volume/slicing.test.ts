import { VolumeRangeError } from '../errors';
import { axesFor, SliceGeometry, SUN_AXES, type SunAxis } from './axes';
import { backProject } from './backproject';
import { crop } from './region';
import { orthoSlice, sampleSlices, sliceStack } from './slicing';
import { Volume } from './volume';

/** A float32 volume whose voxel (z, y, x) holds f(z, y, x). */
function volumeOf(shape: [number, number, number], f: (z: number, y: number, x: number) => number): Volume<Float32Array> {
  const v = Volume.zeros(shape, 'float32');
  for (let z = 0; z < shape[0]; z++) for (let y = 0; y < shape[1]; y++) for (let x = 0; x < shape[2]; x++) v.set(z, y, x, f(z, y, x));
  return v;
}

const ramp = (z: number, y: number, x: number) => 2 * z + 3 * y - x + 5;

describe('SUN axes', () => {
  it('names 9 axes and picks 1, 3 or 9 of them', () => {
    expect(SUN_AXES).toHaveLength(9);
    expect(new Set(SUN_AXES).size).toBe(9);
    expect(axesFor(1)).toEqual(['z']);
    expect(axesFor(3)).toEqual(['z', 'y', 'x']);
    expect(axesFor(9)).toEqual(SUN_AXES);
    expect(() => axesFor(2 as 3)).toThrow(VolumeRangeError);
  });

  it('gives each axis an orthonormal frame whose normal matches DESIGN.md', () => {
    const normals = SUN_AXES.map(axis => new SliceGeometry({ shape: [4, 4, 4], axis }).normal.map(c => Math.round(c * Math.SQRT2 * 1000) / 1000));
    const s = Math.round(Math.SQRT2 * 1000) / 1000;
    expect(normals.slice(0, 3)).toEqual([[s, 0, 0], [0, s, 0], [0, 0, s]]);
    expect(normals.slice(3)).toEqual([[1, 1, 0], [1, -1, 0], [1, 0, 1], [1, 0, -1], [0, 1, 1], [0, 1, -1]]);
    for (const axis of SUN_AXES) {
      const { normal: n, row: r, column: c } = new SliceGeometry({ shape: [4, 4, 4], axis });
      const dot = (a: readonly number[], b: readonly number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
      expect([dot(n, n), dot(r, r), dot(c, c), dot(n, r), dot(n, c), dot(r, c)].map(v => Math.round(v * 1e9) / 1e9)).toEqual([1, 1, 1, 0, 0, 0]);
    }
  });

  it('sizes stacks to cover the whole grid', () => {
    const shape = [10, 20, 30] as const;
    const sizes = Object.fromEntries(SUN_AXES.map(axis => [axis, new SliceGeometry({ shape, axis }).stackShape]));
    expect(sizes.z).toEqual([10, 20, 30]);
    expect(sizes.y).toEqual([20, 10, 30]);
    expect(sizes.x).toEqual([30, 10, 20]);
    // (9 + 19) / sqrt(2) = 19.8 -> 20 steps + 1 sample
    expect(sizes['zy+']).toEqual([21, 21, 30]);
    expect(sizes['zx-']).toEqual([Math.ceil(38 / Math.SQRT2) + 1, Math.ceil(38 / Math.SQRT2) + 1, 20]);
    expect(sizes['yx+']).toEqual([Math.ceil(48 / Math.SQRT2) + 1, 10, Math.ceil(48 / Math.SQRT2) + 1]);
    for (const axis of SUN_AXES) {
      const g = new SliceGeometry({ shape, axis });
      for (const corner of [[0, 0, 0], [9, 19, 29], [9, 0, 29], [0, 19, 0]] as [number, number, number][]) {
        const [k, i, j] = g.toStack(...corner);
        expect(Math.min(k, i, j)).toBeGreaterThanOrEqual(-1e-9);
        expect(k).toBeLessThanOrEqual(g.stackShape[0] - 1 + 1e-9);
        expect(i).toBeLessThanOrEqual(g.stackShape[1] - 1 + 1e-9);
        expect(j).toBeLessThanOrEqual(g.stackShape[2] - 1 + 1e-9);
        expect(g.toGrid(k, i, j).map(v => Math.round(v * 1e9) / 1e9 + 0)).toEqual(corner);
      }
    }
  });
});

describe('orthogonal slices', () => {
  const v = volumeOf([3, 4, 5], (z, y, x) => 100 * z + 10 * y + x);

  it('cuts z as a view and y, x as copies', () => {
    const z = orthoSlice(v, 'z', 2);
    expect(z.shape).toEqual([4, 5]);
    expect(z.data.buffer).toBe(v.data.buffer);
    expect(Array.from(orthoSlice(v, 'y', 1).data.slice(0, 6))).toEqual([10, 11, 12, 13, 14, 110]);
    expect(orthoSlice(v, 'x', 3).shape).toEqual([3, 4]);
    expect(Array.from(orthoSlice(v, 'x', 3).data.slice(0, 5))).toEqual([3, 13, 23, 33, 103]);
    expect(() => orthoSlice(v, 'x', 5)).toThrow(VolumeRangeError);
  });

  it('stacks exactly and maps back exactly', () => {
    for (const axis of ['z', 'y', 'x'] as SunAxis[]) {
      const { data, geometry } = sliceStack(v, axis);
      const sum = new Float32Array(v.size);
      backProject(geometry, data, sum);
      expect(sum).toEqual(v.data);
    }
    const u16 = v.astype('uint16');
    expect(Array.from(sliceStack(u16, 'z').data)).toEqual(Array.from(v.data));
  });
});

describe('oblique slices', () => {
  const shape: [number, number, number] = [12, 14, 16];
  const v = volumeOf(shape, ramp);

  it('samples a linear volume exactly and fills outside', () => {
    for (const axis of SUN_AXES.slice(3)) {
      const { data, geometry: g } = sliceStack(v, axis, { fill: -1 });
      const [n, h, w] = g.stackShape;
      expect(data.length).toBe(n * h * w);
      let inside = 0;
      let worst = 0;
      let outsideOk = true;
      for (let k = 0; k < n; k++) {
        for (let i = 0; i < h; i++) {
          for (let j = 0; j < w; j++) {
            const [z, y, x] = g.toGrid(k, i, j);
            const value = data[(k * h + i) * w + j];
            if (z >= 0 && y >= 0 && x >= 0 && z <= 11 && y <= 13 && x <= 15) {
              inside++;
              worst = Math.max(worst, Math.abs(value - ramp(z, y, x)));
            } else if (z < -1e-3 || y < -1e-3 || x < -1e-3 || z > 11.001 || y > 13.001 || x > 15.001) {
              outsideOk &&= value === -1;
            }
          }
        }
      }
      expect(inside).toBeGreaterThan(v.size / 2);
      expect(worst).toBeLessThan(1e-3);
      expect(outsideOk).toBe(true);
    }
  });

  it('round-trips: stack then back-projection recovers the volume', () => {
    const smooth = volumeOf(shape, (z, y, x) => Math.sin(z / 3) + Math.cos(y / 4) * Math.sin(x / 5));
    for (const axis of SUN_AXES.slice(3)) {
      for (const [vol, tol] of [[v, 1e-3], [smooth, 0.05]] as const) {
        const { data, geometry } = sliceStack(vol, axis);
        const sum = new Float32Array(vol.size);
        backProject(geometry, data, sum);
        let worst = 0;
        for (let z = 2; z < 10; z++) for (let y = 2; y < 12; y++) for (let x = 2; x < 14; x++) {
          worst = Math.max(worst, Math.abs(sum[vol.index(z, y, x)] - vol.get(z, y, x)));
        }
        expect(worst).toBeLessThan(tol);
      }
    }
  });

  it('soft-votes C channels over all 9 axes', () => {
    // Two "class probability" channels: p and 1 - p, as Float32 [n, 2, h, w].
    const C = 2;
    const sum = new Float32Array(C * v.size);
    for (const axis of SUN_AXES) {
      const { data, geometry } = sliceStack(v, axis);
      const probs = new Float32Array(data.length * C);
      const hw = geometry.stackShape[1] * geometry.stackShape[2];
      for (let k = 0; k < geometry.stackShape[0]; k++) {
        for (let p = 0; p < hw; p++) {
          probs[(k * C) * hw + p] = data[k * hw + p] / 100;
          probs[(k * C + 1) * hw + p] = 1 - data[k * hw + p] / 100;
        }
      }
      backProject(geometry, probs, sum, { channels: C });
    }
    const index = v.index(6, 7, 8);
    expect(sum[index] / 9).toBeCloseTo(v.data[index] / 100, 4);
    expect(sum[v.size + index] / 9).toBeCloseTo(1 - v.data[index] / 100, 4);
  });

  it('streams: slice batches from sub-volumes and slab accumulators give the same sum', () => {
    for (const axis of ['x', 'zx+', 'yx-', 'zy-'] as SunAxis[]) {
      const g = new SliceGeometry({ shape, axis });
      const full = new Float32Array(v.size);
      backProject(g, sampleSlices(v, g), full);

      const n = g.stackShape[0];
      const [z0, z1] = [3, 8];
      const slab = new Float32Array((z1 - z0) * 14 * 16);
      const [first, last] = g.slicesForGridRows(z0, z1);
      // Batches of 5 slices, each starting at the previous batch's last slice, each cut from its grid box only.
      for (let k0 = first; ; ) {
        const k1 = Math.min(n, k0 + 5);
        const box = g.gridBoxForSlices(k0, k1);
        const sub = crop(v, { start: box.start, end: box.end });
        const batch = sampleSlices(sub, g, { k0, k1, offset: box.start });
        backProject(g, [batch], [slab], { k0, z0, z1 });
        if (k1 >= last) break;
        k0 = k1 - 1;
      }
      expect(slab).toEqual(full.subarray(z0 * 14 * 16, z1 * 14 * 16));
    }
  });

  it('cuts a batch from a z-slab placed at its offset, and refuses a slab that is too small', () => {
    const g = new SliceGeometry({ shape, axis: 'zy+' });
    const box = g.gridBoxForSlices(4, 6);
    const slab = v.slab(box.start[0], box.end[0]);
    const fromSlab = sampleSlices(slab, g, { k0: 4, k1: 6, offset: [box.start[0], 0, 0] });
    expect(fromSlab).toEqual(sampleSlices(v, g, { k0: 4, k1: 6 }));
    expect(() => sampleSlices(v.slab(0, 2), g, { k0: 4, k1: 6 })).toThrow(VolumeRangeError);
  });
});

describe('slice footprints', () => {
  /** The bounding box of the pixels that sampleSlices fills with a sample (not with the NaN fill). */
  function sampledBox(g: SliceGeometry, values: Float32Array, k0: number, k1: number) {
    const [, h, w] = g.stackShape;
    let [i0, i1, j0, j1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let s = 0; s < k1 - k0; s++) {
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          if (Number.isNaN(values[(s * h + i) * w + j])) continue;
          [i0, i1, j0, j1] = [Math.min(i0, i), Math.max(i1, i + 1), Math.min(j0, j), Math.max(j1, j + 1)];
        }
      }
    }
    return i0 === Infinity ? undefined : { rows: [i0, i1], cols: [j0, j1] };
  }

  it.each([
    [[9, 12, 16]],
    [[16, 7, 11]],
    [[1, 10, 13]],
    [[5, 5, 5]]
  ] as [[number, number, number]][])('is the box of the in-grid pixels of every slice and batch of every axis, grid %j', shape => {
    const v = volumeOf(shape, () => 1);
    for (const axis of SUN_AXES) {
      const g = new SliceGeometry({ shape, axis });
      const n = g.stackShape[0];
      const all = sampleSlices(v, g, { fill: NaN });
      const plane = g.stackShape[1] * g.stackShape[2];
      for (const [k0, k1] of [...Array.from({ length: n }, (_, k) => [k, k + 1]), [0, n], [0, Math.ceil(n / 2)], [Math.floor(n / 3), n]]) {
        const expected = sampledBox(g, all.subarray(k0 * plane, k1 * plane), k0, k1);
        expect([axis, k0, k1, g.footprint(k0, k1)]).toEqual([axis, k0, k1, expected]);
      }
    }
  });

  it('shrinks towards the ends of a diagonal stack and covers whole slices on the orthogonal axes', () => {
    const g = new SliceGeometry({ shape: [32, 32, 32], axis: 'zx+' });
    const [n, h, w] = g.stackShape;
    // Rows run along the diagonal of z and x, columns along y.
    const areas = Array.from({ length: n }, (_, k) => g.footprint(k, k + 1)).map(f => (f ? (f.rows[1] - f.rows[0]) * (f.cols[1] - f.cols[0]) : 0));
    expect(Math.max(...areas)).toBeGreaterThan(0.9 * h * w);
    expect(areas[0] + areas[n - 1]).toBeLessThan(4 * w);
    expect(areas.reduce((a, b) => a + b, 0) / (n * h * w)).toBeLessThan(0.55); // half of a 45-degree stack lies outside
    const z = new SliceGeometry({ shape: [8, 9, 10], axis: 'z' });
    expect(z.footprint(3, 4)).toEqual({ rows: [0, 9], cols: [0, 10] });
  });
});

import { VolumeRangeError, VolumeShapeError } from '../errors';
import { bin } from './binning';
import { crop, pad } from './region';
import { resample } from './resample';
import { Volume } from './volume';

/** Physical centre (µm) of voxel (z, y, x). */
const centre = (v: Volume, z: number, y: number, x: number) => [z, y, x].map((i, a) => v.origin[a] + i * v.spacing[a]);

function rampVolume(): Volume<Float32Array> {
  const v = Volume.zeros([8, 10, 12], 'float32', { spacing: [2, 3, 4], origin: [100, 200, 300] });
  for (let z = 0; z < 8; z++) for (let y = 0; y < 10; y++) for (let x = 0; x < 12; x++) v.set(z, y, x, z + 10 * y + 100 * x);
  return v;
}

describe('crop and pad', () => {
  const v = rampVolume();

  it('crops a copy whose voxels keep their physical position', () => {
    const c = crop(v, { start: [1, 2, 3], size: [4, 5, 6] });
    expect(c.shape).toEqual([4, 5, 6]);
    expect(c.get(0, 0, 0)).toBe(v.get(1, 2, 3));
    expect(c.get(3, 4, 5)).toBe(v.get(4, 6, 8));
    expect(centre(c, 0, 0, 0)).toEqual(centre(v, 1, 2, 3));
    c.set(0, 0, 0, -1);
    expect(v.get(1, 2, 3)).not.toBe(-1);
    expect(crop(v, { start: [0, 0, 0], end: [8, 10, 12] }).data).toEqual(v.data);
    expect(() => crop(v, { start: [0, 0, 0], end: [9, 10, 12] })).toThrow(VolumeRangeError);
  });

  it('pads with a constant or the edge and moves the origin back', () => {
    const p = pad(v, { before: [1, 2, 3], after: [0, 1, 2], value: -5 });
    expect(p.shape).toEqual([9, 13, 17]);
    expect(p.get(0, 0, 0)).toBe(-5);
    expect(p.get(1, 2, 3)).toBe(v.get(0, 0, 0));
    expect(p.get(8, 12, 16)).toBe(-5);
    expect(centre(p, 1, 2, 3)).toEqual(centre(v, 0, 0, 0));
    const e = pad(v, { before: [2, 2, 2], mode: 'edge' });
    expect(e.shape).toEqual([12, 14, 16]);
    expect(e.get(0, 0, 0)).toBe(v.get(0, 0, 0));
    expect(e.get(11, 13, 15)).toBe(v.get(7, 9, 11));
    expect(e.get(0, 5, 15)).toBe(v.get(0, 3, 11));
    expect(crop(e, { start: [2, 2, 2], size: [8, 10, 12] }).data).toEqual(v.data);
    expect(() => pad(v, { before: [-1, 0, 0] })).toThrow(VolumeShapeError);
  });
});

describe('resample', () => {
  it('keeps the field of view and interpolates a linear volume exactly inside', () => {
    const v = rampVolume();
    const r = resample(v, { spacing: [1, 1.5, 2] });
    expect(r.shape).toEqual([16, 20, 24]);
    expect(r.spacing).toEqual([1, 1.5, 2]);
    // The first voxel's outer face stays where it was.
    expect(r.origin.map((o, a) => o - r.spacing[a] / 2)).toEqual(v.origin.map((o, a) => o - v.spacing[a] / 2));
    // An interior voxel: value at its physical position on the source's linear field.
    const [pz, py, px] = centre(r, 7, 9, 11);
    const expected = (pz - 100) / 2 + (10 * (py - 200)) / 3 + (100 * (px - 300)) / 4;
    expect(r.get(7, 9, 11)).toBeCloseTo(expected, 3);
  });

  it('never invents label values with nearest', () => {
    const labels = Volume.zeros([6, 6, 6], 'uint8', { spacing: [2, 2, 2] });
    labels.data.forEach((_, i) => (labels.data[i] = [0, 1, 3][i % 3]));
    const up = resample(labels, { shape: [12, 12, 12] }, { method: 'nearest' });
    expect(new Set(up.data)).toEqual(new Set([0, 1, 3]));
    expect(up.spacing).toEqual([1, 1, 1]);
    expect(up.get(0, 0, 0)).toBe(labels.get(0, 0, 0));
    expect(up.get(11, 11, 11)).toBe(labels.get(5, 5, 5));
    const back = resample(up, { spacing: [2, 2, 2] }, { method: 'nearest' });
    expect(back.data).toEqual(labels.data);
  });

  it('rounds and clamps linear results for integer types', () => {
    const v = Volume.zeros([2, 2, 2], 'uint16');
    v.data.set([0, 1, 0, 1, 0, 1, 0, 1]);
    const r = resample(v, { shape: [2, 2, 4] });
    expect(r.dtype).toBe('uint16');
    expect(Array.from(r.data.slice(0, 4))).toEqual([0, 0, 1, 1]);
  });
});

describe('bin', () => {
  it('averages intensities and centres the new origin on the first block', () => {
    const v = rampVolume();
    const b = bin(v, 2);
    expect(b.shape).toEqual([4, 5, 6]);
    expect(b.spacing).toEqual([4, 6, 8]);
    expect(b.origin).toEqual([101, 201.5, 302]);
    expect(b.get(1, 2, 3)).toBeCloseTo((v.get(2, 4, 6) + v.get(3, 5, 7)) / 2, 4);
    const odd = bin(v, [3, 3, 5]);
    expect(odd.shape).toEqual([2, 3, 2]);
  });

  it('takes the majority or the centre voxel for labels', () => {
    const labels = Volume.zeros([4, 4, 4], 'uint8');
    labels.data.fill(1);
    for (const [z, y, x] of [[0, 0, 0], [0, 0, 1], [0, 1, 0]]) labels.set(z, y, x, 3);
    const mode = bin(labels, 2, { method: 'mode' });
    expect(mode.get(0, 0, 0)).toBe(1);
    labels.set(1, 0, 0, 3);
    expect(bin(labels, 2, { method: 'mode' }).get(0, 0, 0)).toBe(1); // 4 x 3 and 4 x 1: a tie goes to the smaller label
    labels.set(1, 1, 1, 3);
    expect(bin(labels, 2, { method: 'mode' }).get(0, 0, 0)).toBe(3);
    expect(bin(labels, 2, { method: 'nearest' }).get(0, 0, 0)).toBe(3);
    expect(() => bin(labels, 0)).toThrow(VolumeShapeError);
  });
});

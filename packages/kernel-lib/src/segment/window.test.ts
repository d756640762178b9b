// Windows must hold every pixel that back-projection reads for an in-volume voxel, and be shaped as the model needs.
import { backProject, SliceGeometry, SUN_AXES } from '../volume';
import { copyWindow, modelWindow, scatterWindow, type ModelWindow } from './window';

const OPTIONS: modelWindow.IOptions = { tile: [256, 256], multiple: 16, margin: 0, bucket: 32 };

/** Batches of `size` slices over the whole stack, each starting on the previous one's last slice (as predictAxis). */
function batches(n: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < n; ) {
    const b = Math.min(n, a + size);
    out.push([a, b]);
    a = b;
  }
  return out;
}

describe('modelWindow', () => {
  it.each([
    [[40, 40, 40]],
    [[24, 70, 33]],
    [[300, 20, 20]]
  ] as [[number, number, number]][])('holds every pixel back-projection reads, for every axis, grid %j', shape => {
    for (const axis of SUN_AXES) {
      const g = new SliceGeometry({ shape, axis });
      const [n, h, w] = g.stackShape;
      const sum = new Float32Array(shape[0] * shape[1] * shape[2]);
      let held = new Float32Array(0);
      let cached = 0;
      for (const [a, b] of batches(n, 5)) {
        // NaN outside the window: a voxel that reads one ends up NaN.
        const values = new Float32Array((cached + b - a) * h * w).fill(NaN);
        values.set(held);
        const window = modelWindow(g, a, b, OPTIONS);
        for (let s = cached; s < cached + b - a; s++) {
          for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) if (window && inside(window, i, j)) values[(s * h + i) * w + j] = 1;
        }
        backProject(g, values, sum, { k0: a - cached });
        held = values.slice((cached + b - a - 1) * h * w);
        cached = 1;
      }
      expect([axis, sum.findIndex(v => Number.isNaN(v))]).toEqual([axis, -1]);
      expect([axis, Math.min(...sum), Math.max(...sum)]).toEqual([axis, 1, 1]); // every voxel once, from a window
    }
  });

  it('starts on the model multiple, rounds sizes up to the bucket, and is the whole slice where it would cover it', () => {
    const g = new SliceGeometry({ shape: [128, 128, 128], axis: 'zx+' });
    const [n, h, w] = g.stackShape;
    expect([h, w]).toEqual([181, 128]);
    const shapes = new Set<string>();
    for (const [a, b] of batches(n, 8)) {
      const window = modelWindow(g, a, b, OPTIONS)!;
      shapes.add(`${window.height}x${window.width}`);
      if (window.whole) {
        expect(window).toEqual({ y: 0, x: 0, height: h, width: w, whole: true });
        continue;
      }
      expect([window.y % 16, window.height % 32]).toEqual([0, 0]);
      expect(window.width).toBe(w); // columns run along y, which every slice of this axis spans
      const footprint = g.footprint(Math.max(0, a - 1), Math.min(n, b + 1))!;
      expect(window.y).toBeLessThanOrEqual(footprint.rows[0]);
      expect(window.y + window.height).toBeGreaterThanOrEqual(Math.min(h, footprint.rows[1] + 1));
    }
    expect(shapes.size).toBeLessThanOrEqual(8);
    expect(modelWindow(new SliceGeometry({ shape: [64, 64, 64], axis: 'z' }), 3, 9, OPTIONS)).toEqual({ y: 0, x: 0, height: 64, width: 64, whole: true });
  });

  it('keeps the margin asked for, within the padded slice', () => {
    const g = new SliceGeometry({ shape: [128, 128, 128], axis: 'zy+' });
    const narrow = modelWindow(g, 10, 12, OPTIONS)!;
    const wide = modelWindow(g, 10, 12, { ...OPTIONS, margin: 40 })!;
    expect(wide.height).toBeGreaterThan(narrow.height);
    expect(wide.y + wide.height).toBeLessThanOrEqual(192);
  });

  it('is undefined for slices that miss the volume', () => {
    const g = new SliceGeometry({ shape: [4, 4, 4], axis: 'zy+' });
    const n = g.stackShape[0];
    expect(Array.from({ length: n }, (_, k) => modelWindow(g, k, k + 1, OPTIONS) !== undefined)).toContain(true);
  });
});

describe('copyWindow and scatterWindow', () => {
  it('cut a window out of slices (fill beyond them) and put values back in place, 0 elsewhere', () => {
    const [count, h, w] = [2, 5, 6];
    const slices = Float32Array.from({ length: count * h * w }, (_, p) => p);
    const window: ModelWindow = { y: 3, x: 2, height: 4, width: 6, whole: false };
    const cut = new Float32Array(count * 4 * 6);
    copyWindow(slices, count, h, w, window, cut, -1);
    expect(Array.from(cut.subarray(0, 6))).toEqual([20, 21, 22, 23, -1, -1]);
    expect(Array.from(cut.subarray(12, 18))).toEqual([-1, -1, -1, -1, -1, -1]); // row 5 is past the slice
    expect(cut[24]).toBe(30 + 20);
    const C = 2;
    const values = Float32Array.from({ length: count * C * 4 * 6 }, (_, p) => p + 1);
    const out = new Float32Array(count * C * h * w).fill(7);
    scatterWindow(values, count, C, window, out, 0, h, w);
    expect(out[3 * w + 2]).toBe(1);
    expect(out[4 * w + 5]).toBe(1 + 6 + 3);
    expect(out[(1 * h + 3) * w + 2]).toBe(1 + 24); // channel 1
    expect(out[0]).toBe(0);
    expect(out.filter(v => v !== 0).length).toBe(count * C * 2 * 4);
  });
});

/** Whether pixel (i, j) is inside `window`. */
function inside(window: ModelWindow, i: number, j: number): boolean {
  return i >= window.y && i < window.y + window.height && j >= window.x && j < window.x + window.width;
}


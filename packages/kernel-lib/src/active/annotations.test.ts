import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { ActiveLearningError } from '../errors';
import { UNLABELLED, voxelOf } from '../protocol';
import { AnnotationStore } from './annotations';

const shape = [4, 5, 6] as const;

describe('AnnotationStore', () => {
  it('replays strokes onto the label volume, 255 where nobody annotated', () => {
    const store = new AnnotationStore({ shape, classes: 4 });
    store.paint({ user: 'ana', axis: 'z', slice: 1, label: 3, pixels: [7, 8, 9] });
    store.paint({ user: 'ana', axis: 'x', slice: 2, label: 1, runs: [0, 5] }); // row 0 of the x-slice: z = 0, y = 0..4
    const labels = store.labels();
    expect(labels[voxelOf(shape, 'z', 1, 1, 1)]).toBe(3);
    expect(labels[voxelOf(shape, 'x', 2, 0, 4)]).toBe(1);
    expect(labels.filter(v => v !== UNLABELLED).length).toBe(8);
    expect(store.annotatedSlices()).toEqual([
      { axis: 'z', index: 1, voxels: 3 },
      { axis: 'x', index: 2, voxels: 6 } // its own 5, and the z-stroke's voxel (z 1, y 1, x 2)
    ]);
  });

  it('later operations win, and label 255 erases', () => {
    const store = new AnnotationStore({ shape, classes: 4 });
    store.paint({ axis: 'y', slice: 0, label: 2, runs: [0, 6] });
    store.paint({ axis: 'y', slice: 0, label: 1, runs: [2, 2] });
    store.paint({ axis: 'y', slice: 0, label: 255, runs: [5, 1] });
    expect(Array.from({ length: 6 }, (_, j) => store.labels()[voxelOf(shape, 'y', 0, 0, j)])).toEqual([2, 2, 1, 1, 2, 255]);
  });

  it('undo and redo are per user', () => {
    const store = new AnnotationStore({ shape, classes: 4 });
    store.paint({ user: 'ana', axis: 'z', slice: 0, label: 1, pixels: [0] });
    store.paint({ user: 'ben', axis: 'z', slice: 0, label: 2, pixels: [1] });
    store.paint({ user: 'ana', axis: 'z', slice: 0, label: 3, pixels: [2] });
    expect(store.undo('ana')).toBe(true);
    const at = (p: number) => store.labels()[p];
    expect([at(0), at(1), at(2)]).toEqual([1, 2, 255]);
    expect(store.undo('ana')).toBe(true);
    expect([at(0), at(1), at(2)]).toEqual([255, 2, 255]);
    expect(store.undo('ana')).toBe(false);
    expect(store.redo('ana')).toBe(true);
    expect([at(0), at(1), at(2)]).toEqual([1, 2, 255]);
    expect(store.undo('ben')).toBe(true);
    expect([at(0), at(1), at(2)]).toEqual([1, 255, 255]);
  });

  it('two replicas exchanging Yjs updates converge to the same labels', () => {
    const a = new AnnotationStore({ shape, classes: 4 });
    const b = new AnnotationStore({ shape, classes: 4 });
    a.onUpdate((u, origin) => origin !== 'remote' && b.applyUpdate(u));
    b.onUpdate((u, origin) => origin !== 'remote' && a.applyUpdate(u));
    a.paint({ user: 'ana', axis: 'z', slice: 2, label: 1, runs: [0, 30] });
    b.paint({ user: 'ben', axis: 'z', slice: 2, label: 2, runs: [10, 5] });
    a.undo('ana');
    expect(Array.from(a.labels())).toEqual(Array.from(b.labels()));
    expect(a.labels().filter(v => v === 2).length).toBe(5);
  });

  it('sets a whole slice from a label image in one undo step; 255 pixels stay as they were', () => {
    const store = new AnnotationStore({ shape, classes: 4 });
    const image = new Uint8Array(5 * 6).fill(0);
    image[3] = 2;
    image[4] = 255;
    store.setSlice('z', 3, image, 'ana');
    expect(store.labels()[voxelOf(shape, 'z', 3, 0, 3)]).toBe(2);
    expect(store.labels()[voxelOf(shape, 'z', 3, 0, 4)]).toBe(255);
    store.undo('ana');
    expect(store.annotatedSlices()).toEqual([]);
    expect(() => store.setSlice('z', 3, new Uint8Array(7))).toThrow(/has 7 pixels; slice 3 along z is 5 x 6/);
    expect(() => store.setSlice('z', 3, new Uint8Array(30).fill(9))).toThrow(ActiveLearningError);
  });

  it('refuses strokes outside the slice, bad labels and bad axes', () => {
    const store = new AnnotationStore({ shape, classes: 4 });
    expect(() => store.paint({ axis: 'z', slice: 0, label: 1, runs: [28, 3] })).toThrow(/leaves slice 0 along z/);
    expect(() => store.paint({ axis: 'z', slice: 9, label: 1, runs: [0, 1] })).toThrow(/outside axis z/);
    expect(() => store.paint({ axis: 'z', slice: 0, label: 7, runs: [0, 1] })).toThrow(/label must be 0..3/);
    expect(() => store.paint({ axis: 'q' as never, slice: 0, label: 1, runs: [0, 1] })).toThrow(ActiveLearningError);
  });

  it('persists every update to .annot.yjs and survives a record cut short by a crash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdlma-annot-'));
    try {
      const path = join(dir, 'scan.annot.yjs');
      const store = new AnnotationStore({ shape, classes: 4, persist: path });
      store.paint({ user: 'ana', axis: 'z', slice: 0, label: 1, runs: [0, 4] });
      store.paint({ user: 'ana', axis: 'z', slice: 1, label: 2, runs: [0, 4] });
      appendFileSync(path, Buffer.from([200, 0, 0, 0, 1, 2])); // a half-written record
      const again = AnnotationStore.load(path, { shape, classes: 4 });
      expect(Array.from(again.labels())).toEqual(Array.from(store.labels()));
      expect(readFileSync(path).length).toBeGreaterThan(8);
      writeFileSync(path, '');
      expect(AnnotationStore.load(path, { shape, classes: 4 }).annotatedSlices()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { UNLABELLED } from '@mdlma/kernel/protocol';

import { drawingFromLabels, editsFromDrawing, labelOfPen, niftiSlice, niivueIndex, penValueOf } from './drawing-bitmap';

describe('drawing bitmap (the niivue editor)', () => {
  const rows = 3, cols = 4;

  it('maps labels to pen values and back: unlabelled is niivue 0, label l is l + 1', () => {
    expect([UNLABELLED, 0, 1, 3].map(penValueOf)).toEqual([0, 1, 2, 4]);
    expect([0, 1, 2, 4].map(labelOfPen)).toEqual([UNLABELLED, 0, 1, 3]);
  });

  it('flips rows so that slice row 0 is niivue row rows-1 (the top of the axial view)', () => {
    expect(niivueIndex(0, rows, cols)).toBe(8);
    expect(niivueIndex(5, rows, cols)).toBe(5);
    expect(niivueIndex(niivueIndex(9, rows, cols), rows, cols)).toBe(9);
    const labels = new Uint8Array(rows * cols).fill(UNLABELLED);
    labels[1] = 2; // row 0, col 1
    const drawing = drawingFromLabels(labels, rows, cols);
    expect(Array.from(drawing)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0]);
    expect(editsFromDrawing(drawing, labels, rows, cols)).toEqual([]);
  });

  it('finds what a stroke changed, per new label, as runs in slice pixels', () => {
    const labels = new Uint8Array(rows * cols).fill(UNLABELLED);
    labels[4] = 1;
    const drawing = drawingFromLabels(labels, rows, cols);
    // Paint label 2 over slice row 2 (niivue row 0), erase the label-1 pixel (slice row 1, col 0).
    drawing.fill(3, 0, 4);
    drawing[niivueIndex(4, rows, cols)] = 0;
    expect(editsFromDrawing(drawing, labels, rows, cols)).toEqual([
      { label: UNLABELLED, runs: [4, 1] },
      { label: 2, runs: [8, 4] }
    ]);
  });

  it('writes a NIfTI-1 header niivue reads: dims [cols, rows, 1], datatype, identity sform, rows flipped', () => {
    const image = Float32Array.from({ length: rows * cols }, (_, p) => p);
    const bytes = niftiSlice(image, rows, cols);
    const view = new DataView(bytes);
    expect(view.getInt32(0, true)).toBe(348);
    expect([0, 1, 2, 3].map(k => view.getInt16(40 + 2 * k, true))).toEqual([3, cols, rows, 1]);
    expect(view.getInt16(70, true)).toBe(16);
    expect(view.getFloat32(108, true)).toBe(352);
    expect(String.fromCharCode(...new Uint8Array(bytes, 344, 3))).toBe('n+1');
    expect(Array.from(new Float32Array(bytes, 352))).toEqual([8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3]);
    const labels = niftiSlice(new Uint8Array(rows * cols).fill(7), rows, cols);
    expect(new DataView(labels).getInt16(70, true)).toBe(2);
    expect(labels.byteLength).toBe(352 + rows * cols);
  });
});

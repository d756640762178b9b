import { runPixelCount, UNLABELLED } from '@mdlma/kernel/protocol';

import { AnnotationDoc } from './annotation-doc';
import { floodFillMask, floodFillRuns } from './flood-fill';

/**
 * A 7 x 9 slice: a ring of label 1 encloses a 3 x 3 unlabelled hole (rows 2-4, cols 2-4); a second, open area of
 * label 2 sits at the right; the rest is unlabelled and reaches the border.
 */
function slice(): { labels: Uint8Array; rows: number; cols: number } {
  const rows = 7, cols = 9;
  const labels = new Uint8Array(rows * cols).fill(UNLABELLED);
  for (let r = 1; r <= 5; r++) for (let c = 1; c <= 5; c++) if (r === 1 || r === 5 || c === 1 || c === 5) labels[r * cols + c] = 1;
  for (let r = 0; r < rows; r++) labels[r * cols + 7] = 2;
  return { labels, rows, cols };
}

const pixels = (mask: Uint8Array, cols: number) => Array.from(mask).flatMap((v, p) => (v ? [[Math.floor(p / cols), p % cols]] : []));

describe('floodFillMask', () => {
  it('fills the enclosed unlabelled hole and stops at the ring (4-connected: no leak through corners)', () => {
    const { labels, rows, cols } = slice();
    // Open one corner of the ring diagonally only: a 4-connected fill must not pass.
    labels[1 * cols + 1] = UNLABELLED;
    const mask = floodFillMask(labels, rows, cols, [3, 3]);
    expect(pixels(mask, cols)).toEqual([[2, 2], [2, 3], [2, 4], [3, 2], [3, 3], [3, 4], [4, 2], [4, 3], [4, 4]]);
  });

  it('fills a labelled region with its own value, and the outside up to other labels', () => {
    const { labels, rows, cols } = slice();
    const ring = floodFillMask(labels, rows, cols, [1, 3]);
    expect(ring.reduce((a, b) => a + b, 0)).toBe(16);
    expect(Array.from(ring).every((v, p) => !v || labels[p] === 1)).toBe(true);
    const outside = floodFillMask(labels, rows, cols, [0, 0]);
    // Unlabelled pixels outside the ring and left of the label-2 column (col 8 is cut off by it).
    expect(outside.reduce((a, b) => a + b, 0)).toBe(7 * 7 - 25);
    expect(outside[3 * cols + 8]).toBe(0);
    expect(outside[3 * cols + 3]).toBe(0);
  });

  it('gives nothing outside the slice, and nothing when the region already has the label', () => {
    const { labels, rows, cols } = slice();
    expect(floodFillMask(labels, rows, cols, [-1, 3]).some(v => v)).toBe(false);
    expect(floodFillRuns(labels, rows, cols, [3, 7], 2)).toEqual([]);
    expect(floodFillRuns(labels, rows, cols, [3, 3], 3)).toEqual([20, 3, 29, 3, 38, 3]);
  });

  it('goes into the document as one operation on its slice only: one undo step', () => {
    const { labels, rows, cols } = slice();
    const doc = new AnnotationDoc({ shape: [3, rows, cols], user: 'ana', send: () => undefined, delayMs: 0 });
    doc.paintSlice('z', 1, labels);
    doc.paintSlice('z', 2, labels);
    const before = Array.from(doc.sliceLabels('z', 2));
    const runs = floodFillRuns(doc.sliceLabels('z', 1), rows, cols, [3, 3], 3);
    expect(runPixelCount(runs)).toBe(9);
    const opsBefore = doc.ops.length;
    doc.paint('z', 1, 3, runs);
    expect(doc.ops.length).toBe(opsBefore + 1);
    expect(doc.sliceLabels('z', 1).filter(v => v === 3).length).toBe(9);
    expect(Array.from(doc.sliceLabels('z', 2))).toEqual(before);
    expect(doc.sliceLabels('z', 0).every(v => v === UNLABELLED)).toBe(true);
    doc.undo();
    expect(doc.sliceLabels('z', 1).filter(v => v === 3).length).toBe(0);
    expect(Array.from(doc.sliceLabels('z', 1))).toEqual(Array.from(labels));
    doc.dispose();
  });
});

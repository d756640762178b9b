/**
 * The fill tool's flood fill: from a clicked pixel of a slice, the 4-connected region of pixels whose annotation
 * value equals the clicked pixel's (unlabelled, 255, counts as a value like any label), as the run-length pixels the
 * annotation document stores ([start, length, ...], row-major in the slice's [rows, cols]). Only pixels whose value
 * would change are returned, so filling a region with the label it already has is an empty edit.
 *
 * @example
 * const labels = doc.sliceLabels('z', 20);                  // rows x cols, 255 where unlabelled
 * const runs = floodFillRuns(labels, rows, cols, [12, 30], 2);
 * doc.paint('z', 20, 2, runs);                              // one operation: one undo step
 */
import { runsOfMask } from '@mdlma/kernel/protocol';

/**
 * The 4-connected region of `labels` (rows x cols) around `[row, col]` with that pixel's value, as a mask (1 inside).
 * A point outside the slice gives an empty mask.
 */
export function floodFillMask(labels: ArrayLike<number>, rows: number, cols: number, seed: readonly [number, number]): Uint8Array {
  if (labels.length !== rows * cols) throw new RangeError(`labels has ${labels.length} pixels, not ${rows} x ${cols}`);
  const mask = new Uint8Array(rows * cols);
  const r0 = Math.floor(seed[0]);
  const c0 = Math.floor(seed[1]);
  if (!(r0 >= 0 && r0 < rows && c0 >= 0 && c0 < cols)) return mask;
  const value = labels[r0 * cols + c0];
  // Scanline fill: each popped pixel grows to its whole horizontal span, then seeds the rows above and below.
  const stack: number[] = [r0 * cols + c0];
  while (stack.length) {
    const p = stack.pop()!;
    if (mask[p]) continue;
    const row = Math.floor(p / cols);
    const start = row * cols;
    let left = p;
    while (left > start && !mask[left - 1] && labels[left - 1] === value) left--;
    let right = p;
    while (right < start + cols - 1 && !mask[right + 1] && labels[right + 1] === value) right++;
    for (let q = left; q <= right; q++) mask[q] = 1;
    for (const next of [row - 1, row + 1]) {
      if (next < 0 || next >= rows) continue;
      const offset = (next - row) * cols;
      let inSpan = false;
      for (let q = left; q <= right; q++) {
        const n = q + offset;
        const fits = !mask[n] && labels[n] === value;
        if (fits && !inSpan) stack.push(n);
        inSpan = fits;
      }
    }
  }
  return mask;
}

/**
 * Run-length pixels of the fill from `seed` with `label` (255 erases): the region of the seed's value, or nothing
 * when that value already is `label`.
 */
export function floodFillRuns(labels: ArrayLike<number>, rows: number, cols: number, seed: readonly [number, number], label: number): number[] {
  const r = Math.floor(seed[0]);
  const c = Math.floor(seed[1]);
  if (!(r >= 0 && r < rows && c >= 0 && c < cols) || labels[r * cols + c] === label) return [];
  return runsOfMask(floodFillMask(labels, rows, cols, seed));
}

/**
 * Pixel runs, how an annotation operation stores the pixels it paints: [start, length, start, length, ...] of pixel
 * indices in one slice (row-major in its [rows, cols], see planes.ts), starts increasing, runs not touching. The
 * kernel's annotation store, the panel's replica, its brush, fill and niivue editor all encode and decode with these.
 *
 * @example
 * runsWhere([0, 1, 1, 0, 1], v => v === 1);           // [1, 2, 4, 1]
 * runsFromPixels([7, 3, 4, 4]);                       // [3, 2, 7, 1]
 * fillRuns(new Uint8Array(6), [1, 2, 4, 1], 5);       // [0, 5, 5, 0, 5, 0]
 * runPixelCount([1, 2, 4, 1]);                        // 3
 */

/** Runs of the pixels whose value passes `test`. */
export function runsWhere(values: ArrayLike<number>, test: (value: number) => boolean): number[] {
  const runs: number[] = [];
  for (let p = 0; p < values.length; p++) if (test(values[p])) Private.extend(runs, p);
  return runs;
}

/** Runs of the non-zero pixels of `mask`. */
export function runsOfMask(mask: ArrayLike<number>): number[] {
  return runsWhere(mask, v => v !== 0);
}

/**
 * Runs per value of `count` pixels, in the order values first appear: `valueAt(p)` is pixel p's value, or undefined
 * for a pixel that belongs to no run (e.g. unlabelled, or unchanged).
 */
export function runsByValue(count: number, valueAt: (pixel: number) => number | undefined): Map<number, number[]> {
  const byValue = new Map<number, number[]>();
  for (let p = 0; p < count; p++) {
    const value = valueAt(p);
    if (value === undefined) continue;
    let runs = byValue.get(value);
    if (!runs) byValue.set(value, (runs = []));
    Private.extend(runs, p);
  }
  return byValue;
}

/** Runs of a list of pixel indices (any order, duplicates allowed). */
export function runsFromPixels(pixels: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(pixels).sort();
  const runs: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) Private.extend(runs, sorted[i]);
  return runs;
}

/** Calls `visit` with every pixel index the runs cover, in order. */
export function forEachRunPixel(runs: ArrayLike<number>, visit: (pixel: number) => void): void {
  for (let r = 0; r + 1 < runs.length; r += 2) for (let p = runs[r], end = p + runs[r + 1]; p < end; p++) visit(p);
}

/** Sets the pixels the runs cover in `target` (a slice, row-major) to `value`; returns `target`. */
export function fillRuns<T extends Uint8Array | number[]>(target: T, runs: ArrayLike<number>, value: number): T {
  for (let r = 0; r + 1 < runs.length; r += 2) target.fill(value, runs[r], runs[r] + runs[r + 1]);
  return target;
}

/** Number of pixels the runs cover. */
export function runPixelCount(runs: ArrayLike<number>): number {
  let n = 0;
  for (let r = 1; r < runs.length; r += 2) n += runs[r];
  return n;
}

namespace Private {
  /** Adds pixel p (beyond every pixel already in `runs`) to the last run, or starts a new one. */
  export function extend(runs: number[], p: number): void {
    const n = runs.length;
    if (n && runs[n - 2] + runs[n - 1] === p) runs[n - 1]++;
    else runs.push(p, 1);
  }
}

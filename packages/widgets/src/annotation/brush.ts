/**
 * The round brush: a stroke (the pointer's path in slice pixel coordinates) stamped with a disc of the chosen
 * diameter into a mask of the slice's [rows, cols], which `runsOfMask` (`@mdlma/kernel/protocol`) turns into the
 * pixel runs the annotation document stores. The path is sampled every half pixel so that fast pointer moves leave no gaps. The niivue editor
 * paints with the same disc (niivue 0.69's own pen is a square).
 *
 * @example
 * const mask = new Uint8Array(64 * 64);
 * stampPath(mask, 64, 64, [[10, 10], [10, 30]], 5);   // a 5-pixel-wide horizontal line
 * runsOfMask(mask);                                    // [650, 21, ...]
 */

/** A point of a stroke: [row, col] in slice pixels (fractions allowed: pixel centres are at .5). */
export type StrokePoint = [number, number];

/** Smallest and largest brush diameter in pixels. */
export const BRUSH_SIZES = { min: 1, max: 40 } as const;

/** Sets to 1 every pixel of `mask` (rows x cols) within the brush disc along `path`; returns how many became 1. */
export function stampPath(mask: Uint8Array, rows: number, cols: number, path: readonly StrokePoint[], diameter: number): number {
  if (mask.length !== rows * cols) throw new RangeError(`mask has ${mask.length} pixels, not ${rows} x ${cols}`);
  let added = 0;
  forEachBrushPixel(rows, cols, path, diameter, p => {
    if (mask[p]) return;
    mask[p] = 1;
    added++;
  });
  return added;
}

/**
 * Calls `visit` with the index (row * cols + col) of every pixel within the brush disc along `path` (a pixel may
 * come more than once where discs overlap): what `stampPath` marks, for painting into any bitmap (the niivue
 * editor's drawing, whose pen is square).
 */
export function forEachBrushPixel(rows: number, cols: number, path: readonly StrokePoint[], diameter: number, visit: (p: number) => void): void {
  const size = Math.min(BRUSH_SIZES.max, Math.max(BRUSH_SIZES.min, Math.round(diameter)));
  const stamp = (r: number, c: number) => {
    // The disc covers the pixels whose centres lie within size/2 of the point; size 1 is the pixel under it.
    const radius = size / 2;
    const r0 = Math.max(0, Math.floor(r - radius)), r1 = Math.min(rows - 1, Math.floor(r + radius));
    const c0 = Math.max(0, Math.floor(c - radius)), c1 = Math.min(cols - 1, Math.floor(c + radius));
    for (let i = r0; i <= r1; i++) {
      for (let j = c0; j <= c1; j++) {
        const inside = size === 1 ? i === Math.floor(r) && j === Math.floor(c) : (i + 0.5 - r) ** 2 + (j + 0.5 - c) ** 2 <= radius * radius;
        if (inside) visit(i * cols + j);
      }
    }
  };
  if (path.length) stamp(path[0][0], path[0][1]);
  for (let k = 1; k < path.length; k++) {
    const [ra, ca] = path[k - 1];
    const [rb, cb] = path[k];
    const steps = Math.max(1, Math.ceil(Math.hypot(rb - ra, cb - ca) * 2));
    for (let s = 1; s <= steps; s++) stamp(ra + ((rb - ra) * s) / steps, ca + ((cb - ca) * s) / steps);
  }
}

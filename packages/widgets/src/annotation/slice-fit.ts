/**
 * The size of the slice editor's stage: the largest box of the slice's aspect that fits the space the panel gives it,
 * in whole CSS pixels (so that the canvas's drawing buffer, `width × devicePixelRatio`, covers exactly the box the
 * pointer is mapped on). Before the panel is laid out (hidden, or in a test without layout) the slice is shown at a
 * whole-number zoom of at most 512 px a side.
 *
 * @example
 * fitSlice(48, 48, 305, 400); // [305, 305]
 * fitSlice(48, 96, 0, 0);     // [480, 240]: not laid out, natural size
 */

/** Width and height in CSS pixels of a slice of `rows × cols` pixels shown in a `width × height` space. */
export function fitSlice(rows: number, cols: number, width: number, height: number): [number, number] {
  if (!(width > 0 && height > 0)) return Private.natural(rows, cols);
  const scale = Math.min(width / cols, height / rows);
  return [Math.max(1, Math.floor(cols * scale)), Math.max(1, Math.floor(rows * scale))];
}

namespace Private {
  /** The most a side is shown at before layout (the panel's size before it followed its space). */
  const NATURAL_SIDE = 512;

  /** The slice at a whole-number zoom of at most NATURAL_SIDE px a side (at least 1x). */
  export function natural(rows: number, cols: number): [number, number] {
    const zoom = Math.max(1, Math.floor(Math.min(NATURAL_SIDE / cols, NATURAL_SIDE / rows)));
    return [cols * zoom, rows * zoom];
  }
}

/**
 * The part of a slice (or of a run of slices) the model runs on. Half of a 45-degree stack of a box lies outside the
 * box, where the model would only see fill; the window is the slices' in-volume footprint (with the neighbouring slices and one pixel
 * that back-projection's interpolation reads), widened by a margin for the model's receptive field, its origin on the
 * model's multiple (so the network's pooling grid stays where it is on the whole slice) and its size rounded up to a
 * bucket (so ONNX Runtime sees few distinct input shapes). A window that would cover the slice is the whole slice.
 *
 * @example
 * const window = modelWindow(geometry, 40, 48, { tile: [256, 256], multiple: 16, margin: 16, bucket: 32 });
 * copyWindow(slices, 8, h, w, window, windowed, fill);        // [8, window.height, window.width]
 * scatterWindow(windowProbs, 8, C, window, probs, 0, h, w);    // back into [8, C, h, w], 0 outside
 */
import type { SliceGeometry } from '../volume';

/** Rows [y, y + height) and columns [x, x + width) of every slice of a batch; it may reach past the slice (fill). */
export interface ModelWindow {
  y: number;
  x: number;
  height: number;
  width: number;
  /** Whether the window is the whole slice (the model runs on the slice itself). */
  whole: boolean;
}

/** The window of slices [k0, k1) of `geometry`'s stack; undefined when none of them meets the volume. */
export function modelWindow(geometry: SliceGeometry, k0: number, k1: number, options: modelWindow.IOptions): ModelWindow | undefined {
  const [n, h, w] = geometry.stackShape;
  // Voxels back-projected from slice k lie between slices k - 1 and k + 1.
  const footprint = geometry.footprint(Math.max(0, k0 - 1), Math.min(n, k1 + 1));
  if (!footprint) return undefined;
  const [y, height] = Private.span(footprint.rows, h, options.tile[0], options);
  const [x, width] = Private.span(footprint.cols, w, options.tile[1], options);
  const whole = y === 0 && x === 0 && height === h && width === w;
  return { y, x, height, width, whole };
}

export namespace modelWindow {
  /** How windows are drawn. */
  export interface IOptions {
    /** The model card's tile [h, w]: a window no larger is one model input. */
    tile: readonly [number, number];
    /** The model card's multiple: window origins and sizes are multiples of it. */
    multiple: number;
    /** Pixels of context beyond the footprint (outside the volume: fill), for the receptive field. */
    margin: number;
    /** Window sizes up to the tile are rounded up to a multiple of this (a multiple of `multiple`). */
    bucket: number;
  }
}

/** Copies `window` of `count` slices [count, h, w] into `out` [count, window.height, window.width]; `fill` beyond the slice. */
export function copyWindow(slices: Float32Array, count: number, h: number, w: number, window: ModelWindow, out: Float32Array, fill: number): void {
  const { y, x, height, width } = window;
  const cols = Math.min(width, w - x);
  for (let s = 0; s < count; s++) {
    for (let i = 0; i < height; i++) {
      const o = (s * height + i) * width;
      if (y + i >= h) {
        out.fill(fill, o, o + width);
        continue;
      }
      const from = (s * h + y + i) * w + x;
      out.set(slices.subarray(from, from + cols), o);
      if (cols < width) out.fill(fill, o + cols, o + width);
    }
  }
}

/**
 * Writes the window's C-channel values [count, C, window.height, window.width] into whole slices [count, C, h, w] at
 * `out[offset..]`, and 0 outside the window (pixels no in-volume voxel reads).
 */
export function scatterWindow(values: Float32Array, count: number, channels: number, window: ModelWindow, out: Float32Array, offset: number, h: number, w: number): void {
  const { y, x, height, width } = window;
  const rows = Math.min(height, h - y);
  const cols = Math.min(width, w - x);
  out.fill(0, offset, offset + count * channels * h * w);
  for (let p = 0; p < count * channels; p++) {
    for (let i = 0; i < rows; i++) {
      const from = (p * height + i) * width;
      out.set(values.subarray(from, from + cols), offset + (p * h + y + i) * w + x);
    }
  }
}

namespace Private {
  /** Origin and size along one slice dimension of length `n` for the footprint range [lo, hi). */
  export function span([lo, hi]: [number, number], n: number, tile: number, o: modelWindow.IOptions): [number, number] {
    const from = Math.max(0, lo - 1 - o.margin);
    const to = Math.min(n, hi + 1 + o.margin);
    const padded = Math.ceil(n / o.multiple) * o.multiple; // what the whole slice is padded to
    let start = Math.floor(from / o.multiple) * o.multiple;
    let size = to - start;
    if (size > tile) {
      // Tiled like a whole slice of that size; no rounding (tiles are the card's size).
      return start === 0 && to === n ? [0, n] : [start, size];
    }
    size = Math.ceil(size / o.bucket) * o.bucket;
    if (n <= tile && size >= padded) return [0, n];
    if (start + size > padded) start = Math.max(0, padded - size);
    return [start, size];
  }
}

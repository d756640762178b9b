/**
 * Tiling a slice for a model with a fixed tile size: slices no larger than the tile are padded
 * up to the model's multiple (one tile); larger ones are covered by tiles overlapping by half a
 * tile (nnU-Net's sliding-window step 0.5) whose probabilities are blended with a Gaussian
 * importance map (sigma = tile / 8, nnU-Net's default), so that tile borders do not show.
 *
 * @example
 * const plan = new TilePlan({ height: 363, width: 256, tile: [256, 256], multiple: 16 });
 * plan.tiles.length;          // 2: rows 0-255 and 107-362
 * plan.extract(slice, 0, tileBuffer, 0, fill);
 * plan.blend(probs, 0, C, sliceProbs);         // after every tile of the slice: plan.finish(sliceProbs, C)
 */
const { ceil, exp, round } = Math;

/** One tile of a slice: its top-left corner in the slice. */
export interface Tile {
  y: number;
  x: number;
}

/** Where the tiles of an h x w slice go, and how their outputs are blended back. */
export class TilePlan {
  constructor(options: TilePlan.IOptions) {
    const { height, width, multiple } = options;
    this.height = height;
    this.width = width;
    const [rows, rowSize] = Private.positions(height, options.tile[0], multiple);
    const [cols, colSize] = Private.positions(width, options.tile[1], multiple);
    this.tileHeight = rowSize;
    this.tileWidth = colSize;
    this.tiles = rows.flatMap(y => cols.map(x => ({ y, x })));
    this.direct = this.tiles.length === 1 && rowSize === height && colSize === width;
    // 1D importance per axis; an axis covered by one tile needs no weighting.
    const wy = rows.length > 1 ? Private.gaussian(rowSize) : new Float32Array(rowSize).fill(1);
    const wx = cols.length > 1 ? Private.gaussian(colSize) : new Float32Array(colSize).fill(1);
    this.weights = new Float32Array(rowSize * colSize);
    for (let i = 0; i < rowSize; i++) for (let j = 0; j < colSize; j++) this.weights[i * colSize + j] = wy[i] * wx[j];
    if (this.tiles.length > 1) {
      const sum = new Float32Array(height * width);
      for (const t of this.tiles) {
        for (let i = 0; i < rowSize && t.y + i < height; i++) {
          for (let j = 0; j < colSize && t.x + j < width; j++) sum[(t.y + i) * width + t.x + j] += this.weights[i * colSize + j];
        }
      }
      this._inverseWeightSum = sum.map(s => 1 / s);
    }
  }

  /** Slice height and width. */
  readonly height: number;
  readonly width: number;
  /** Size of every tile (a multiple of the model's multiple). */
  readonly tileHeight: number;
  readonly tileWidth: number;
  /** Tile corners, row-major. */
  readonly tiles: readonly Tile[];
  /** Whether the slice is its own single tile (no copy, no padding, no blending needed). */
  readonly direct: boolean;
  /** Gaussian importance of each tile pixel. */
  readonly weights: Float32Array;

  /** Pixels of one tile. */
  get tilePixels(): number {
    return this.tileHeight * this.tileWidth;
  }

  /** Copies tile `t` of the slice at `slice[sliceOffset..]` into `out[outOffset..]`, `fill` beyond the slice. */
  extract(slice: Float32Array, sliceOffset: number, t: number, out: Float32Array, outOffset: number, fill: number): void {
    const { y, x } = this.tiles[t];
    const th = this.tileHeight;
    const tw = this.tileWidth;
    const w = this.width;
    const cols = Math.min(tw, w - x);
    for (let i = 0; i < th; i++) {
      const o = outOffset + i * tw;
      if (y + i >= this.height) {
        out.fill(fill, o, o + tw);
        continue;
      }
      const from = sliceOffset + (y + i) * w + x;
      out.set(slice.subarray(from, from + cols), o);
      if (cols < tw) out.fill(fill, o + cols, o + tw);
    }
  }

  /**
   * Adds tile `t`'s C-channel probabilities (`probs[probsOffset..]`, [C, th, tw]) into the
   * slice's [C, h, w] at `out[outOffset..]`: weighted when tiles overlap, copied otherwise.
   */
  blend(probs: Float32Array, probsOffset: number, t: number, channels: number, out: Float32Array, outOffset: number): void {
    const { y, x } = this.tiles[t];
    const th = this.tileHeight;
    const tw = this.tileWidth;
    const h = this.height;
    const w = this.width;
    const rows = Math.min(th, h - y);
    const cols = Math.min(tw, w - x);
    const weighted = this.tiles.length > 1;
    const wt = this.weights;
    for (let c = 0; c < channels; c++) {
      const src = probsOffset + c * th * tw;
      const dst = outOffset + c * h * w;
      for (let i = 0; i < rows; i++) {
        const s = src + i * tw;
        const d = dst + (y + i) * w + x;
        if (!weighted) {
          out.set(probs.subarray(s, s + cols), d);
          continue;
        }
        const wr = i * tw;
        for (let j = 0; j < cols; j++) out[d + j] += wt[wr + j] * probs[s + j];
      }
    }
  }

  /** Divides a blended slice [C, h, w] by the summed weights (no-op for a single tile). */
  finish(out: Float32Array, outOffset: number, channels: number): void {
    const inv = this._inverseWeightSum;
    if (!inv) return;
    const plane = this.height * this.width;
    for (let c = 0; c < channels; c++) {
      const d = outOffset + c * plane;
      for (let p = 0; p < plane; p++) out[d + p] *= inv[p];
    }
  }

  private readonly _inverseWeightSum?: Float32Array;
}

export namespace TilePlan {
  /** Options of the TilePlan constructor. */
  export interface IOptions {
    height: number;
    width: number;
    /** The card's tile [h, w]. */
    tile: readonly [number, number];
    /** The card's multiple. */
    multiple: number;
  }
}

namespace Private {
  /** Tile origins along one axis of length d and the tile length used there. */
  export function positions(d: number, tile: number, multiple: number): [number[], number] {
    if (d <= tile) return [[0], ceil(d / multiple) * multiple];
    // nnU-Net: step of half a tile, then origins spread evenly over [0, d - tile].
    const count = ceil((d - tile) / (tile * 0.5)) + 1;
    const last = d - tile;
    return [Array.from({ length: count }, (_, i) => round((i * last) / (count - 1))), tile];
  }

  /** A 1D Gaussian of length n, sigma n / 8, peak 1, floored at its smallest positive value (never 0). */
  export function gaussian(n: number): Float32Array {
    const sigma = n / 8;
    const c = (n - 1) / 2;
    const g = new Float32Array(n);
    for (let i = 0; i < n; i++) g[i] = exp(-((i - c) ** 2) / (2 * sigma * sigma));
    let min = Infinity;
    for (const v of g) if (v > 0 && v < min) min = v;
    for (let i = 0; i < n; i++) if (g[i] < min) g[i] = min;
    return g;
  }
}

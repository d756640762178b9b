/**
 * The 9 SUN slicing axes (DESIGN.md, "The 9 SUN axes") and the exact geometry of the slice
 * stack each one cuts from a [z, y, x] grid.
 *
 * A stack is the grid seen in a rotated frame: slice index k runs along the plane normal,
 * row i and column j along two in-plane unit vectors. Steps are one voxel in all three
 * directions, and the stack is centred on the grid, so it covers every voxel centre; for the
 * three orthogonal axes its samples fall exactly on voxel centres.
 *
 * Geometry is in voxel index units: with anisotropic spacing, "45°" is 45° in index space;
 * resample to isotropic spacing first if the physical angle matters.
 *
 * @example
 * for (const axis of axesFor(9)) {
 *   const g = new SliceGeometry({ shape: volume.shape, axis });
 *   console.log(axis, g.stackShape);          // e.g. 'zy+' [181, 181, 128] for a 128^3 grid
 * }
 */
import { VolumeRangeError, VolumeShapeError } from '../errors';
import { Volume, type Shape3 } from './volume';

/** The stable id of a SUN axis: three orthogonal, six diagonal (±45° about x, y or z). */
export type SunAxis = 'z' | 'y' | 'x' | 'zy+' | 'zy-' | 'zx+' | 'zx-' | 'yx+' | 'yx-';

/** All 9 axes in a stable order: the 3 orthogonal ones first. */
export const SUN_AXES: readonly SunAxis[] = ['z', 'y', 'x', 'zy+', 'zy-', 'zx+', 'zx-', 'yx+', 'yx-'];

/** The axes of a 1-, 3- or 9-axis SUN run. */
export function axesFor(count: 1 | 3 | 9): readonly SunAxis[] {
  if (count !== 1 && count !== 3 && count !== 9) {
    throw new VolumeRangeError(`SUN runs use 1, 3 or 9 axes, got ${count}`);
  }
  return SUN_AXES.slice(0, count);
}

/** Whether `axis` is one of the three grid-aligned axes (slices are exact, no interpolation). */
export function isOrthogonalAxis(axis: SunAxis): axis is 'z' | 'y' | 'x' {
  return axis === 'z' || axis === 'y' || axis === 'x';
}

/** A unit vector in (z, y, x) index space. */
export type Direction = readonly [number, number, number];

/** A [z, y, x] box of grid voxels, start inclusive and end exclusive. */
export interface GridBox {
  start: [number, number, number];
  end: [number, number, number];
}

/** Pixel ranges of a slice stack, start inclusive and end exclusive: rows i, columns j. */
export interface SliceFootprint {
  rows: [number, number];
  cols: [number, number];
}

/** The rotated frame of one SUN axis on one grid shape; maps stack (k, i, j) to grid (z, y, x) and back. */
export class SliceGeometry {
  constructor(options: SliceGeometry.IOptions) {
    Volume.checkShape(options.shape);
    if (!SUN_AXES.includes(options.axis)) {
      throw new VolumeShapeError(`Unknown SUN axis "${options.axis}"; use one of ${SUN_AXES.join(', ')}`);
    }
    this.axis = options.axis;
    this.gridShape = [...options.shape] as unknown as Shape3;
    [this.normal, this.row, this.column] = Private.frame(options.axis);
    const extent = (d: Direction) => {
      // Length of the grid's voxel-centre box projected on d, then enough unit steps to cover it.
      const e = d.reduce((sum, c, a) => sum + Math.abs(c) * (this.gridShape[a] - 1), 0);
      return Math.ceil(e - 1e-9) + 1;
    };
    this.stackShape = [extent(this.normal), extent(this.row), extent(this.column)];
    this.gridCentre = this.gridShape.map(n => (n - 1) / 2) as unknown as Direction;
    this.stackCentre = this.stackShape.map(n => (n - 1) / 2) as unknown as Direction;
  }

  /** The axis this frame belongs to. */
  readonly axis: SunAxis;
  /** [z, y, x] shape of the original grid. */
  readonly gridShape: Shape3;
  /** [n, h, w]: slices, rows, columns of the stack. */
  readonly stackShape: Shape3;
  /** Slice-plane normal (direction of k) in (z, y, x). */
  readonly normal: Direction;
  /** In-plane direction of rows (i) in (z, y, x). */
  readonly row: Direction;
  /** In-plane direction of columns (j) in (z, y, x). */
  readonly column: Direction;
  /** Grid position (z, y, x) of the stack's centre. */
  readonly gridCentre: Direction;
  /** Stack position (k, i, j) of the stack's centre. */
  readonly stackCentre: Direction;

  /** Whether slices are grid planes (exact, no interpolation). */
  get isOrthogonal(): boolean {
    return isOrthogonalAxis(this.axis);
  }

  /** Grid position (z, y, x) of stack position (k, i, j). */
  toGrid(k: number, i: number, j: number): [number, number, number] {
    const dk = k - this.stackCentre[0];
    const di = i - this.stackCentre[1];
    const dj = j - this.stackCentre[2];
    const [n, r, c, g] = [this.normal, this.row, this.column, this.gridCentre];
    return [0, 1, 2].map(a => g[a] + dk * n[a] + di * r[a] + dj * c[a]) as [number, number, number];
  }

  /** Stack position (k, i, j) of grid position (z, y, x): the exact inverse of `toGrid`. */
  toStack(z: number, y: number, x: number): [number, number, number] {
    const d = [z - this.gridCentre[0], y - this.gridCentre[1], x - this.gridCentre[2]];
    const dot = (u: Direction) => d[0] * u[0] + d[1] * u[1] + d[2] * u[2];
    const s = this.stackCentre;
    return [dot(this.normal) + s[0], dot(this.row) + s[1], dot(this.column) + s[2]];
  }

  /**
   * The grid box whose voxels trilinear sampling of slices k0 <= k < k1 reads: read that region
   * (for instance as a z-slab) and pass it to `sampleSlices` with its offset.
   */
  gridBoxForSlices(k0: number, k1: number): GridBox {
    this.checkSlices(k0, k1);
    const [, h, w] = this.stackShape;
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (const k of [k0, k1 - 1]) {
      for (const i of [0, h - 1]) {
        for (const j of [0, w - 1]) {
          const p = this.toGrid(k, i, j);
          for (let a = 0; a < 3; a++) {
            lo[a] = Math.min(lo[a], p[a]);
            hi[a] = Math.max(hi[a], p[a]);
          }
        }
      }
    }
    const g = this.gridShape;
    const start = lo.map((v, a) => Math.min(g[a] - 1, Math.max(0, Math.floor(v + 1e-6)))) as [number, number, number];
    const end = hi.map((v, a) => Math.max(1, Math.min(g[a], Math.floor(v - 1e-6) + 2))) as [number, number, number];
    return { start, end: end.map((e, a) => Math.max(e, start[a] + 1)) as [number, number, number] };
  }

  /**
   * The pixels of slices k0 <= k < k1 whose sample lies inside the grid (where `sampleSlices` writes no fill): their
   * bounding box as row range [i0, i1) and column range [j0, j1), or undefined when no slice meets the grid.
   * Exact: the box of the corners of the grid between the two planes and of its edges' crossings with them.
   */
  footprint(k0: number, k1: number): SliceFootprint | undefined {
    this.checkSlices(k0, k1);
    const [gz, gy, gx] = this.gridShape.map(n => n - 1);
    const corners = [0, 1, 2, 3, 4, 5, 6, 7].map(b => this.toStack(b & 4 ? gz : 0, b & 2 ? gy : 0, b & 1 ? gx : 0));
    const eps = 1e-6;
    const points = corners.filter(([k]) => k >= k0 - eps && k <= k1 - 1 + eps);
    for (let a = 0; a < 8; a++) {
      for (const bit of [1, 2, 4]) {
        if (a & bit) continue; // each edge once: from the corner without the bit to the corner with it
        const [p, q] = [corners[a], corners[a | bit]];
        for (const plane of [k0, k1 - 1]) {
          if ((p[0] - plane) * (q[0] - plane) < 0) {
            const t = (plane - p[0]) / (q[0] - p[0]);
            points.push([plane, p[1] + t * (q[1] - p[1]), p[2] + t * (q[2] - p[2])]);
          }
        }
      }
    }
    if (points.length === 0) return undefined;
    const [, h, w] = this.stackShape;
    const range = (axis: 1 | 2, n: number): [number, number] => {
      const values = points.map(pt => pt[axis]);
      return [Math.max(0, Math.ceil(Math.min(...values) - eps)), Math.min(n, Math.floor(Math.max(...values) + eps) + 1)];
    };
    return { rows: range(1, h), cols: range(2, w) };
  }

  /** The slice range [k0, k1) whose values back-projection onto grid rows z0 <= z < z1 reads. */
  slicesForGridRows(z0: number, z1: number): [number, number] {
    const [nz, ny, nx] = this.gridShape;
    if (!Number.isInteger(z0) || !Number.isInteger(z1) || z0 < 0 || z1 > nz || z0 >= z1) {
      throw new VolumeRangeError(`Grid rows [${z0}, ${z1}) are outside [0, ${nz})`);
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const z of [z0, z1 - 1]) {
      for (const y of [0, ny - 1]) {
        for (const x of [0, nx - 1]) {
          const k = this.toStack(z, y, x)[0];
          lo = Math.min(lo, k);
          hi = Math.max(hi, k);
        }
      }
    }
    const n = this.stackShape[0];
    // A row lying exactly on slice k is a cell [k, k + 1] for backProject: slice k + 1 is read too.
    return [Math.max(0, Math.floor(lo + 1e-6)), Math.min(n, Math.floor(hi + 1e-6) + 2)];
  }

  /** Throws VolumeRangeError unless 0 <= k0 < k1 <= n. */
  checkSlices(k0: number, k1: number): void {
    const n = this.stackShape[0];
    if (!Number.isInteger(k0) || !Number.isInteger(k1) || k0 < 0 || k1 > n || k0 >= k1) {
      throw new VolumeRangeError(`Slices [${k0}, ${k1}) are outside axis ${this.axis}'s stack [0, ${n})`);
    }
  }
}

export namespace SliceGeometry {
  /** Options of the SliceGeometry constructor. */
  export interface IOptions {
    /** [z, y, x] shape of the grid to slice. */
    shape: Shape3;
    axis: SunAxis;
  }
}

namespace Private {
  const H = Math.SQRT1_2;

  /** Normal, row and column directions of each axis; rows follow z wherever the plane contains it. */
  export function frame(axis: SunAxis): [Direction, Direction, Direction] {
    switch (axis) {
      case 'z':
        return [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
      case 'y':
        return [[0, 1, 0], [1, 0, 0], [0, 0, 1]];
      case 'x':
        return [[0, 0, 1], [1, 0, 0], [0, 1, 0]];
      case 'zy+':
        return [[H, H, 0], [H, -H, 0], [0, 0, 1]];
      case 'zy-':
        return [[H, -H, 0], [H, H, 0], [0, 0, 1]];
      case 'zx+':
        return [[H, 0, H], [H, 0, -H], [0, 1, 0]];
      case 'zx-':
        return [[H, 0, -H], [H, 0, H], [0, 1, 0]];
      case 'yx+':
        return [[0, H, H], [1, 0, 0], [0, H, -H]];
      case 'yx-':
        return [[0, H, -H], [1, 0, 0], [0, H, H]];
    }
  }
}

/**
 * Cutting slices out of a volume along any of the 9 SUN axes: single orthogonal slices (a view
 * for z, a copy for y and x) and Float32 slice stacks [n, h, w] (exact for the orthogonal axes,
 * trilinear for the diagonal ones, `fill` outside the volume).
 *
 * Stacks can be cut in slice batches from a sub-volume (e.g. a slab read lazily): ask the
 * geometry which grid box a batch needs (`gridBoxForSlices`), read it, pass its offset.
 *
 * @example
 * const z10 = orthoSlice(volume, 'z', 10);                      // view, shape [ny, nx]
 * const { data, geometry } = sliceStack(volume, 'zy+', { fill: 0 });
 * const [n, h, w] = geometry.stackShape;                       // data is Float32 [n, h, w]
 */
import { VolumeRangeError, VolumeShapeError } from '../errors';
import type { VoxelArray } from './dtype';
import { SliceGeometry, type SunAxis } from './axes';
import type { Volume } from './volume';

/** A 2D image in C order [h][w]. */
export interface Slice2D<A extends VoxelArray = VoxelArray> {
  data: A;
  shape: [number, number];
}

/** A Float32 stack of slices [n, h, w] along one axis, with the geometry that maps it back to the grid. */
export interface SliceStack {
  data: Float32Array;
  geometry: SliceGeometry;
}

/**
 * Orthogonal slice `index` along `axis`: [ny, nx] for z (a view sharing the volume's buffer),
 * [nz, nx] for y and [nz, ny] for x (copies), in the volume's dtype.
 */
export function orthoSlice<A extends VoxelArray>(volume: Volume<A>, axis: 'z' | 'y' | 'x', index: number): Slice2D<A> {
  const [nz, ny, nx] = volume.shape;
  const count = { z: nz, y: ny, x: nx }[axis];
  if (count === undefined) {
    throw new VolumeShapeError(`orthoSlice cuts along 'z', 'y' or 'x', got "${axis}"; use sliceStack for diagonal axes`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new VolumeRangeError(`Slice ${index} is outside axis ${axis}'s range [0, ${count})`);
  }
  const src = volume.data;
  if (axis === 'z') {
    return { data: src.subarray(index * ny * nx, (index + 1) * ny * nx) as A, shape: [ny, nx] };
  }
  const Ctor = src.constructor as new (n: number) => A;
  if (axis === 'y') {
    const out = new Ctor(nz * nx);
    for (let z = 0; z < nz; z++) {
      const from = (z * ny + index) * nx;
      out.set(src.subarray(from, from + nx), z * nx);
    }
    return { data: out, shape: [nz, nx] };
  }
  const out = new Ctor(nz * ny);
  for (let z = 0, o = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) out[o++] = src[(z * ny + y) * nx + index];
  }
  return { data: out, shape: [nz, ny] };
}

/** The whole stack of `axis`: every slice, covering every voxel of the volume. */
export function sliceStack(volume: Volume, axis: SunAxis, options: { fill?: number } = {}): SliceStack {
  const geometry = new SliceGeometry({ shape: volume.shape, axis });
  return { data: sampleSlices(volume, geometry, options), geometry };
}

/**
 * Samples slices k0 <= k < k1 of `geometry`'s stack from `volume` into Float32 [k1 - k0, h, w].
 *
 * `volume` is the whole grid, or a sub-volume placed at `offset` [z, y, x] in it that contains
 * `geometry.gridBoxForSlices(k0, k1)`. Orthogonal axes copy voxels exactly; diagonal axes
 * interpolate trilinearly and write `fill` where a sample lies outside the grid. Without `out`,
 * axis z on a float32 volume returns a view of the volume's buffer (do not write into it).
 */
export function sampleSlices(volume: Volume, geometry: SliceGeometry, options: sampleSlices.IOptions = {}): Float32Array {
  const [n, h, w] = geometry.stackShape;
  const k0 = options.k0 ?? 0;
  const k1 = options.k1 ?? n;
  geometry.checkSlices(k0, k1);
  const offset = options.offset ?? [0, 0, 0];
  const box = geometry.gridBoxForSlices(k0, k1);
  for (let a = 0; a < 3; a++) {
    if (box.start[a] < offset[a] || box.end[a] > offset[a] + volume.shape[a]) {
      throw new VolumeRangeError(
        `Slices [${k0}, ${k1}) of axis ${geometry.axis} need grid box [${box.start.join(', ')}] to ` +
          `[${box.end.join(', ')}), but the volume given covers [${offset.join(', ')}] + [${volume.shape.join(', ')}]`
      );
    }
  }
  const length = (k1 - k0) * h * w;
  if (options.out && options.out.length !== length) {
    throw new VolumeShapeError(`Output for ${k1 - k0} slices of ${h}x${w} needs ${length} values, got ${options.out.length}`);
  }
  if (geometry.isOrthogonal) {
    return Private.orthogonal(volume, geometry, k0, k1, offset, options.out);
  }
  const out = options.out ?? new Float32Array(length);
  Private.oblique(volume, geometry, k0, k1, offset, options.fill ?? 0, out);
  return out;
}

export namespace sampleSlices {
  /** Options of sampleSlices. */
  export interface IOptions {
    /** First slice (default 0). */
    k0?: number;
    /** End slice, exclusive (default: all). */
    k1?: number;
    /** Value of samples outside the grid (default 0). */
    fill?: number;
    /** [z, y, x] position of `volume`'s voxel (0, 0, 0) in the sliced grid (default [0, 0, 0]). */
    offset?: readonly [number, number, number];
    /** Where to write, Float32 [k1 - k0, h, w]; default a new array. */
    out?: Float32Array;
  }
}

namespace Private {
  /** Grid-aligned slices: a straight copy (or view) in the stack's row/column order. */
  export function orthogonal(
    volume: Volume,
    g: SliceGeometry,
    k0: number,
    k1: number,
    offset: readonly number[],
    given: Float32Array | undefined
  ): Float32Array {
    const [, ny, nx] = volume.shape;
    const [oz, oy, ox] = offset;
    const [, h, w] = g.stackShape;
    const src = volume.data;
    if (g.axis === 'z') {
      // Slices are z-planes and the sub-volume spans the grid's whole y and x (checked by the caller).
      const from = (k0 - oz) * ny * nx;
      const to = (k1 - oz) * ny * nx;
      if (!given && src instanceof Float32Array) return src.subarray(from, to);
      const out = given ?? new Float32Array(to - from);
      out.set(src.subarray(from, to));
      return out;
    }
    const out = given ?? new Float32Array((k1 - k0) * h * w);
    if (g.axis === 'y') {
      // out[k = y][i = z][j = x]
      for (let k = k0; k < k1; k++) {
        for (let i = 0; i < h; i++) {
          const from = ((i - oz) * ny + (k - oy)) * nx - ox;
          out.set(src.subarray(from, from + w), ((k - k0) * h + i) * w);
        }
      }
      return out;
    }
    // axis x: out[k = x][i = z][j = y]; read rows contiguously, write strided.
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const row = ((i - oz) * ny + (j - oy)) * nx - ox;
        for (let k = k0; k < k1; k++) out[((k - k0) * h + i) * w + j] = src[row + k];
      }
    }
    return out;
  }

  /** Diagonal slices: trilinear samples along each stack row, `fill` outside the grid. */
  export function oblique(
    volume: Volume,
    g: SliceGeometry,
    k0: number,
    k1: number,
    offset: readonly number[],
    fill: number,
    out: Float32Array
  ): void {
    const [, h, w] = g.stackShape;
    const [gz, gy, gx] = g.gridShape;
    const [vz, vy, vx] = volume.shape;
    const [oz, oy, ox] = offset;
    const src = volume.data;
    const plane = vy * vx;
    const [cz, cy, cx] = g.column;
    const eps = 1e-6;
    let o = 0;
    for (let k = k0; k < k1; k++) {
      for (let i = 0; i < h; i++) {
        const [pz, py, px] = g.toGrid(k, i, 0);
        for (let j = 0; j < w; j++, o++) {
          const z = pz + j * cz;
          const y = py + j * cy;
          const x = px + j * cx;
          if (z < -eps || y < -eps || x < -eps || z > gz - 1 + eps || y > gy - 1 + eps || x > gx - 1 + eps) {
            out[o] = fill;
            continue;
          }
          // Lower corner in the grid, kept so that corner + 1 is still in the grid; then local to the sub-volume.
          const zf = clampFloor(z, gz);
          const yf = clampFloor(y, gy);
          const xf = clampFloor(x, gx);
          const fz = clamp01(z - zf);
          const fy = clamp01(y - yf);
          const fx = clamp01(x - xf);
          const lz = clampIndex(zf - oz, vz);
          const ly = clampIndex(yf - oy, vy);
          const lx = clampIndex(xf - ox, vx);
          const dz = lz + 1 < vz && gz > 1 ? plane : 0;
          const dy = ly + 1 < vy && gy > 1 ? vx : 0;
          const dx = lx + 1 < vx && gx > 1 ? 1 : 0;
          const b = (lz * vy + ly) * vx + lx;
          const c00 = src[b] + fx * (src[b + dx] - src[b]);
          const c01 = src[b + dy] + fx * (src[b + dy + dx] - src[b + dy]);
          const c10 = src[b + dz] + fx * (src[b + dz + dx] - src[b + dz]);
          const c11 = src[b + dz + dy] + fx * (src[b + dz + dy + dx] - src[b + dz + dy]);
          const c0 = c00 + fy * (c01 - c00);
          const c1 = c10 + fy * (c11 - c10);
          out[o] = c0 + fz * (c1 - c0);
        }
      }
    }
  }

  /** floor(v), limited to [0, n - 2] so that the upper neighbour exists (0 when n is 1). */
  export function clampFloor(v: number, n: number): number {
    const f = Math.floor(v);
    return f < 0 ? 0 : f > n - 2 ? Math.max(0, n - 2) : f;
  }

  export function clamp01(f: number): number {
    return f < 0 ? 0 : f > 1 ? 1 : f;
  }

  export function clampIndex(v: number, n: number): number {
    return v < 0 ? 0 : v > n - 1 ? n - 1 : v;
  }
}

/**
 * The inverse of slicing: per-slice values (one or C channels, e.g. class probabilities) are
 * sampled back onto every voxel of the original grid, trilinearly in the rotated frame, and
 * ADDED to a caller's Float32 accumulator, so that summing over axes and dividing by their
 * count is soft voting.
 *
 * Built for streaming: values may come in slice batches (consecutive batches overlap by one
 * slice: the next starts at the previous k1 - 1), and the accumulator may cover only grid rows
 * z0 <= z < z1 (a slab). Every voxel is then accumulated exactly once per axis.
 *
 * @example
 * const g = new SliceGeometry({ shape: volume.shape, axis: 'zx+' });
 * const sum = new Float32Array(C * volume.size);              // [C, z, y, x]
 * const probs = model(sampleSlices(volume, g));               // Float32 [n, C, h, w]
 * backProject(g, probs, sum, { channels: C });
 */
import { VolumeShapeError } from '../errors';
import type { SliceGeometry } from './axes';

/** Per-slice values: Float32 [n, C, h, w] in one array, or C arrays of Float32 [n, h, w]. */
export type SliceValues = Float32Array | readonly Float32Array[];

/** A Float32 accumulator on grid rows [z0, z1): [C, z1 - z0, ny, nx] in one array, or C arrays of [z1 - z0, ny, nx]. */
export type GridAccumulator = Float32Array | readonly Float32Array[];

/**
 * Adds `values` of slices [k0, k0 + n) of `geometry`'s stack, sampled at every voxel of grid
 * rows [z0, z1) whose interpolation cell lies in that batch, to `out`.
 * Exact copies for the orthogonal axes; trilinear in the rotated frame for the diagonal ones.
 */
export function backProject(geometry: SliceGeometry, values: SliceValues, out: GridAccumulator, options: backProject.IOptions = {}): void {
  const [n, h, w] = geometry.stackShape;
  const [nz, ny, nx] = geometry.gridShape;
  const channels = Array.isArray(values) ? values.length : options.channels ?? 1;
  const single = !Array.isArray(values);
  const perChannel = single ? (values as Float32Array).length / channels : (values as Float32Array[])[0]?.length ?? 0;
  const count = perChannel / (h * w);
  const k0 = options.k0 ?? 0;
  if (!Number.isInteger(channels) || channels < 1 || !Number.isInteger(count) || count < 1) {
    throw new VolumeShapeError(
      `Slice values of axis ${geometry.axis} must be [n, ${channels}, ${h}, ${w}]; got ${single ? (values as Float32Array).length : perChannel} values per array`
    );
  }
  if (!single && (values as Float32Array[]).some(v => v.length !== perChannel)) {
    throw new VolumeShapeError('Per-channel slice arrays must all have the same length');
  }
  const k1 = k0 + count;
  geometry.checkSlices(k0, k1);
  const z0 = options.z0 ?? 0;
  const z1 = options.z1 ?? nz;
  geometry.slicesForGridRows(z0, z1); // validates the row range
  const rowSize = (z1 - z0) * ny * nx;
  const outArrays = Array.isArray(out) ? (out as Float32Array[]) : Array.from({ length: channels }, () => out as Float32Array);
  const outOffsets = Array.isArray(out) ? outArrays.map(() => 0) : outArrays.map((_, c) => c * rowSize);
  if (outArrays.length !== channels || outArrays.some((a, c) => a.length < outOffsets[c] + rowSize)) {
    throw new VolumeShapeError(
      `The accumulator must hold ${channels} channel(s) of ${z1 - z0}x${ny}x${nx} voxels (grid rows [${z0}, ${z1}))`
    );
  }
  const src: Private.Source = {
    arrays: single ? Array.from({ length: channels }, () => values as Float32Array) : (values as Float32Array[]),
    offsets: single ? Array.from({ length: channels }, (_, c) => c * h * w) : Array.from({ length: channels }, () => 0),
    kStride: single ? channels * h * w : h * w,
    k0,
    k1,
    n
  };
  const dst: Private.Target = { arrays: outArrays, offsets: outOffsets, z0, z1 };
  if (geometry.isOrthogonal) Private.orthogonal(geometry, src, dst);
  else Private.oblique(geometry, src, dst);
}

export namespace backProject {
  /** Options of backProject. */
  export interface IOptions {
    /** Channels C when `values` is one array (default 1). */
    channels?: number;
    /** Stack index of the first slice in `values` (default 0). */
    k0?: number;
    /** First grid row the accumulator holds (default 0). */
    z0?: number;
    /** End grid row, exclusive (default: the grid's nz). */
    z1?: number;
  }
}

namespace Private {
  export interface Source {
    arrays: readonly Float32Array[];
    offsets: readonly number[];
    kStride: number;
    k0: number;
    k1: number;
    n: number;
  }

  export interface Target {
    arrays: readonly Float32Array[];
    offsets: readonly number[];
    z0: number;
    z1: number;
  }

  /** Whether the batch [k0, k1) owns cells whose lower slice is kf: batches overlap by one slice. */
  function owns(s: Source, kf: number): boolean {
    return kf >= s.k0 && (kf < s.k1 - 1 || s.k1 === s.n);
  }

  /** Lower slice of the interpolation cell of continuous index k (stack of n slices). */
  function cellOf(k: number, n: number): number {
    const f = Math.floor(k + 1e-9);
    return f < 0 ? 0 : f > n - 2 ? Math.max(0, n - 2) : f;
  }

  export function orthogonal(g: SliceGeometry, s: Source, t: Target): void {
    const [, ny, nx] = g.gridShape;
    const w = g.stackShape[2];
    const C = s.arrays.length;
    const plane = ny * nx;
    for (let c = 0; c < C; c++) {
      const v = s.arrays[c];
      const out = t.arrays[c];
      const vo = s.offsets[c];
      const oo = t.offsets[c];
      // Grid index along the axis equals the slice index k; each k is owned by the batch holding its cell.
      const owned = (k: number) => owns(s, cellOf(k, s.n));
      if (g.axis === 'z') {
        for (let z = t.z0; z < t.z1; z++) {
          if (z < s.k0 || z >= s.k1 || !owned(z)) continue;
          const from = vo + (z - s.k0) * s.kStride;
          const to = oo + (z - t.z0) * plane;
          for (let p = 0; p < plane; p++) out[to + p] += v[from + p];
        }
      } else if (g.axis === 'y') {
        // values[k = y][i = z][j = x]
        for (let y = Math.max(0, s.k0); y < Math.min(ny, s.k1); y++) {
          if (!owned(y)) continue;
          for (let z = t.z0; z < t.z1; z++) {
            const from = vo + (y - s.k0) * s.kStride + z * w;
            const to = oo + ((z - t.z0) * ny + y) * nx;
            for (let x = 0; x < nx; x++) out[to + x] += v[from + x];
          }
        }
      } else {
        // values[k = x][i = z][j = y]
        for (let z = t.z0; z < t.z1; z++) {
          for (let y = 0; y < ny; y++) {
            const to = oo + ((z - t.z0) * ny + y) * nx;
            const from = vo + z * w + y;
            for (let x = Math.max(0, s.k0); x < Math.min(nx, s.k1); x++) {
              if (owned(x)) out[to + x] += v[from + (x - s.k0) * s.kStride];
            }
          }
        }
      }
    }
  }

  export function oblique(g: SliceGeometry, s: Source, t: Target): void {
    const [, ny, nx] = g.gridShape;
    const [n, h, w] = g.stackShape;
    const C = s.arrays.length;
    // d(k, i, j)/dx along a grid row.
    const [kx, ix, jx] = [g.normal[2], g.row[2], g.column[2]];
    // The batch owns cells with k0 <= floor(k) < k1 - 1 (open-ended at the stack's first and last slice).
    const kLo = s.k0 === 0 ? -Infinity : s.k0;
    const kHi = s.k1 === n ? Infinity : s.k1 - 1;
    // g.toStack(z, y, 0), term by term in its order (the same values bit for bit) without allocating: this runs once
    // per grid row and batch, and a batch owns about a dozen voxels of a row.
    const [n0, n1, n2] = g.normal;
    const [r0, r1, r2] = g.row;
    const [c0, c1, c2] = g.column;
    const [gz, gy, gx] = g.gridCentre;
    const [sk, si, sj] = g.stackCentre;
    for (let z = t.z0; z < t.z1; z++) {
      // Skip planes the batch does not reach: k is linear, so its extremes are at the plane's corners.
      const ks = [g.toStack(z, 0, 0)[0], g.toStack(z, ny - 1, 0)[0], g.toStack(z, 0, nx - 1)[0], g.toStack(z, ny - 1, nx - 1)[0]];
      if (Math.max(...ks) < kLo - 1 || Math.min(...ks) > kHi + 1) continue;
      const dz = z - gz;
      const dx = 0 - gx;
      for (let y = 0; y < ny; y++) {
        const dy = y - gy;
        const ka = dz * n0 + dy * n1 + dx * n2 + sk;
        const ia = dz * r0 + dy * r1 + dx * r2 + si;
        const ja = dz * c0 + dy * c1 + dx * c2 + sj;
        // x interval where k may lie in [kLo, kHi), widened by one voxel; ownership is checked exactly below.
        let xa = 0;
        let xb = nx - 1;
        if (kx !== 0) {
          const u = (kLo - ka) / kx;
          const v = (kHi - ka) / kx;
          xa = Math.max(0, Math.floor(Math.min(u, v)) - 1);
          xb = Math.min(nx - 1, Math.ceil(Math.max(u, v)) + 1);
        } else if (!owns(s, cellOf(ka, n))) {
          continue;
        }
        const to = (z - t.z0) * ny * nx + y * nx;
        for (let x = xa; x <= xb; x++) {
          const k = ka + x * kx;
          const kf = cellOf(k, n);
          if (!owns(s, kf)) continue;
          const i = ia + x * ix;
          const j = ja + x * jx;
          const iF = cellOf(i, h);
          const jF = cellOf(j, w);
          const fk = clamp01(k - kf);
          const fi = clamp01(i - iF);
          const fj = clamp01(j - jF);
          const dk = n > 1 ? s.kStride : 0;
          const di = h > 1 ? w : 0;
          const dj = w > 1 ? 1 : 0;
          const b = (kf - s.k0) * s.kStride + iF * w + jF;
          for (let c = 0; c < C; c++) {
            const v = s.arrays[c];
            const p = b + s.offsets[c];
            const c00 = v[p] + fj * (v[p + dj] - v[p]);
            const c01 = v[p + di] + fj * (v[p + di + dj] - v[p + di]);
            const c10 = v[p + dk] + fj * (v[p + dk + dj] - v[p + dk]);
            const c11 = v[p + dk + di] + fj * (v[p + dk + di + dj] - v[p + dk + di]);
            const c0 = c00 + fi * (c01 - c00);
            const c1 = c10 + fi * (c11 - c10);
            t.arrays[c][t.offsets[c] + to + x] += c0 + fk * (c1 - c0);
          }
        }
      }
    }
  }

  function clamp01(f: number): number {
    return f < 0 ? 0 : f > 1 ? 1 : f;
  }
}

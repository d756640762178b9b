/**
 * Exact Euclidean distance transform on anisotropic grids (Felzenszwalb & Huttenlocher,
 * "Distance Transforms of Sampled Functions", Theory of Computing 8, 2012): the squared
 * distance is separable, so three 1D passes (x, y, z) of the lower envelope of parabolas give
 * the exact distance, in µm, from every voxel centre to the nearest feature voxel centre. Voxels
 * beyond the array edge are not features. Used by the surface metrics, the degradation analytics
 * and the phantoms (depth inside the implant: the transform of the mask's complement).
 *
 * @example
 * const d = distanceTransform(isRm, [nz, ny, nx], [2.4, 2.4, 4.8]);   // Float32, µm; Infinity if no feature
 */
import { MetricsInputError } from '../errors';

// Local aliases: in jest's VM sandbox every lookup of a global (`Math`, `Infinity`) costs ~100x a local one.
const { floor, max, sqrt } = Math;
const INF = Number.POSITIVE_INFINITY;

/** Distance (µm) from each voxel to the nearest voxel where `features` is non-zero; Infinity when there is none. */
export function distanceTransform(features: ArrayLike<number>, shape: readonly [number, number, number], spacing: readonly [number, number, number]): Float32Array {
  const [nz, ny, nx] = shape;
  const size = nz * ny * nx;
  if (features.length !== size) throw new MetricsInputError(`distanceTransform: ${features.length} voxels do not fit shape [${shape.join(', ')}]`);
  const d = new Float64Array(size);
  for (let i = 0; i < size; i++) d[i] = features[i] ? 0 : INF;
  const n = max(nz, ny, nx);
  const work = Private.workspace(n);
  Private.pass(d, nx, 1, size / nx, (line) => line * nx, spacing[2], work);
  Private.pass(d, ny, nx, nz * nx, (line) => floor(line / nx) * ny * nx + (line % nx), spacing[1], work);
  Private.pass(d, nz, ny * nx, ny * nx, (line) => line, spacing[0], work);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = sqrt(d[i]);
  return out;
}

namespace Private {
  export interface Workspace {
    f: Float64Array;
    out: Float64Array;
    v: Int32Array;
    z: Float64Array;
  }

  export function workspace(n: number): Workspace {
    return { f: new Float64Array(n), out: new Float64Array(n), v: new Int32Array(n), z: new Float64Array(n + 1) };
  }

  /** Runs the 1D transform on `lines` lines of `len` values, `stride` apart, starting at start(line). */
  export function pass(d: Float64Array, len: number, stride: number, lines: number, start: (line: number) => number, s: number, w: Workspace): void {
    for (let line = 0; line < lines; line++) {
      const o = start(line);
      for (let i = 0; i < len; i++) w.f[i] = d[o + i * stride];
      transform1d(len, s, w);
      for (let i = 0; i < len; i++) d[o + i * stride] = w.out[i];
    }
  }

  /** out[p] = min_q ((p - q) s)^2 + f[q] over finite f[q] (the lower envelope of parabolas rooted at finite sites). */
  function transform1d(n: number, s: number, w: Workspace): void {
    const { f, out, v, z } = w;
    const s2 = s * s;
    let k = -1;
    for (let q = 0; q < n; q++) {
      const fq = f[q];
      if (fq === INF) continue;
      // Intersection (in index units) of the parabola at q with the rightmost one on the envelope.
      let x = -INF;
      while (k >= 0) {
        const p = v[k];
        x = (fq + s2 * q * q - (f[p] + s2 * p * p)) / (2 * s2 * (q - p));
        if (x <= z[k]) k--;
        else break;
      }
      k++;
      v[k] = q;
      z[k] = k === 0 ? -INF : x;
      z[k + 1] = INF;
    }
    if (k < 0) {
      out.fill(INF, 0, n);
      return;
    }
    let j = 0;
    for (let p = 0; p < n; p++) {
      while (z[j + 1] < p) j++;
      const q = v[j];
      out[p] = s2 * (p - q) * (p - q) + f[q];
    }
  }
}

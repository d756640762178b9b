/**
 * The discrete, coupled-convex stage of convexAdam (Siebert, Grossbroehmer, Hansen, Heinrich,
 * IEEE TMI 2024) on a coarse grid: an SSD cost volume of MIND features over all integer
 * displacements within a half-width, smoothed, then alternating argmin of
 * cost + alpha |d - u|^2 and box smoothing of u for increasing alpha; and the fixed-point
 * iteration that makes forward and backward coarse fields inverse-consistent.
 *
 * @example
 * const u = coupledConvex(fixedGridFeatures, movingGridFeatures, gridShape, { halfWidth: 4, alphas: [0.003, 0.01, 0.03, 0.1, 0.3, 1] });
 */
import { boxFilter3, trilinear } from './interpolate';
import { MIND_CHANNELS } from './mind';

/**
 * The coarse displacement, Float32 [3, gz, gy, gx] in grid steps, that moves `fixed` grid points
 * onto `moving` ones. Features are [12, gz, gy, gx] on the same grid (MIND pooled to the grid).
 */
export function coupledConvex(
  fixed: Float32Array,
  moving: Float32Array,
  shape: readonly [number, number, number],
  options: coupledConvex.IOptions
): Float32Array {
  const [gz, gy, gx] = shape;
  const g = gz * gy * gx;
  const h = options.halfWidth;
  const side = 2 * h + 1;
  const nd = side * side * side;
  const cost = Private.costVolume(fixed, moving, shape, h);
  for (let pass = 0; pass < (options.costSmoothing ?? 2); pass++) boxFilter3(cost, nd, shape);
  // Candidate displacement k as (dz, dy, dx) in grid steps.
  const dz = new Float32Array(nd);
  const dy = new Float32Array(nd);
  const dx = new Float32Array(nd);
  for (let k = 0; k < nd; k++) {
    dz[k] = Math.floor(k / (side * side)) - h;
    dy[k] = (Math.floor(k / side) % side) - h;
    dx[k] = (k % side) - h;
  }
  const u = new Float32Array(3 * g);
  const pick = (alpha: number): void => {
    for (let i = 0; i < g; i++) {
      const uz = u[i];
      const uy = u[g + i];
      const ux = u[2 * g + i];
      let best = Infinity;
      let arg = 0;
      for (let k = 0; k < nd; k++) {
        const ez = dz[k] - uz;
        const ey = dy[k] - uy;
        const ex = dx[k] - ux;
        const c = cost[k * g + i] + alpha * (ez * ez + ey * ey + ex * ex);
        if (c < best) {
          best = c;
          arg = k;
        }
      }
      u[i] = dz[arg];
      u[g + i] = dy[arg];
      u[2 * g + i] = dx[arg];
    }
    boxFilter3(u, 3, shape);
  };
  pick(0); // the smoothed argmin of the cost alone
  for (const alpha of options.alphas) pick(alpha);
  return u;
}

/** Types of `coupledConvex`. */
export namespace coupledConvex {
  /** Options of `coupledConvex`. */
  export interface IOptions {
    /** Displacement search half-width in grid steps (convexAdam default 4: 9^3 candidates). */
    halfWidth: number;
    /** Coupling weights, increasing (convexAdam default 0.003, 0.01, 0.03, 0.1, 0.3, 1). */
    alphas: readonly number[];
    /** Box filter passes on the cost volume (convexAdam: 3^3, twice). */
    costSmoothing?: number;
  }
}

/**
 * Forward and backward coarse fields (grid steps) made inverse-consistent by `iterations` rounds of
 * u <- (u - w(x + u)) / 2 for both at once (convexAdam: 15 iterations).
 */
export function makeInverseConsistent(
  forward: Float32Array,
  backward: Float32Array,
  shape: readonly [number, number, number],
  iterations = 15
): { forward: Float32Array; backward: Float32Array } {
  const [gz, gy, gx] = shape;
  const g = gz * gy * gx;
  let f = forward;
  let b = backward;
  for (let it = 0; it < iterations; it++) {
    const nf = new Float32Array(3 * g);
    const nb = new Float32Array(3 * g);
    for (const [src, other, out] of [[f, b, nf], [b, f, nb]] as const) {
      for (let z = 0, i = 0; z < gz; z++) {
        for (let y = 0; y < gy; y++) {
          for (let x = 0; x < gx; x++, i++) {
            const pz = z + src[i];
            const py = y + src[g + i];
            const px = x + src[2 * g + i];
            for (let a = 0; a < 3; a++) {
              out[a * g + i] = 0.5 * (src[a * g + i] - trilinear(other.subarray(a * g, (a + 1) * g), shape, pz, py, px));
            }
          }
        }
      }
    }
    f = nf;
    b = nb;
  }
  return { forward: f, backward: b };
}

namespace Private {
  /** cost[k, i] = sum over channels of (fixed[c, i] - moving[c, i + d_k])^2, moving border repeated. */
  export function costVolume(fixed: Float32Array, moving: Float32Array, shape: readonly [number, number, number], h: number): Float32Array {
    const [gz, gy, gx] = shape;
    const g = gz * gy * gx;
    const C = MIND_CHANNELS;
    const side = 2 * h + 1;
    const nd = side * side * side;
    // Point-major copies: the 12 channels of a point sit together.
    const f = new Float32Array(C * g);
    const m = new Float32Array(C * g);
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < g; i++) {
        f[i * C + c] = fixed[c * g + i];
        m[i * C + c] = moving[c * g + i];
      }
    }
    const cost = new Float32Array(nd * g);
    const clamp = (v: number, len: number): number => (v < 0 ? 0 : v >= len ? len - 1 : v);
    for (let k = 0; k < nd; k++) {
      const oz = Math.floor(k / (side * side)) - h;
      const oy = (Math.floor(k / side) % side) - h;
      const ox = (k % side) - h;
      const row = cost.subarray(k * g, (k + 1) * g);
      for (let z = 0, i = 0; z < gz; z++) {
        const mz = clamp(z + oz, gz) * gy;
        for (let y = 0; y < gy; y++) {
          const my = (mz + clamp(y + oy, gy)) * gx;
          for (let x = 0; x < gx; x++, i++) {
            const j = (my + clamp(x + ox, gx)) * C;
            const fi = i * C;
            let s = 0;
            for (let c = 0; c < C; c++) {
              const d = f[fi + c] - m[j + c];
              s += d * d;
            }
            row[i] = s;
          }
        }
      }
    }
    return cost;
  }
}

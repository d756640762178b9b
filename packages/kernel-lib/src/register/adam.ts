/**
 * The instance-optimisation stage of convexAdam: a displacement field on a (half-resolution)
 * grid, smoothed by three 3^3 box filters, fitted by Adam to
 *   L = dataWeight x mean_{x,c} (M_c(x + phi(x)) - F_c(x))^2 + lambda x sum_axes mean (forward differences of phi)^2
 * with phi = B B B p. The gradient is analytic: the derivative of trilinear interpolation for the
 * data term, the difference stencil for the regulariser, then the adjoint of the smoothing.
 *
 * @example
 * const phi = await adamRefine(fixedFeatures, movingFeatures, shape, init, { iterations: 80, learningRate: 1, lambda: 1.25 });
 */
import { throwIfInterrupted } from '../runtime/interrupt';
import { boxFilter3 } from './interpolate';
import { MIND_CHANNELS } from './mind';

const { floor, sqrt } = Math;

/** The smoothed field phi, Float32 [3, z, y, x] in voxels of this grid, after Adam from `init`. */
export async function adamRefine(
  fixed: Float32Array,
  moving: Float32Array,
  shape: readonly [number, number, number],
  init: Float32Array,
  options: adamRefine.IOptions
): Promise<{ field: Float32Array; loss: number }> {
  const [nz, ny, nx] = shape;
  const n = nz * ny * nx;
  const C = MIND_CHANNELS;
  const passes = options.smoothing ?? 3;
  const wData = options.dataWeight ?? C;
  const lambda = options.lambda;
  const p = Float32Array.from(init);
  const m1 = new Float32Array(3 * n);
  const m2 = new Float32Array(3 * n);
  const grad = new Float32Array(3 * n);
  const phi = new Float32Array(3 * n);
  // Adam's constants (Kingma and Ba 2015; PyTorch defaults, used by convexAdam).
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  const movingT = Private.pointMajor(moving, n);
  let loss = NaN;
  for (let it = 1; it <= options.iterations; it++) {
    throwIfInterrupted(options.signal);
    phi.set(p);
    for (let k = 0; k < passes; k++) boxFilter3(phi, 3, shape);
    grad.fill(0);
    loss = Private.dataTerm(fixed, movingT, shape, phi, grad, wData / (n * C));
    loss += Private.diffusion(phi, shape, grad, lambda);
    for (let k = 0; k < passes; k++) boxFilter3(grad, 3, shape, { adjoint: true });
    const c1 = 1 - beta1 ** it;
    const c2 = 1 - beta2 ** it;
    const lr = options.learningRate;
    for (let i = 0; i < 3 * n; i++) {
      const gi = grad[i];
      m1[i] = beta1 * m1[i] + (1 - beta1) * gi;
      m2[i] = beta2 * m2[i] + (1 - beta2) * gi * gi;
      p[i] -= (lr * (m1[i] / c1)) / (sqrt(m2[i] / c2) + eps);
    }
    options.onIteration?.(it, options.iterations, loss);
    if (it % 10 === 0) await new Promise(resolve => setImmediate(resolve));
  }
  phi.set(p);
  for (let k = 0; k < passes; k++) boxFilter3(phi, 3, shape);
  return { field: phi, loss };
}

/** Types of `adamRefine`. */
export namespace adamRefine {
  /** Options of `adamRefine`. */
  export interface IOptions {
    /** Adam iterations (convexAdam default 80). */
    iterations: number;
    /** Adam learning rate (convexAdam default 1). */
    learningRate: number;
    /** Weight of the diffusion regulariser (convexAdam default 1.25). */
    lambda: number;
    /** Weight of the mean squared feature difference (convexAdam: 12, the channel count). */
    dataWeight?: number;
    /** Box filter passes applied to the parameters (convexAdam: three 3^3 filters). */
    smoothing?: number;
    signal: AbortSignal;
    /** Called after each iteration with (iteration, iterations, loss). */
    onIteration?: (done: number, total: number, loss: number) => void;
  }
}

namespace Private {
  export function pointMajor(a: Float32Array, n: number): Float32Array {
    const out = new Float32Array(a.length);
    for (let c = 0; c < MIND_CHANNELS; c++) for (let i = 0; i < n; i++) out[i * MIND_CHANNELS + c] = a[c * n + i];
    return out;
  }

  /** Adds d(data term)/d(phi) to grad; returns the data term. `w` is dataWeight / (n C). */
  export function dataTerm(
    fixed: Float32Array,
    movingT: Float32Array,
    shape: readonly [number, number, number],
    phi: Float32Array,
    grad: Float32Array,
    w: number
  ): number {
    const [nz, ny, nx] = shape;
    const n = nz * ny * nx;
    const C = MIND_CHANNELS;
    const sz = nz > 1 ? ny * nx * C : 0;
    const sy = ny > 1 ? nx * C : 0;
    const sx = nx > 1 ? C : 0;
    let sum = 0;
    for (let z = 0, i = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++, i++) {
          let pz = z + phi[i];
          let py = y + phi[n + i];
          let px = x + phi[2 * n + i];
          // Outside the grid the border repeats and the position has no gradient along that axis.
          let kz = 1;
          let ky = 1;
          let kx = 1;
          if (pz < 0) (pz = 0), (kz = 0);
          else if (pz > nz - 1) (pz = nz - 1), (kz = 0);
          if (py < 0) (py = 0), (ky = 0);
          else if (py > ny - 1) (py = ny - 1), (ky = 0);
          if (px < 0) (px = 0), (kx = 0);
          else if (px > nx - 1) (px = nx - 1), (kx = 0);
          let z0 = floor(pz);
          let y0 = floor(py);
          let x0 = floor(px);
          if (z0 === nz - 1 && nz > 1) z0--;
          if (y0 === ny - 1 && ny > 1) y0--;
          if (x0 === nx - 1 && nx > 1) x0--;
          const fz = pz - z0;
          const fy = py - y0;
          const fx = px - x0;
          const b = ((z0 * ny + y0) * nx + x0) * C;
          let gz = 0;
          let gy = 0;
          let gx = 0;
          for (let c = 0; c < C; c++) {
            const j = b + c;
            const v000 = movingT[j];
            const v001 = movingT[j + sx];
            const v010 = movingT[j + sy];
            const v011 = movingT[j + sy + sx];
            const v100 = movingT[j + sz];
            const v101 = movingT[j + sz + sx];
            const v110 = movingT[j + sz + sy];
            const v111 = movingT[j + sz + sy + sx];
            const c00 = v000 + fx * (v001 - v000);
            const c01 = v010 + fx * (v011 - v010);
            const c10 = v100 + fx * (v101 - v100);
            const c11 = v110 + fx * (v111 - v110);
            const c0 = c00 + fy * (c01 - c00);
            const c1 = c10 + fy * (c11 - c10);
            const r = c0 + fz * (c1 - c0) - fixed[c * n + i];
            sum += r * r;
            gz += r * (c1 - c0);
            const e0 = (v010 - v000) + fx * (v011 - v010 - v001 + v000);
            const e1 = (v110 - v100) + fx * (v111 - v110 - v101 + v100);
            gy += r * (e0 + fz * (e1 - e0));
            const a0 = (v001 - v000) + fy * (v011 - v010 - v001 + v000);
            const a1 = (v101 - v100) + fy * (v111 - v110 - v101 + v100);
            gx += r * (a0 + fz * (a1 - a0));
          }
          grad[i] += 2 * w * gz * kz;
          grad[n + i] += 2 * w * gy * ky;
          grad[2 * n + i] += 2 * w * gx * kx;
        }
      }
    }
    return w * sum;
  }

  /** Adds the gradient of lambda x sum over axes of mean (phi(x + e) - phi(x))^2 (over the 3 components); returns it. */
  export function diffusion(phi: Float32Array, shape: readonly [number, number, number], grad: Float32Array, lambda: number): number {
    const [nz, ny, nx] = shape;
    const n = nz * ny * nx;
    const dims = [nz, ny, nx];
    const strides = [ny * nx, nx, 1];
    let total = 0;
    for (let axis = 0; axis < 3; axis++) {
      const len = dims[axis];
      if (len < 2) continue;
      const s = strides[axis];
      const count = (3 * n * (len - 1)) / len;
      const w = lambda / count;
      let sum = 0;
      for (let a = 0; a < 3; a++) {
        const off = a * n;
        for (let i = 0; i < n; i++) {
          const k = floor(i / s) % len;
          if (k === len - 1) continue;
          const d = phi[off + i + s] - phi[off + i];
          sum += d * d;
          grad[off + i + s] += 2 * w * d;
          grad[off + i] -= 2 * w * d;
        }
      }
      total += w * sum;
    }
    return total;
  }
}

/**
 * MIND-SSC features (Heinrich et al., MICCAI 2013, "self-similarity context"): for each voxel,
 * 12 patch distances between pairs of its six axis neighbours at distance `dilation` (the pairs
 * sqrt(2) x dilation apart), turned into exp(-D / V) with V the mean over the 12 channels. They
 * describe local structure, not grey values, so they compare images of different modalities.
 *
 * @example
 * const f = mindSsc(volume);                  // Float32 [12, z, y, x], values in (0, 1]
 * const g = mindSsc(volume, { radius: 1, dilation: 2 });   // the convexAdam defaults
 */
import { RegistrationInputError } from '../errors';
import type { Shape3 } from '../volume';

const { exp } = Math;

/** Number of MIND-SSC channels (the 12 neighbour pairs). */
export const MIND_CHANNELS = 12;

/** MIND-SSC descriptors of a volume as Float32 [12, z, y, x]; throws RegistrationInputError for a constant image. */
export function mindSsc(volume: { data: ArrayLike<number>; shape: Shape3 }, options: mindSsc.IOptions = {}): Float32Array {
  const radius = options.radius ?? 1;
  const d = options.dilation ?? 2;
  const [nz, ny, nx] = volume.shape;
  const n = nz * ny * nx;
  const src = volume.data;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (!Number.isFinite(v)) throw new RegistrationInputError('image', 'has NaN or infinite voxels; replace them before registering');
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) throw new RegistrationInputError('image', `is constant (every voxel ${lo}); there is no structure to register`);
  // Scale to [0, 1] so that the variance floor below is meaningful for any intensity unit.
  const img = new Float32Array(n);
  for (let i = 0; i < n; i++) img[i] = (src[i] - lo) / (hi - lo);
  const six = [[d, 0, 0], [-d, 0, 0], [0, d, 0], [0, -d, 0], [0, 0, d], [0, 0, -d]];
  const pairs: [number[], number[]][] = [];
  for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) if (!(i % 2 === 0 && j === i + 1)) pairs.push([six[i], six[j]]);
  const out = new Float32Array(MIND_CHANNELS * n);
  const clamp = (v: number, len: number): number => (v < 0 ? 0 : v >= len ? len - 1 : v);
  pairs.forEach(([a, b], c) => {
    const ch = out.subarray(c * n, (c + 1) * n);
    for (let z = 0, i = 0; z < nz; z++) {
      const za = clamp(z + a[0], nz) * ny;
      const zb = clamp(z + b[0], nz) * ny;
      for (let y = 0; y < ny; y++) {
        const ra = (za + clamp(y + a[1], ny)) * nx;
        const rb = (zb + clamp(y + b[1], ny)) * nx;
        for (let x = 0; x < nx; x++, i++) {
          const diff = img[ra + clamp(x + a[2], nx)] - img[rb + clamp(x + b[2], nx)];
          ch[i] = diff * diff;
        }
      }
    }
    Private.boxMean(ch, volume.shape, radius);
  });
  // Subtract the per-voxel minimum, divide by the clamped per-voxel mean, exponentiate.
  let meanAll = 0;
  const variance = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let m = Infinity;
    for (let c = 0; c < MIND_CHANNELS; c++) m = Math.min(m, out[c * n + i]);
    let s = 0;
    for (let c = 0; c < MIND_CHANNELS; c++) {
      out[c * n + i] -= m;
      s += out[c * n + i];
    }
    variance[i] = s / MIND_CHANNELS;
    meanAll += variance[i] / n;
  }
  // Variance clamp to [0.001, 1000] x its mean (MIND-SSC reference implementation); the floor keeps flat regions finite.
  const vLo = Math.max(meanAll * 0.001, 1e-12);
  const vHi = Math.max(meanAll * 1000, 1e-12);
  for (let i = 0; i < n; i++) {
    const v = variance[i] < vLo ? vLo : variance[i] > vHi ? vHi : variance[i];
    for (let c = 0; c < MIND_CHANNELS; c++) out[c * n + i] = exp(-out[c * n + i] / v);
  }
  return out;
}

/** Types of `mindSsc`. */
export namespace mindSsc {
  /** Options of `mindSsc`. */
  export interface IOptions {
    /** Patch radius in voxels (default 1, convexAdam default, Siebert et al. 2024). */
    radius?: number;
    /** Neighbour distance in voxels (default 2, convexAdam default). */
    dilation?: number;
  }
}

namespace Private {
  /** In-place mean over a (2r+1)^3 box, border voxels repeated (separable). */
  export function boxMean(g: Float32Array, shape: readonly [number, number, number], r: number): void {
    if (r <= 0) return;
    const [nz, ny, nx] = shape;
    const dims = [nz, ny, nx];
    const strides = [ny * nx, nx, 1];
    const line = new Float32Array(Math.max(nz, ny, nx));
    const w = 2 * r + 1;
    for (let axis = 2; axis >= 0; axis--) {
      const len = dims[axis];
      const s = strides[axis];
      const others = [0, 1, 2].filter(a => a !== axis);
      for (let p = 0; p < dims[others[0]]; p++) {
        for (let q = 0; q < dims[others[1]]; q++) {
          const base = p * strides[others[0]] + q * strides[others[1]];
          for (let k = 0; k < len; k++) line[k] = g[base + k * s];
          let acc = 0;
          for (let k = -r; k <= r; k++) acc += line[k < 0 ? 0 : k >= len ? len - 1 : k];
          for (let k = 0; k < len; k++) {
            g[base + k * s] = acc / w;
            const add = k + r + 1;
            const drop = k - r;
            acc += line[add >= len ? len - 1 : add] - line[drop < 0 ? 0 : drop];
          }
        }
      }
    }
  }
}

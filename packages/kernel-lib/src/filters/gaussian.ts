/**
 * Gaussian smoothing with sigma in µm, so that the same physical blur applies whatever the
 * binning: sigma is divided by each axis' spacing. Separable (x, y, z passes); the output is
 * float32 and the only scratch is one plane (x and y passes, done per z-plane in place) and one
 * xz-sheet (z pass, per y). Edges repeat the border voxel (SciPy's mode 'nearest'). The taps
 * (`gaussianKernel`) and the one-axis convolution (`convolveAxis`) serve other smoothings too
 * (the real-bone phantom's, in voxels).
 *
 * @example
 * const smooth = gaussian(volume, { sigma: 5 });              // 5 µm on every axis
 * const aniso = gaussian(volume, { sigma: [10, 2.4, 2.4] });
 * const along = convolveAxis(data, shape, 0, gaussianKernel(1.5));   // z only, sigma in voxels
 */
import { VolumeShapeError } from '../errors';
import { Volume } from '../volume';
import { runSteps, type FilterSteps, type IFilterRunOptions } from './steps';

/** The volume blurred by a Gaussian of `sigma` µm, as float32. */
export function gaussian(volume: Volume, options: gaussian.IOptions & IFilterRunOptions): Volume<Float32Array> {
  return runSteps(gaussianSteps(volume, options), options);
}

/** Types of `gaussian`. */
export namespace gaussian {
  /** Options of the Gaussian filter. */
  export interface IOptions {
    /** Standard deviation in µm: one for all axes or [z, y, x]. */
    sigma: number | readonly [number, number, number];
    /** Kernel half-width in sigmas (default 4, SciPy's `truncate`). */
    truncate?: number;
  }
}

/** `gaussian` as steps (one per z-plane, then one per y-row of the z pass), for `denoise`. */
export function* gaussianSteps(volume: Volume, options: gaussian.IOptions): FilterSteps<Volume<Float32Array>> {
  const sigma = typeof options.sigma === 'number' ? [options.sigma, options.sigma, options.sigma] : [...options.sigma];
  if (sigma.length !== 3 || sigma.some(s => !(s >= 0) || !Number.isFinite(s))) {
    throw new VolumeShapeError(`Gaussian sigma must be non-negative µm, one number or [z, y, x]; got ${String(options.sigma)}`);
  }
  const [kz, ky, kx] = sigma.map((s, a) => gaussianKernel(s / volume.spacing[a], options.truncate ?? 4));
  const [nz, ny, nx] = volume.shape;
  const plane = ny * nx;
  const src = volume.data;
  const out = new Float32Array(volume.size);
  const total = nz + (kz.length > 1 ? ny : 0);
  const scratch = new Float32Array(Math.max(plane, nz * nx));
  for (let z = 0; z < nz; z++) {
    const base = z * plane;
    // x pass into scratch (rows of this plane), then y pass from scratch into out.
    for (let y = 0; y < ny; y++) Private.convolveLine(src, base + y * nx, nx, 1, kx, scratch, y * nx);
    Private.convolveAcross(scratch, 0, ny, nx, ky, out, base, nx);
    yield [z + 1, total];
  }
  if (kz.length > 1) {
    // z pass: per y, gather the xz-sheet, then convolve along z back into out.
    for (let y = 0; y < ny; y++) {
      for (let z = 0; z < nz; z++) scratch.set(out.subarray(z * plane + y * nx, z * plane + y * nx + nx), z * nx);
      Private.convolveAcross(scratch, 0, nz, nx, kz, out, y * nx, plane);
      yield [nz + y + 1, total];
    }
  }
  return new Volume({ data: out, shape: volume.shape, spacing: volume.spacing, origin: volume.origin });
}

/**
 * Normalised Gaussian taps for `sigma` voxels, radius max(1, ceil(truncate sigma)) (SciPy's
 * `truncate`, default 4); [1] when sigma is ~0. The taps are computed and normalised in an array
 * of `type`: Float32Array taps are rounded as a float32 kernel is.
 */
export function gaussianKernel(sigma: number, truncate = 4, type: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array): Float32Array | Float64Array {
  if (sigma < 1e-3) return type.of(1);
  const r = Math.max(1, Math.ceil(truncate * sigma));
  const k = new type(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** `data` ([z, y, x]) convolved along one axis with centred `taps` (edges repeat the border voxel), as new float32 voxels. */
export function convolveAxis(data: ArrayLike<number>, shape: readonly [number, number, number], axis: 0 | 1 | 2, taps: Float32Array | Float64Array): Float32Array {
  const [nz, ny, nx] = shape;
  const out = new Float32Array(nz * ny * nx);
  const stride = axis === 0 ? ny * nx : axis === 1 ? nx : 1;
  // One line per voxel whose coordinate along the axis is 0.
  for (let z = 0; z < (axis === 0 ? 1 : nz); z++) {
    for (let y = 0; y < (axis === 1 ? 1 : ny); y++) {
      for (let x = 0; x < (axis === 2 ? 1 : nx); x++) {
        const start = (z * ny + y) * nx + x;
        Private.convolveLine(data, start, shape[axis], stride, taps, out, start);
      }
    }
  }
  return out;
}

namespace Private {
  /** A line of n values `stride` apart from src[from..] convolved with k (edges repeated) into dst[to..], same stride; sums in double precision. */
  export function convolveLine(src: ArrayLike<number>, from: number, n: number, stride: number, k: Float32Array | Float64Array, dst: Float32Array, to: number): void {
    const r = (k.length - 1) / 2;
    if (r === 0) {
      for (let x = 0; x < n; x++) dst[to + x * stride] = src[from + x * stride];
      return;
    }
    for (let x = 0; x < n; x++) {
      let acc = 0;
      if (x >= r && x + r < n) {
        for (let i = 0, p = from + (x - r) * stride; i < k.length; i++, p += stride) acc += k[i] * src[p];
      } else {
        for (let i = -r; i <= r; i++) {
          const xi = x + i < 0 ? 0 : x + i >= n ? n - 1 : x + i;
          acc += k[i + r] * src[from + xi * stride];
        }
      }
      dst[to + x * stride] = acc;
    }
  }

  /**
   * Convolution across `lines` rows of `width` contiguous values in src (rows `width` apart),
   * written to dst rows `dstStride` apart starting at `to`: a vectorisable row-by-row sum.
   */
  export function convolveAcross(
    src: Float32Array,
    from: number,
    lines: number,
    width: number,
    k: Float32Array | Float64Array,
    dst: Float32Array,
    to: number,
    dstStride: number
  ): void {
    const r = (k.length - 1) / 2;
    for (let l = 0; l < lines; l++) {
      const d = to + l * dstStride;
      for (let x = 0; x < width; x++) dst[d + x] = 0;
      for (let i = -r; i <= r; i++) {
        const li = l + i < 0 ? 0 : l + i >= lines ? lines - 1 : l + i;
        const s = from + li * width;
        const w = k[i + r];
        for (let x = 0; x < width; x++) dst[d + x] += w * src[s + x];
      }
    }
  }
}

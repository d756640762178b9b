/**
 * Filtered back-projection for parallel-beam sinograms: a ramp filter (built from its exact
 * band-limited spatial kernel, Kak & Slaney, "Principles of Computerized Tomographic
 * Imaging", ch. 3, eq. 61, so the DC term is right), apodised by a window, applied by FFT
 * with zero padding; then linear-interpolation back-projection over [0, π).
 *
 * @example
 * const geometry = parallelGeometry(64, 96);
 * const sino = forwardProject(slice, geometry);
 * const image = filteredBackProjection(sino, geometry, { window: 'shepp-logan' });  // ≈ slice
 */
import { Fft } from './fft';
import type { ParallelGeometry } from './radon';

// Local aliases: in jest's VM sandbox every lookup of the global `Math` costs ~100x a local one.
const { PI, cos, floor, min, sin } = Math;

/** Apodisation windows of the ramp filter, from sharpest to smoothest. */
export type RampWindow = 'ram-lak' | 'shepp-logan' | 'cosine' | 'hann';

/** All ramp windows. */
export const RAMP_WINDOWS: readonly RampWindow[] = ['ram-lak', 'shepp-logan', 'cosine', 'hann'];

/** A reusable ramp filter for one detector width. */
export class RampFilter {
  constructor(detectors: number, window: RampWindow = 'shepp-logan') {
    let size = 2;
    while (size < 2 * detectors) size <<= 1;
    this.detectors = detectors;
    this._fft = new Fft(size);
    this._response = Private.response(this._fft, window);
    this._re = new Float64Array(size);
    this._im = new Float64Array(size);
  }

  /** Number of detector bins per projection. */
  readonly detectors: number;

  /**
   * Filter projections `a` and `b` (rows of `sino` at offsets in bins) into `out` at the same
   * offsets. Two real rows travel as one complex signal: the filter is real and even, so
   * their results stay in the real and imaginary parts.
   */
  filterPair(sino: Float32Array, out: Float32Array, a: number, b: number | undefined): void {
    const n = this.detectors;
    const re = this._re;
    const im = this._im;
    re.fill(0);
    im.fill(0);
    for (let j = 0; j < n; j++) {
      re[j] = sino[a + j];
      if (b !== undefined) im[j] = sino[b + j];
    }
    this._fft.transform(re, im);
    const h = this._response;
    for (let k = 0; k < re.length; k++) {
      re[k] *= h[k];
      im[k] *= h[k];
    }
    this._fft.transform(re, im, true);
    for (let j = 0; j < n; j++) {
      out[a + j] = re[j];
      if (b !== undefined) out[b + j] = im[j];
    }
  }

  private readonly _fft: Fft;
  private readonly _response: Float64Array;
  private readonly _re: Float64Array;
  private readonly _im: Float64Array;
}

/** Ramp-filter every projection of a sinogram ([angle][bin]). */
export function filterSinogram(sino: Float32Array, geometry: ParallelGeometry, filter = new RampFilter(geometry.detectors)): Float32Array {
  const nDet = geometry.detectors;
  const count = geometry.angles.length;
  const out = new Float32Array(sino.length);
  for (let a = 0; a < count; a += 2) {
    filter.filterPair(sino, out, a * nDet, a + 1 < count ? (a + 1) * nDet : undefined);
  }
  return out;
}

/**
 * Back-project a filtered sinogram onto an n x n slice: (π / angles) Σ q(x cos θ + y sin θ),
 * with q linearly interpolated; written to `out` when given.
 */
export function backProjectSinogram(filtered: Float32Array, geometry: ParallelGeometry, out?: Float32Array): Float32Array {
  const n = geometry.size;
  const nDet = geometry.detectors;
  const image = new Float64Array(n * n);
  const c = (n - 1) / 2;
  const cDet = (nDet - 1) / 2;
  for (let a = 0; a < geometry.angles.length; a++) {
    const cosT = cos(geometry.angles[a]);
    const sinT = sin(geometry.angles[a]);
    const row = a * nDet;
    for (let y = 0; y < n; y++) {
      // Detector position of pixel (0, y); the detector covers the diagonal, so no bounds checks.
      let t = -c * cosT + (y - c) * sinT + cDet + row;
      const base = y * n;
      for (let x = 0; x < n; x++, t += cosT) {
        const k = floor(t);
        const v0 = filtered[k];
        image[base + x] += v0 + (t - k) * (filtered[k + 1] - v0);
      }
    }
  }
  const result = out ?? new Float32Array(n * n);
  const scale = PI / geometry.angles.length;
  for (let i = 0; i < n * n; i++) {
    result[i] = image[i] * scale;
  }
  return result;
}

/** Reconstruct an n x n slice from its sinogram (pixel units in, attenuation per pixel out). */
export function filteredBackProjection(sino: Float32Array, geometry: ParallelGeometry, options: filteredBackProjection.IOptions = {}): Float32Array {
  const filter = new RampFilter(geometry.detectors, options.window);
  return backProjectSinogram(filterSinogram(sino, geometry, filter), geometry);
}

/** Types of `filteredBackProjection`. */
export namespace filteredBackProjection {
  /** Options of `filteredBackProjection`. */
  export interface IOptions {
    /** Ramp window (default 'shepp-logan'). */
    window?: RampWindow;
  }
}

namespace Private {
  /** Frequency response: DFT of the band-limited ramp kernel h[0] = 1/4, h[odd m] = -1/(π m)², times the window. */
  export function response(fft: Fft, window: RampWindow): Float64Array {
    const size = fft.size;
    const re = new Float64Array(size);
    const im = new Float64Array(size);
    re[0] = 0.25;
    for (let m = 1; m < size / 2; m += 2) {
      const v = -1 / (PI * m) ** 2;
      re[m] = v;
      re[size - m] = v;
    }
    fft.transform(re, im);
    for (let k = 0; k < size; k++) {
      const f = min(k, size - k) / size; // cycles per bin, [0, 0.5]
      re[k] *= windowAt(window, f);
    }
    return re;
  }

  function windowAt(window: RampWindow, f: number): number {
    switch (window) {
      case 'ram-lak':
        return 1;
      case 'shepp-logan': {
        const w = PI * f;
        return w === 0 ? 1 : sin(w) / w;
      }
      case 'cosine':
        return cos(PI * f);
      case 'hann':
        return 0.5 + 0.5 * cos(2 * PI * f);
    }
  }
}

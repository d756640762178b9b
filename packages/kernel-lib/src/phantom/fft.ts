/**
 * In-place radix-2 complex FFT (iterative Cooley-Tukey) for the reconstruction filter.
 *
 * @example
 * const fft = new Fft(512);
 * fft.transform(re, im);          // forward
 * fft.transform(re, im, true);    // inverse, scaled by 1/n
 */

// Local aliases: in jest's VM sandbox every lookup of the global `Math` costs ~100x a local one.
const { PI, cos, log2, sin } = Math;

/** A complex FFT of one power-of-two size, with its twiddles and bit-reversal table precomputed. */
export class Fft {
  constructor(readonly size: number) {
    if (!(size >= 2) || (size & (size - 1)) !== 0) {
      throw new RangeError(`FFT size must be a power of two >= 2, got ${size}`);
    }
    this._cos = new Float64Array(size / 2);
    this._sin = new Float64Array(size / 2);
    for (let k = 0; k < size / 2; k++) {
      this._cos[k] = cos((2 * PI * k) / size);
      this._sin[k] = sin((2 * PI * k) / size);
    }
    this._reverse = new Uint32Array(size);
    const bits = log2(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this._reverse[i] = r;
    }
  }

  /** Transform (re, im) in place; `inverse` also divides by the size. */
  transform(re: Float64Array, im: Float64Array, inverse = false): void {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      const j = this._reverse[i];
      if (j > i) {
        let t = re[i]; re[i] = re[j]; re[j] = t;
        t = im[i]; im[i] = im[j]; im[j] = t;
      }
    }
    const sign = inverse ? 1 : -1;
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >> 1;
      const step = n / len;
      for (let start = 0; start < n; start += len) {
        for (let k = 0; k < half; k++) {
          const wr = this._cos[k * step];
          const wi = sign * this._sin[k * step];
          const a = start + k;
          const b = a + half;
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
    if (inverse) {
      for (let i = 0; i < n; i++) {
        re[i] /= n;
        im[i] /= n;
      }
    }
  }

  private readonly _cos: Float64Array;
  private readonly _sin: Float64Array;
  private readonly _reverse: Uint32Array;
}

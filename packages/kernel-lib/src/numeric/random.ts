/**
 * Seeded random numbers for phantoms, registration pairs and active learning: a small 32-bit
 * generator (sfc32) seeded through a splitmix32 hash, with independent streams per component,
 * so that changing a phantom's noise settings never changes its anatomy.
 *
 * @example
 * const rng = new Rng(42, Rng.stream('trabecular'));
 * rng.uniform();      // [0, 1)
 * rng.normal();       // N(0, 1)
 * rng.poisson(250);   // a photon count
 */

// Local aliases: in jest's VM sandbox every lookup of the global `Math` costs ~100x a local one.
const { PI, abs, cos, exp, floor, imul, log, round, sin, sqrt } = Math;

/** A deterministic pseudo-random generator (sfc32, 128-bit state). */
export class Rng {
  constructor(seed: number, stream = 0) {
    const lo = floor(abs(seed)) % 0x100000000;
    const hi = floor(abs(seed) / 0x100000000) ^ (seed < 0 ? 0x5bd1e995 : 0);
    let h = Private.mix32(lo ^ Private.mix32(hi ^ Private.mix32(stream)));
    this._a = h = Private.mix32(h + 1);
    this._b = h = Private.mix32(h + 2);
    this._c = h = Private.mix32(h + 3);
    this._d = 1;
    for (let i = 0; i < 12; i++) {
      this.uint32(); // warm up: the first outputs of sfc32 are correlated with the seed
    }
  }

  /** A stream number from a component name, for `new Rng(seed, Rng.stream(name))`. */
  static stream(name: string): number {
    let h = 0x811c9dc5; // FNV-1a offset basis
    for (let i = 0; i < name.length; i++) {
      h = imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
    }
    return h;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  uint32(): number {
    // sfc32 (Chris Doty-Humphrey's "small fast counting" generator).
    const t = (((this._a + this._b) | 0) + this._d) | 0;
    this._d = (this._d + 1) | 0;
    this._a = this._b ^ (this._b >>> 9);
    this._b = (this._c + (this._c << 3)) | 0;
    this._c = (this._c << 21) | (this._c >>> 11);
    this._c = (this._c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), or in [lo, hi) when given. */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * (this.uint32() / 0x100000000);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return floor(this.uniform() * n);
  }

  /** A standard normal deviate (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this._spare !== undefined) {
      const s = this._spare;
      this._spare = undefined;
      return s;
    }
    const u = 1 - this.uniform(); // (0, 1]: log(0) cannot happen
    const v = this.uniform();
    const r = sqrt(-2 * log(u));
    this._spare = r * sin(2 * PI * v);
    return r * cos(2 * PI * v);
  }

  /**
   * A Poisson deviate of mean `lambda`: exact (Knuth's product of uniforms) below 30, the
   * normal approximation with continuity correction above (its skew is < 0.2 there, far
   * below what a reconstruction can show).
   */
  poisson(lambda: number): number {
    if (!(lambda > 0)) {
      return 0;
    }
    if (lambda < 30) {
      const limit = exp(-lambda);
      let k = 0;
      let p = this.uniform();
      while (p > limit) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    const k = round(lambda + sqrt(lambda) * this.normal());
    return k < 0 ? 0 : k;
  }

  /** A uniformly distributed unit vector in 3D, as [z, y, x]. */
  unitVector(): [number, number, number] {
    const z = this.uniform(-1, 1);
    const phi = this.uniform(0, 2 * PI);
    const r = sqrt(1 - z * z);
    return [z, r * sin(phi), r * cos(phi)];
  }

  private _a: number;
  private _b: number;
  private _c: number;
  private _d: number;
  private _spare: number | undefined;
}

namespace Private {
  /** splitmix32's finaliser: a bijective 32-bit hash. */
  export function mix32(x: number): number {
    let z = (x + 0x9e3779b9) | 0;
    z = imul(z ^ (z >>> 16), 0x85ebca6b);
    z = imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
}

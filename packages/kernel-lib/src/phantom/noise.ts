/**
 * Smooth random fields for anatomy: value noise on a periodic random lattice, sampled in a
 * randomly rotated frame (so structures do not line up with the voxel axes), with a
 * quintic fade between lattice nodes. Values lie in [-1, 1] and vary over `cell` voxels.
 *
 * @example
 * const field = new SmoothNoise({ rng: new Rng(1, 7), cell: 12 });
 * field.at(10.5, 20, 31);            // one value
 * field.fractal(10.5, 20, 31, 3);    // three octaves, each half the cell, half the amplitude
 */
import { Rng } from '../numeric';

// Local aliases: in jest's VM sandbox every lookup of the global `Math` costs ~100x a local one.
const { PI, cos, floor, sin, sqrt } = Math;

/** A smooth random scalar field over voxel coordinates (z, y, x). */
export class SmoothNoise {
  constructor(options: SmoothNoise.IOptions) {
    const { rng, cell } = options;
    this._scale = 1 / cell;
    this._values = new Float32Array(Private.PERIOD ** 3);
    for (let i = 0; i < this._values.length; i++) {
      this._values[i] = rng.uniform(-1, 1);
    }
    this._rotation = Private.randomRotation(rng);
    this._offset = [rng.uniform(0, Private.PERIOD), rng.uniform(0, Private.PERIOD), rng.uniform(0, Private.PERIOD)];
  }

  /** The field at voxel coordinates (z, y, x); in [-1, 1]. */
  at(z: number, y: number, x: number): number {
    const r = this._rotation;
    const s = this._scale;
    const u = (r[0] * z + r[1] * y + r[2] * x) * s + this._offset[0];
    const v = (r[3] * z + r[4] * y + r[5] * x) * s + this._offset[1];
    const w = (r[6] * z + r[7] * y + r[8] * x) * s + this._offset[2];
    return Private.lattice(this._values, u, v, w);
  }

  /** `octaves` octaves of the field, each at half the cell size and half the amplitude, normalised to [-1, 1]. */
  fractal(z: number, y: number, x: number, octaves: number): number {
    let sum = 0;
    let norm = 0;
    let amplitude = 1;
    let f = 1;
    for (let o = 0; o < octaves; o++) {
      // Each octave is offset by an irrational shift so octaves do not share lattice nodes.
      sum += amplitude * this.at(z * f + o * 17.31, y * f + o * 5.77, x * f + o * 11.13);
      norm += amplitude;
      amplitude *= 0.5;
      f *= 2;
    }
    return sum / norm;
  }

  private readonly _values: Float32Array;
  private readonly _rotation: number[];
  private readonly _offset: [number, number, number];
  private readonly _scale: number;
}

export namespace SmoothNoise {
  /** Options of the SmoothNoise constructor. */
  export interface IOptions {
    /** Where the lattice values and the rotation come from. */
    rng: Rng;
    /** Feature size in voxels (the lattice spacing). */
    cell: number;
  }
}

namespace Private {
  /** Lattice period in cells: large enough that repetition never shows within a phantom. */
  export const PERIOD = 32;

  export function randomRotation(rng: Rng): number[] {
    // Rotation matrix from a random unit quaternion (uniform over rotations).
    const [a, b, c] = [rng.uniform(), rng.uniform(), rng.uniform()];
    const q0 = sqrt(1 - a) * sin(2 * PI * b);
    const q1 = sqrt(1 - a) * cos(2 * PI * b);
    const q2 = sqrt(a) * sin(2 * PI * c);
    const q3 = sqrt(a) * cos(2 * PI * c);
    return [
      1 - 2 * (q2 * q2 + q3 * q3), 2 * (q1 * q2 - q0 * q3), 2 * (q1 * q3 + q0 * q2),
      2 * (q1 * q2 + q0 * q3), 1 - 2 * (q1 * q1 + q3 * q3), 2 * (q2 * q3 - q0 * q1),
      2 * (q1 * q3 - q0 * q2), 2 * (q2 * q3 + q0 * q1), 1 - 2 * (q1 * q1 + q2 * q2)
    ];
  }

  function fade(t: number): number {
    return t * t * t * (t * (t * 6 - 15) + 10);
  }

  export function lattice(values: Float32Array, u: number, v: number, w: number): number {
    const P = PERIOD;
    const fu = floor(u);
    const fv = floor(v);
    const fw = floor(w);
    const tu = fade(u - fu);
    const tv = fade(v - fv);
    const tw = fade(w - fw);
    const u0 = ((fu % P) + P) % P;
    const v0 = ((fv % P) + P) % P;
    const w0 = ((fw % P) + P) % P;
    const u1 = u0 + 1 === P ? 0 : u0 + 1;
    const v1 = v0 + 1 === P ? 0 : v0 + 1;
    const w1 = w0 + 1 === P ? 0 : w0 + 1;
    const a0 = u0 * P * P;
    const a1 = u1 * P * P;
    const b0 = v0 * P;
    const b1 = v1 * P;
    const c00 = values[a0 + b0 + w0] + (values[a0 + b0 + w1] - values[a0 + b0 + w0]) * tw;
    const c01 = values[a0 + b1 + w0] + (values[a0 + b1 + w1] - values[a0 + b1 + w0]) * tw;
    const c10 = values[a1 + b0 + w0] + (values[a1 + b0 + w1] - values[a1 + b0 + w0]) * tw;
    const c11 = values[a1 + b1 + w0] + (values[a1 + b1 + w1] - values[a1 + b1 + w0]) * tw;
    const c0 = c00 + (c01 - c00) * tv;
    const c1 = c10 + (c11 - c10) * tv;
    return c0 + (c1 - c0) * tu;
  }
}

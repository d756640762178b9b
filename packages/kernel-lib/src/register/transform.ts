/**
 * `AffineTransform`: a 4x4 matrix in µm acting on physical points [z, y, x] (origin + index x
 * spacing). Registration transforms map a point of the fixed image to the point of the moving
 * image that lands there (the "pull" convention of ITK, Learn2Reg and `warpVolume`).
 *
 * @example
 * const t = AffineTransform.rigid({ angles: [0, 0, 0.1], translation: [0, 5, 0], center: [64, 64, 64] });
 * const back = t.inverse();
 * back.compose(t).applyToPoint([10, 20, 30]);      // [10, 20, 30]
 */
import { RegistrationInputError } from '../errors';
import type { Vec3 } from '../volume';

const { cos, sin, abs } = Math;

/** A 3D affine map of physical points (µm), stored as a row-major 4x4 matrix on [z, y, x, 1]. */
export class AffineTransform {
  constructor(matrix: ArrayLike<number> = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]) {
    if (matrix.length !== 16 && matrix.length !== 12) {
      throw new RegistrationInputError('matrix', `must have 12 or 16 entries (row-major 3x4 or 4x4), got ${matrix.length}`);
    }
    this.matrix = new Float64Array(16);
    for (let i = 0; i < 12; i++) this.matrix[i] = matrix[i];
    this.matrix[15] = 1;
    if (!this.matrix.every(Number.isFinite)) throw new RegistrationInputError('matrix', 'has non-finite entries');
  }

  /** The identity. */
  static identity(): AffineTransform {
    return new AffineTransform();
  }

  /** A rotation (Euler angles in radians about z, y, x, applied x first) about `center`, then a translation (µm). */
  static rigid(options: AffineTransform.IRigidOptions): AffineTransform {
    const r = Private.rotation(options.angles);
    return AffineTransform.fromLinear(r, options.translation ?? [0, 0, 0], options.center ?? [0, 0, 0]);
  }

  /** p -> L (p - center) + center + translation, with L a row-major 3x3 matrix. */
  static fromLinear(linear: ArrayLike<number>, translation: Vec3 = [0, 0, 0], center: Vec3 = [0, 0, 0]): AffineTransform {
    const m = new Float64Array(16);
    for (let r = 0; r < 3; r++) {
      let t = center[r] + translation[r];
      for (let c = 0; c < 3; c++) {
        m[r * 4 + c] = linear[r * 3 + c];
        t -= linear[r * 3 + c] * center[c];
      }
      m[r * 4 + 3] = t;
    }
    return new AffineTransform(m);
  }

  /**
   * The least-squares affine map taking `from` points to `to` points (µm, at least 4 not coplanar),
   * or the closest rigid map with `rigid: true` (polar decomposition of the affine fit).
   */
  static fromLandmarks(from: readonly Vec3[], to: readonly Vec3[], options: { rigid?: boolean } = {}): AffineTransform {
    if (from.length !== to.length || from.length < (options.rigid ? 3 : 4)) {
      throw new RegistrationInputError('landmarks', `need matching lists of at least ${options.rigid ? 3 : 4} points, got ${from.length} and ${to.length}`);
    }
    const cf = Private.centroid(from);
    const ct = Private.centroid(to);
    // Normal equations (X^T X) L^T = X^T Y on centred points.
    const xtx = new Float64Array(9);
    const xty = new Float64Array(9);
    for (let k = 0; k < from.length; k++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          xtx[i * 3 + j] += (from[k][i] - cf[i]) * (from[k][j] - cf[j]);
          xty[i * 3 + j] += (from[k][i] - cf[i]) * (to[k][j] - ct[j]);
        }
      }
    }
    let linear: Float64Array;
    if (options.rigid) {
      // Cross-covariance H = X^T Y; the rotation is the orthogonal polar factor of H^T.
      linear = Private.orthogonalPolar(transpose3x3(xty));
    } else {
      const inv = Private.invert3(xtx);
      if (!inv) throw new RegistrationInputError('landmarks', 'are coplanar or repeated; an affine fit needs 4 points spanning 3D');
      linear = transpose3x3(multiply3x3(inv, xty));
    }
    const translation = [0, 1, 2].map(i => ct[i] - cf[i]) as unknown as Vec3;
    return AffineTransform.fromLinear(linear, translation, cf);
  }

  /** Row-major 4x4 matrix on [z, y, x, 1] in µm. */
  readonly matrix: Float64Array;

  /** The 3x3 linear part, row-major. */
  get linear(): Float64Array {
    const m = this.matrix;
    return Float64Array.of(m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]);
  }

  /** Determinant of the linear part (volume change). */
  get determinant(): number {
    return Private.det3(this.linear);
  }

  /** The map "apply `first`, then this". */
  compose(first: AffineTransform): AffineTransform {
    const a = this.matrix;
    const b = first.matrix;
    const out = new Float64Array(16);
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += a[r * 4 + k] * b[k * 4 + c];
        out[r * 4 + c] = s;
      }
    }
    return new AffineTransform(out);
  }

  /** The inverse map; throws RegistrationInputError when the linear part is singular. */
  inverse(): AffineTransform {
    const inv = Private.invert3(this.linear);
    if (!inv) throw new RegistrationInputError('transform', 'is singular (determinant 0) and has no inverse');
    const m = this.matrix;
    const t = [m[3], m[7], m[11]];
    const out = new Float64Array(16);
    for (let r = 0; r < 3; r++) {
      let s = 0;
      for (let c = 0; c < 3; c++) {
        out[r * 4 + c] = inv[r * 3 + c];
        s -= inv[r * 3 + c] * t[c];
      }
      out[r * 4 + 3] = s;
    }
    return new AffineTransform(out);
  }

  /** The image of a physical point [z, y, x] µm. */
  applyToPoint(p: Vec3): [number, number, number] {
    const m = this.matrix;
    return [0, 1, 2].map(r => m[r * 4] * p[0] + m[r * 4 + 1] * p[1] + m[r * 4 + 2] * p[2] + m[r * 4 + 3]) as [number, number, number];
  }

  /** Rotation angle in degrees of the closest rotation (0 for a pure translation or scaling). */
  get rotationDegrees(): number {
    const r = Private.orthogonalPolar(this.linear);
    const c = (r[0] + r[4] + r[8] - 1) / 2;
    return (Math.acos(c > 1 ? 1 : c < -1 ? -1 : c) * 180) / Math.PI;
  }

  /** The matrix as nested rows (JSON-friendly). */
  toJSON(): number[][] {
    return [0, 1, 2, 3].map(r => Array.from(this.matrix.subarray(r * 4, r * 4 + 4)));
  }
}

export namespace AffineTransform {
  /** Options of `AffineTransform.rigid`. */
  export interface IRigidOptions {
    /** Rotation angles in radians about the z, y and x axes. */
    angles: Vec3;
    /** Translation in µm [z, y, x] (default none). */
    translation?: Vec3;
    /** Centre of rotation in µm (default the origin). */
    center?: Vec3;
  }
}

/** The product a b of two row-major 3x3 matrices. */
export function multiply3x3(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out[r * 3 + c] = a[r * 3] * b[c] + a[r * 3 + 1] * b[3 + c] + a[r * 3 + 2] * b[6 + c];
  return out;
}

/** The transpose of a row-major 3x3 matrix. */
export function transpose3x3(a: ArrayLike<number>): Float64Array {
  return Float64Array.of(a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]);
}

/** Rotation matrix (row-major, [z, y, x] axes) from angles about z, y, x; used by the optimiser too. */
export function rotationMatrix(angles: Vec3): Float64Array {
  return Private.rotation(angles);
}

namespace Private {
  export function rotation([az, ay, ax]: Vec3): Float64Array {
    // Rotations about each axis in [z, y, x] coordinates; R = Rz Ry Rx.
    const rx = Float64Array.of(cos(ax), -sin(ax), 0, sin(ax), cos(ax), 0, 0, 0, 1); // about x: mixes z, y
    const ry = Float64Array.of(cos(ay), 0, sin(ay), 0, 1, 0, -sin(ay), 0, cos(ay)); // about y: mixes z, x
    const rz = Float64Array.of(1, 0, 0, 0, cos(az), -sin(az), 0, sin(az), cos(az)); // about z: mixes y, x
    return multiply3x3(rz, multiply3x3(ry, rx));
  }


  export function det3(a: ArrayLike<number>): number {
    return a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
  }

  export function invert3(a: ArrayLike<number>): Float64Array | null {
    const d = det3(a);
    let scale = 0;
    for (let i = 0; i < 9; i++) scale = Math.max(scale, abs(a[i]));
    if (!(abs(d) > 1e-12 * scale * scale * scale)) return null;
    return Float64Array.of(
      (a[4] * a[8] - a[5] * a[7]) / d, (a[2] * a[7] - a[1] * a[8]) / d, (a[1] * a[5] - a[2] * a[4]) / d,
      (a[5] * a[6] - a[3] * a[8]) / d, (a[0] * a[8] - a[2] * a[6]) / d, (a[2] * a[3] - a[0] * a[5]) / d,
      (a[3] * a[7] - a[4] * a[6]) / d, (a[1] * a[6] - a[0] * a[7]) / d, (a[0] * a[4] - a[1] * a[3]) / d
    );
  }

  /** The orthogonal factor Q of A = Q S (Higham's iteration Q <- (Q + Q^-T) / 2), with det Q = +1. */
  export function orthogonalPolar(a: ArrayLike<number>): Float64Array {
    let q = Float64Array.from(a);
    if (det3(q) < 0) for (let i = 6; i < 9; i++) q[i] = -q[i];
    for (let it = 0; it < 50; it++) {
      const inv = invert3(q);
      if (!inv) return Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
      const invT = transpose3x3(inv);
      let change = 0;
      const next = new Float64Array(9);
      for (let i = 0; i < 9; i++) {
        next[i] = (q[i] + invT[i]) / 2;
        change = Math.max(change, abs(next[i] - q[i]));
      }
      q = next;
      if (change < 1e-12) break;
    }
    return q;
  }

  export function centroid(points: readonly Vec3[]): [number, number, number] {
    const c: [number, number, number] = [0, 0, 0];
    for (const p of points) for (let i = 0; i < 3; i++) c[i] += p[i] / points.length;
    return c;
  }
}

/**
 * `DisplacementField`: a dense field on the fixed image's grid, Float32 [3, z, y, x] with the
 * components (dz, dy, dx) in voxels of that grid. The fixed voxel x corresponds to the moving
 * point x + u(x) (pull convention, as in Learn2Reg), so `warpVolume(moving, field)` looks up
 * moving(x + u(x)). `inMicrometres()` gives the same field in µm.
 *
 * @example
 * const u = DisplacementField.fromAffine(transform, fixed);
 * const v = invertField(u);                         // x + v(x) + u(x + v(x)) = x
 * const both = composeFields(v, u);                 // ~ zero field
 * const j = jacobianDeterminant(u);                 // Volume<Float32Array> of det(I + grad u)
 */
import { RegistrationInputError } from '../errors';
import { Volume, type Shape3, type Vec3 } from '../volume';
import { trilinear } from './interpolate';
import type { AffineTransform } from './transform';

const { abs, sqrt, max } = Math;

/** A dense displacement field in voxels of the fixed grid, components (dz, dy, dx). */
export class DisplacementField {
  constructor(options: DisplacementField.IOptions) {
    Volume.checkShape(options.shape);
    const n = options.shape[0] * options.shape[1] * options.shape[2];
    if (options.data.length !== 3 * n) {
      throw new RegistrationInputError('field', `has ${options.data.length} values but shape [${options.shape.join(', ')}] needs 3 x ${n}`);
    }
    this.data = options.data;
    this.shape = [...options.shape] as unknown as Shape3;
    this.spacing = [...(options.spacing ?? [1, 1, 1])] as unknown as Vec3;
    this.origin = [...(options.origin ?? [0, 0, 0])] as unknown as Vec3;
  }

  /** The zero field on a volume's grid. */
  static zeros(grid: DisplacementField.IGrid): DisplacementField {
    const [nz, ny, nx] = grid.shape;
    return new DisplacementField({ data: new Float32Array(3 * nz * ny * nx), shape: grid.shape, spacing: grid.spacing, origin: grid.origin });
  }

  /** The field of an affine transform on the fixed grid (moving points expressed in fixed-grid voxels). */
  static fromAffine(transform: AffineTransform, grid: DisplacementField.IGrid): DisplacementField {
    const field = DisplacementField.zeros(grid);
    const [nz, ny, nx] = field.shape;
    const n = nz * ny * nx;
    const m = transform.matrix;
    const s = field.spacing;
    const o = field.origin;
    const d = field.data;
    for (let z = 0, i = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++, i++) {
          const p = [o[0] + z * s[0], o[1] + y * s[1], o[2] + x * s[2]];
          const idx = [z, y, x];
          for (let a = 0; a < 3; a++) {
            const q = m[a * 4] * p[0] + m[a * 4 + 1] * p[1] + m[a * 4 + 2] * p[2] + m[a * 4 + 3];
            d[a * n + i] = (q - o[a]) / s[a] - idx[a];
          }
        }
      }
    }
    return field;
  }

  /** Float32 [3, z, y, x]: (dz, dy, dx) in voxels. */
  readonly data: Float32Array;
  /** [z, y, x] voxel counts of the fixed grid. */
  readonly shape: Shape3;
  /** [z, y, x] voxel size of the fixed grid, µm. */
  readonly spacing: Vec3;
  /** [z, y, x] position of voxel 0 of the fixed grid, µm. */
  readonly origin: Vec3;

  /** Number of grid points. */
  get size(): number {
    return this.shape[0] * this.shape[1] * this.shape[2];
  }

  /** Component a (0 dz, 1 dy, 2 dx) as a view. */
  component(a: 0 | 1 | 2): Float32Array {
    return this.data.subarray(a * this.size, (a + 1) * this.size);
  }

  /** The displacement (voxels) at a fractional voxel position, trilinear. */
  at(z: number, y: number, x: number): [number, number, number] {
    return [0, 1, 2].map(a => trilinear(this.component(a as 0 | 1 | 2), this.shape, z, y, x)) as [number, number, number];
  }

  /** The same field in µm, Float32 [3, z, y, x]. */
  inMicrometres(): Float32Array {
    const out = new Float32Array(this.data.length);
    for (let a = 0; a < 3; a++) for (let i = a * this.size; i < (a + 1) * this.size; i++) out[i] = this.data[i] * this.spacing[a];
    return out;
  }

  /** Largest displacement length in voxels. */
  get maxMagnitude(): number {
    const n = this.size;
    const d = this.data;
    let m = 0;
    for (let i = 0; i < n; i++) m = max(m, d[i] * d[i] + d[n + i] * d[n + i] + d[2 * n + i] * d[2 * n + i]);
    return sqrt(m);
  }
}

export namespace DisplacementField {
  /** Options of the DisplacementField constructor. */
  export interface IOptions {
    data: Float32Array;
    shape: Shape3;
    spacing?: Vec3;
    origin?: Vec3;
  }
  /** A grid: a Volume or anything with its shape, spacing and origin. */
  export interface IGrid {
    shape: Shape3;
    spacing: Vec3;
    origin: Vec3;
  }
}

/**
 * The point map of `inner` followed by that of `outer`: x + c(x) = y + outer(y) with y = x + inner(x).
 * Warping by the result equals warping by `outer`, then warping that result by `inner`.
 */
export function composeFields(outer: DisplacementField, inner: DisplacementField): DisplacementField {
  Private.checkSame(outer, inner);
  const out = DisplacementField.zeros(inner);
  const [nz, ny, nx] = inner.shape;
  const n = inner.size;
  const a = inner.data;
  const oz = outer.component(0);
  const oy = outer.component(1);
  const ox = outer.component(2);
  const c = out.data;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const pz = z + a[i];
        const py = y + a[n + i];
        const px = x + a[2 * n + i];
        c[i] = a[i] + trilinear(oz, inner.shape, pz, py, px);
        c[n + i] = a[n + i] + trilinear(oy, inner.shape, pz, py, px);
        c[2 * n + i] = a[2 * n + i] + trilinear(ox, inner.shape, pz, py, px);
      }
    }
  }
  return out;
}

/** The inverse field v with x + v(x) + u(x + v(x)) = x, by fixed-point iteration v <- -u(x + v) (exact for small, smooth u). */
export function invertField(u: DisplacementField, options: { iterations?: number } = {}): DisplacementField {
  const [nz, ny, nx] = u.shape;
  const n = u.size;
  let v = new Float32Array(3 * n);
  const uz = u.component(0);
  const uy = u.component(1);
  const ux = u.component(2);
  for (let it = 0; it < (options.iterations ?? 30); it++) {
    const next = new Float32Array(3 * n);
    for (let z = 0, i = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++, i++) {
          const pz = z + v[i];
          const py = y + v[n + i];
          const px = x + v[2 * n + i];
          next[i] = -trilinear(uz, u.shape, pz, py, px);
          next[n + i] = -trilinear(uy, u.shape, pz, py, px);
          next[2 * n + i] = -trilinear(ux, u.shape, pz, py, px);
        }
      }
    }
    v = next;
  }
  return new DisplacementField({ data: v, shape: u.shape, spacing: u.spacing, origin: u.origin });
}

/**
 * det(I + grad u) per voxel, with central differences inside and one-sided at the faces (NumPy's
 * `gradient`). Values <= 0 mark folding.
 */
export function jacobianDeterminant(u: DisplacementField): Volume<Float32Array> {
  const [nz, ny, nx] = u.shape;
  const n = u.size;
  const d = u.data;
  const out = new Float32Array(n);
  const strides = [ny * nx, nx, 1];
  const dims = [nz, ny, nx];
  const g = new Float64Array(9);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const idx = [z, y, x];
        for (let b = 0; b < 3; b++) {
          const k = idx[b];
          const len = dims[b];
          const s = strides[b];
          const lo = k > 0 ? i - s : i;
          const hi = k < len - 1 ? i + s : i;
          const h = (k > 0 ? 1 : 0) + (k < len - 1 ? 1 : 0);
          for (let a = 0; a < 3; a++) g[a * 3 + b] = h ? (d[a * n + hi] - d[a * n + lo]) / h : 0;
        }
        g[0] += 1;
        g[4] += 1;
        g[8] += 1;
        out[i] = g[0] * (g[4] * g[8] - g[5] * g[7]) - g[1] * (g[3] * g[8] - g[5] * g[6]) + g[2] * (g[3] * g[7] - g[4] * g[6]);
      }
    }
  }
  return new Volume({ data: out, shape: u.shape, spacing: u.spacing, origin: u.origin });
}

/** How far forward and backward fields are from inverting each other: |u(x) + w(x + u(x))|, mean and max, voxels and µm. */
export function inverseConsistencyError(forward: DisplacementField, backward: DisplacementField): { mean: number; max: number; meanUm: number } {
  Private.checkSame(forward, backward);
  const c = composeFields(backward, forward);
  const n = c.size;
  const s = c.spacing;
  let sum = 0;
  let sumUm = 0;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const a = c.data[i];
    const b = c.data[n + i];
    const e = c.data[2 * n + i];
    const r = sqrt(a * a + b * b + e * e);
    sum += r;
    sumUm += sqrt((a * s[0]) ** 2 + (b * s[1]) ** 2 + (e * s[2]) ** 2);
    worst = max(worst, abs(r));
  }
  return { mean: sum / n, max: worst, meanUm: sumUm / n };
}

namespace Private {
  export function checkSame(a: DisplacementField, b: DisplacementField): void {
    if (a.shape.some((v, i) => v !== b.shape[i])) {
      throw new RegistrationInputError('fields', `have different shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
    }
  }
}

/**
 * Sections of a volume at any pose, the geometry of the "virtual histology": a plane with its own
 * pixel grid placed in the volume by three rotations and an offset.
 *
 * A pose is `{ angles: [az, ay, ax] (degrees), offset: [z, y, x] (µm) }`. Section pixel (i, j) of an
 * h x w image with pixel size s (µm) lies at
 *
 *   p(i, j) = c + offset + R [0, (i - (h - 1) / 2) s, (j - (w - 1) / 2) s],   R = Rx(ax) Ry(ay) Rz(az)
 *
 * with c the volume centre and the rotations about the volume's axes ([z, y, x] order, as
 * `AffineTransform.rigid`). The zero pose is the axial plane through the centre, rows along y and
 * columns along x. `az` turns the section in its own plane (the normal R e_z does not depend on it);
 * `ay` and `ax` tilt it: [0, 90, 0] is a sagittal section (normal along x), [0, 0, 90] a coronal one.
 *
 * The sampler is the trilinear (or nearest) lookup of register/ (border-aware, NaN-free); the
 * oblique stacks of volume/slicing follow the 9 fixed SUN axes, not arbitrary planes.
 *
 * @example
 * const section = virtualSection(volume, { angles: [30, 5, -3], offset: [150, 0, 0] }, { shape: [48, 48] });
 * const labels = virtualSection(labelVolume, pose, { shape: [48, 48], method: 'nearest' });
 * sectionPoseError(estimate, truth, volume);     // { angleDeg, normalDeg, offsetUm, offsetVoxels }
 */
import { RegistrationInputError } from '../errors';
import { allocate, Volume, type VoxelArray } from '../volume';
import { nearest, trilinear } from './interpolate';
import { multiply3x3, rotationMatrix, transpose3x3 } from './transform';

const { PI, sqrt, asin, min, abs } = Math;

/** Where a section lies in a volume: rotations in degrees and the centre's offset from the volume centre in µm. */
export interface SectionPose {
  /** [az, ay, ax] degrees: in-plane rotation, then tilts about y and x (R = Rx(ax) Ry(ay) Rz(az)). */
  angles: readonly [number, number, number];
  /** [z, y, x] µm: the section centre minus the volume centre. */
  offset: readonly [number, number, number];
}

/** Pixel positions of a section in voxel indices of a volume: p(i, j) = start + i row + j column. */
export interface SectionFrame {
  /** Voxel position [z, y, x] of pixel (0, 0). */
  start: [number, number, number];
  /** Step in voxels per row. */
  row: [number, number, number];
  /** Step in voxels per column. */
  column: [number, number, number];
  /** Unit normal R e_z ([z, y, x], physical). */
  normal: [number, number, number];
}

/** The rotation R = Rx(ax) Ry(ay) Rz(az) of a pose, row-major 3x3 on [z, y, x]. */
export function sectionRotation(angles: readonly [number, number, number]): Float64Array {
  const d = PI / 180;
  return multiply3x3(rotationMatrix([0, 0, angles[2] * d]), multiply3x3(rotationMatrix([0, angles[1] * d, 0]), rotationMatrix([angles[0] * d, 0, 0])));
}

/**
 * Where the pixels of an h x w section of pixel size `pixelUm` at `pose` fall in `volume` (voxel indices). The pose's
 * offset is from `centre` (µm; default the volume's centre; a pyramid level passes the full volume's).
 */
export function sectionFrame(
  volume: { shape: readonly number[]; spacing: readonly number[]; origin: readonly number[] },
  pose: SectionPose,
  shape: readonly [number, number],
  pixelUm: number,
  centre?: readonly number[]
): SectionFrame {
  Private.checkPose(pose);
  const r = sectionRotation(pose.angles);
  const [h, w] = shape;
  const start: [number, number, number] = [0, 0, 0];
  const row: [number, number, number] = [0, 0, 0];
  const column: [number, number, number] = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const at = (centre ? centre[a] : volume.origin[a] + ((volume.shape[a] - 1) * volume.spacing[a]) / 2) + pose.offset[a];
    row[a] = (r[a * 3 + 1] * pixelUm) / volume.spacing[a];
    column[a] = (r[a * 3 + 2] * pixelUm) / volume.spacing[a];
    start[a] = (at - volume.origin[a]) / volume.spacing[a] - ((h - 1) / 2) * row[a] - ((w - 1) / 2) * column[a];
  }
  return { start, row, column, normal: [r[0], r[3], r[6]] };
}

/**
 * The section of `volume` at `pose` as a one-slice volume [1, h, w] with spacing [s, s, s]
 * (trilinear, or nearest for labels); pixels outside the volume get `fill`.
 */
export function virtualSection(volume: Volume, pose: SectionPose, options: virtualSection.IOptions = {}): Volume {
  const shape = options.shape ?? [volume.shape[1], volume.shape[2]];
  const spacing = options.spacing ?? min(...volume.spacing);
  if (shape.length !== 2 || shape.some(n => !Number.isInteger(n) || n < 1)) {
    throw new RegistrationInputError('section shape', `must be two positive integers [rows, columns], got [${shape.join(', ')}]`);
  }
  if (!(spacing > 0 && Number.isFinite(spacing))) throw new RegistrationInputError('section spacing', `must be positive, got ${spacing}`);
  const linear = (options.method ?? 'linear') === 'linear';
  const [h, w] = shape;
  const out: VoxelArray = linear ? new Float32Array(h * w) : allocate(volume.dtype, h * w);
  sampleSection(volume.data, volume.shape, sectionFrame(volume, pose, shape, spacing), h, w, out, { method: linear ? 'linear' : 'nearest', fill: options.fill ?? 0 });
  return new Volume({ data: out, shape: [1, h, w], spacing: [spacing, spacing, spacing] });
}

/** Types of `virtualSection`. */
export namespace virtualSection {
  /** Options of `virtualSection`. */
  export interface IOptions {
    /** [rows, columns] of the section (default the volume's [ny, nx]). */
    shape?: readonly [number, number];
    /** Pixel size in µm (default the volume's smallest spacing). */
    spacing?: number;
    /** 'linear' (default; float32) or 'nearest' (labels; the volume's dtype). */
    method?: 'linear' | 'nearest';
    /** Value of pixels outside the volume (default 0). */
    fill?: number;
  }
}

/**
 * Samples an h x w section into `out` (row-major); pixels outside the grid (beyond half a voxel
 * past the border voxels' centres) get `fill` (NaN allowed for float output). Returns how many were inside.
 */
export function sampleSection(
  data: ArrayLike<number>,
  shape: readonly [number, number, number],
  frame: SectionFrame,
  h: number,
  w: number,
  out: { [i: number]: number; length: number },
  options: { method?: 'linear' | 'nearest'; fill?: number } = {}
): number {
  const sample = (options.method ?? 'linear') === 'linear' ? trilinear : nearest;
  const fill = options.fill ?? 0;
  const [nz, ny, nx] = shape;
  const { start, row, column } = frame;
  const hz = nz - 0.5;
  const hy = ny - 0.5;
  const hx = nx - 0.5;
  let inside = 0;
  for (let i = 0, o = 0; i < h; i++) {
    const rz = start[0] + i * row[0];
    const ry = start[1] + i * row[1];
    const rx = start[2] + i * row[2];
    for (let j = 0; j < w; j++, o++) {
      const z = rz + j * column[0];
      const y = ry + j * column[1];
      const x = rx + j * column[2];
      if (z < -0.5 || y < -0.5 || x < -0.5 || z > hz || y > hy || x > hx) {
        out[o] = fill;
        continue;
      }
      inside++;
      out[o] = sample(data, shape, z, y, x);
    }
  }
  return inside;
}

/**
 * How far an estimated pose is from the truth: the angle of the rotation between them (degrees),
 * the angle between the normals (tilt only), and the distance between the section centres in µm and
 * in voxels of `volume` (its smallest spacing).
 */
export function sectionPoseError(
  estimate: SectionPose,
  truth: SectionPose,
  volume: { spacing: readonly number[] }
): { angleDeg: number; normalDeg: number; offsetUm: number; offsetVoxels: number } {
  const a = sectionRotation(estimate.angles);
  const b = sectionRotation(truth.angles);
  // |A - B|_F = 2 sqrt(2) sin(angle / 2) and |n_a - n_b| = 2 sin(angle / 2): accurate for small angles too.
  let frobenius = 0;
  for (let i = 0; i < 9; i++) frobenius += (a[i] - b[i]) ** 2;
  const clamp1 = (v: number): number => (v > 1 ? 1 : v);
  const angleDeg = (2 * asin(clamp1(sqrt(frobenius) / (2 * sqrt(2)))) * 180) / PI;
  const normalDeg = (2 * asin(clamp1(sqrt((a[0] - b[0]) ** 2 + (a[3] - b[3]) ** 2 + (a[6] - b[6]) ** 2) / 2)) * 180) / PI;
  const offsetUm = sqrt(estimate.offset.reduce((s, v, i) => s + (v - truth.offset[i]) ** 2, 0));
  return { angleDeg, normalDeg, offsetUm, offsetVoxels: offsetUm / min(...volume.spacing) };
}

/** Angles [az, ay, ax] in degrees of a rotation matrix R = Rx(ax) Ry(ay) Rz(az) (ay in [-90, 90]). */
export function sectionAngles(r: ArrayLike<number>): [number, number, number] {
  // With Rz acting on (y, x), Ry on (z, x) and Rx on (z, y), R e_z = Rx Ry e_z = [cy cx, cy sx, -sy]
  // (from rotationMatrix's conventions), and the in-plane angle follows from R e_y.
  const deg = 180 / PI;
  const nz = r[0];
  const ny = r[3];
  const nx = r[6];
  const ay = Math.asin(nx < -1 ? 1 : nx > 1 ? -1 : -nx);
  const ax = abs(nz) + abs(ny) > 1e-12 ? Math.atan2(ny, nz) : 0;
  // Rz = (Rx Ry)^T R
  const t = multiply3x3(transpose3x3(multiply3x3(rotationMatrix([0, 0, ax]), rotationMatrix([0, ay, 0]))), r);
  const az = Math.atan2(t[7], t[4]);
  return [az * deg, ay * deg, ax * deg];
}

namespace Private {
  export function checkPose(pose: SectionPose): void {
    const values = [...(pose?.angles ?? []), ...(pose?.offset ?? [])];
    if (values.length !== 6 || !values.every(Number.isFinite)) {
      throw new RegistrationInputError('section pose', `needs three finite angles (degrees) and a finite [z, y, x] offset (µm), got ${JSON.stringify(pose)}`);
    }
  }
}

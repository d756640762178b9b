/**
 * A threaded bone screw: a cylindrical core with a helical trapezoidal thread and a conical
 * tip, along an axis tilted away from z. Dimensions are in voxels of the phantom grid.
 *
 * @example
 * const screw = randomScrew(new Rng(3, Rng.stream('screw')), [64, 64, 64]);
 * const mask = screwMask(screw, [64, 64, 64]);           // 1 inside the implant envelope
 * screwEnvelopeDepth(screw, 32, 32, 40);                  // > 0 inside, radial voxels
 */
import { Rng } from '../numeric';
import { forEachVoxel } from './voxel-grid';

// Local aliases: in jest's VM sandbox every lookup of the global `Math` costs ~100x a local one.
const { PI, abs, atan2, cos, floor, hypot, max, min, sin, sqrt } = Math;

/** Geometry of a screw implant in voxel coordinates (z, y, x). */
export interface ScrewGeometry {
  /** A point on the axis, [z, y, x]. */
  center: [number, number, number];
  /** Unit axis direction, [z, y, x], pointing from head to tip. */
  axis: [number, number, number];
  /** Tilt of the axis from z, degrees. */
  tiltDeg: number;
  /** Core (root) radius, voxels. */
  coreRadius: number;
  /** Thread crest radius, voxels. */
  outerRadius: number;
  /** Axial distance between thread turns, voxels. */
  pitch: number;
  /** Thread phase in turns, [0, 1). */
  phase: number;
  /** Axial coordinate (along `axis` from `center`) of the tip, voxels. */
  tip: number;
  /** Length of the conical tip, voxels. */
  tipLength: number;
}

/** A screw sized to the in-plane field (`shape[1..2]`), centred with a small offset and a random tilt. */
export function randomScrew(rng: Rng, shape: readonly [number, number, number], options: { maxTiltDeg?: number } = {}): ScrewGeometry {
  const [nz, ny, nx] = shape;
  const n = min(ny, nx);
  const maxTilt = options.maxTiltDeg ?? 8;
  const tiltDeg = rng.uniform(0, maxTilt);
  const azimuth = rng.uniform(0, 2 * PI);
  const t = (tiltDeg * PI) / 180;
  const axis: [number, number, number] = [cos(t), sin(t) * sin(azimuth), sin(t) * cos(azimuth)];
  // Proportions of a small-animal bone screw (core ~70 % of the crest diameter, pitch ~0.4
  // of the crest diameter), scaled so the crest diameter is ~40 % of the field, as in the
  // SRµCT scans of Mg-xGd screws (2000-voxel field, screw ~800 voxels across).
  const outerRadius = n * rng.uniform(0.17, 0.2);
  const coreRadius = outerRadius * rng.uniform(0.68, 0.75);
  const pitch = outerRadius * rng.uniform(0.75, 0.9);
  const center: [number, number, number] = [(nz - 1) / 2, (ny - 1) / 2 + n * rng.uniform(-0.03, 0.03), (nx - 1) / 2 + n * rng.uniform(-0.03, 0.03)];
  // The tip lies inside the volume for most seeds (between 70 % and 100 % of the z range).
  const tip = nz * rng.uniform(0.2, 0.5);
  return { center, axis, tiltDeg, coreRadius, outerRadius, pitch, phase: rng.uniform(), tip, tipLength: outerRadius * 1.2 };
}

/**
 * How far voxel (z, y, x) lies inside the screw envelope, measured radially (voxels);
 * negative outside. Radial depth overestimates the normal distance on the thread flanks;
 * use it for shapes, and a distance transform for depths.
 */
export function screwEnvelopeDepth(screw: ScrewGeometry, z: number, y: number, x: number): number {
  const { center, axis } = screw;
  const dz = z - center[0];
  const dy = y - center[1];
  const dx = x - center[2];
  const t = dz * axis[0] + dy * axis[1] + dx * axis[2];
  const rz = dz - t * axis[0];
  const ry = dy - t * axis[1];
  const rx = dx - t * axis[2];
  const r = sqrt(rz * rz + ry * ry + rx * rx);
  if (r > screw.outerRadius + 0.5 * screw.pitch) {
    return screw.outerRadius - r; // far outside: skip the thread
  }
  return Private.envelopeRadius(screw, t, Private.angle(screw, rz, ry, rx)) - r;
}

/** The voxels whose centres lie inside the screw envelope (1) or not (0). */
export function screwMask(screw: ScrewGeometry, shape: readonly [number, number, number]): Uint8Array {
  const [nz, ny, nx] = shape;
  const mask = new Uint8Array(nz * ny * nx);
  forEachVoxel(shape, (z, y, x, i) => {
    if (screwEnvelopeDepth(screw, z, y, x) > 0) {
      mask[i] = 1;
    }
  });
  return mask;
}

namespace Private {
  /** Angle of the radial vector around the axis, in turns [0, 1). */
  export function angle(screw: ScrewGeometry, rz: number, ry: number, rx: number): number {
    const a = screw.axis;
    // A fixed frame perpendicular to the axis: e1 = normalise(x̂ - (x̂·a) a), e2 = a × e1.
    let e1z = -a[2] * a[0];
    let e1y = -a[2] * a[1];
    let e1x = 1 - a[2] * a[2];
    const l = hypot(e1z, e1y, e1x);
    e1z /= l;
    e1y /= l;
    e1x /= l;
    const e2z = a[1] * e1x - a[2] * e1y;
    const e2y = a[2] * e1z - a[0] * e1x;
    const e2x = a[0] * e1y - a[1] * e1z;
    const u = rz * e1z + ry * e1y + rx * e1x;
    const v = rz * e2z + ry * e2y + rx * e2x;
    const turns = atan2(v, u) / (2 * PI);
    return turns < 0 ? turns + 1 : turns;
  }

  /** Envelope radius at axial position t and angle (turns): core + trapezoidal thread, conical tip. */
  export function envelopeRadius(screw: ScrewGeometry, t: number, turns: number): number {
    if (t > screw.tip) {
      return -1;
    }
    const s = t / screw.pitch - turns + screw.phase;
    const frac = s - floor(s);
    const tri = 1 - abs(2 * frac - 1); // 0 at the root, 1 at the crest
    const h = min(1, max(0, (tri - 0.2) / 0.55)); // flat crest and root, straight flanks
    let radius = screw.coreRadius + (screw.outerRadius - screw.coreRadius) * h;
    const fromTip = screw.tip - t;
    if (fromTip < screw.tipLength) {
      radius *= fromTip / screw.tipLength;
    }
    return radius;
  }
}

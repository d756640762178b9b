/**
 * Putting a screw into a bone specimen: drill the hole, set the implant, let it degrade,
 * and write the exact labels (0 background, 1 bone, 2 DL, 3 RM) and the attenuation map.
 *
 * Around the screw, bone touches the thread in some places and leaves a gap of fibrous
 * tissue elsewhere; new bone next to the implant is less mineralised (woven bone); hydrogen
 * from the corroding Mg collects as gas cavities in the soft tissue nearby.
 *
 * @example
 * const specimen = syntheticBone({ shape, seed, attenuation });
 * const { labels, mu, screw } = implantInto(specimen, { seed, fraction: 0.3, attenuation });
 */
import { distanceTransform, Rng } from '../numeric';
import type { MaterialAttenuation } from './attenuation';
import { degradeImplant } from './degradation';
import { SmoothNoise } from './noise';
import { randomScrew, screwEnvelopeDepth, ScrewGeometry } from './screw';
import { forEachVoxel } from './voxel-grid';

// Local aliases: in jest's VM sandbox every lookup of the global `Math` costs ~100x a local one.
const { PI, ceil, cos, floor, hypot, max, min, round, sin } = Math;

/** Label values of DESIGN.md. */
export const LABELS = { background: 0, bone: 1, degradation: 2, residual: 3 } as const;

/** A bone specimen before the implant goes in. */
export interface Specimen {
  /** [z, y, x] voxels. */
  shape: [number, number, number];
  /** 1 where mineralised bone. */
  bone: Uint8Array;
  /** Attenuation (1/cm) of air, tissue, marrow and bone. */
  mu: Float32Array;
}

/** A specimen with its implant. */
export interface ImplantedSpecimen {
  /** Exact labels, C order [z][y][x]. */
  labels: Uint8Array;
  /** Attenuation map (1/cm). */
  mu: Float32Array;
  /** The screw that went in. */
  screw: ScrewGeometry;
  /** Voxel counts per label value [background, bone, DL, RM]. */
  counts: [number, number, number, number];
  /** Number of corrosion pits and gas cavities. */
  pits: number;
  gasCavities: number;
}

/** Insert a (partly degraded) screw into `specimen`; the specimen's arrays are not modified. */
export function implantInto(specimen: Specimen, options: implantInto.IOptions): ImplantedSpecimen {
  const shape = specimen.shape;
  const [nz, ny, nx] = shape;
  const n = min(ny, nx);
  const size = nz * ny * nx;
  const att = options.attenuation;
  const rng = new Rng(options.seed, Rng.stream('implant'));
  const screw = randomScrew(rng, shape, { maxTiltDeg: options.maxTiltDeg });
  const gapField = new SmoothNoise({ rng, cell: 0.15 * n });
  const maxGap = (options.maxGap ?? 0.035) * n;
  const wovenRange = 0.08 * n;

  const labels = new Uint8Array(size);
  const mu = specimen.mu.slice();
  const implant = new Uint8Array(size);
  const reach = screw.outerRadius + maxGap + wovenRange + 2;
  forEachVoxel(shape, (z, y, x, i) => {
    const isBone = specimen.bone[i] === 1;
    if (isBone) labels[i] = LABELS.bone;
    const depth = screwEnvelopeDepth(screw, z, y, x);
    if (depth < -reach) return;
    if (depth > 0) {
      implant[i] = 1;
      return;
    }
    // Contact where the gap field is negative, a gap of up to maxGap where it is positive.
    const gap = maxGap * max(0, gapField.at(z, y, x) * 1.6);
    if (-depth < gap) {
      labels[i] = LABELS.background;
      mu[i] = att.tissue;
    } else if (isBone && -depth < gap + wovenRange) {
      mu[i] *= 0.88 + (0.12 * (-depth - gap)) / wovenRange;
    }
  });

  // Depth inside the implant (voxels): the distance to the nearest voxel outside it.
  const outside = new Uint8Array(size);
  for (let j = 0; j < size; j++) outside[j] = implant[j] ? 0 : 1;
  const depth = distanceTransform(outside, shape, [1, 1, 1]);
  const degradation = degradeImplant({ implant, depth, shape, fraction: options.fraction, seed: options.seed });
  for (let j = 0; j < size; j++) {
    if (!implant[j]) continue;
    if (degradation.dl[j]) {
      labels[j] = LABELS.degradation;
      mu[j] = att.degradationDense * degradation.density[j];
    } else {
      labels[j] = LABELS.residual;
      mu[j] = att.residual;
    }
  }

  const gasCavities = options.gas === false ? 0 : Private.addGas(rng, screw, labels, mu, shape, options.fraction);
  const counts: [number, number, number, number] = [0, 0, 0, 0];
  for (let j = 0; j < size; j++) counts[labels[j]]++;
  return { labels, mu, screw, counts, pits: degradation.pits, gasCavities };
}

/** Types of `implantInto`. */
export namespace implantInto {
  /** Options of `implantInto`. */
  export interface IOptions {
    /** Seed of the screw, gaps and degradation pattern. */
    seed: number;
    /** Volume fraction of the implant that has become DL, [0, 1]. */
    fraction: number;
    /** Attenuation table (1/cm). */
    attenuation: MaterialAttenuation;
    /** Largest tilt of the screw axis from z, degrees (default 8). */
    maxTiltDeg?: number;
    /** Largest bone-implant gap, as a fraction of the in-plane size (default 0.035). */
    maxGap?: number;
    /** Hydrogen gas cavities next to a degrading implant (default true). */
    gas?: boolean;
  }
}

namespace Private {
  /** Spherical hydrogen cavities in soft tissue/marrow near the implant (air: label 0, µ 0). */
  export function addGas(rng: Rng, screw: ScrewGeometry, labels: Uint8Array, mu: Float32Array, shape: readonly [number, number, number], fraction: number): number {
    const [nz, ny, nx] = shape;
    const n = min(ny, nx);
    const count = round(fraction * 8);
    for (let k = 0; k < count; k++) {
      const t = rng.uniform(-0.45, 0.35) * nz;
      const angle = rng.uniform(0, 2 * PI);
      const dist = screw.outerRadius + n * rng.uniform(0.02, 0.12);
      const r = n * rng.uniform(0.015, 0.04);
      // A point at distance `dist` from the axis, in a frame perpendicular to it.
      const a = screw.axis;
      const e1 = [-a[2] * a[0], -a[2] * a[1], 1 - a[2] * a[2]];
      const l = hypot(e1[0], e1[1], e1[2]);
      const e2 = [a[1] * e1[2] - a[2] * e1[1], a[2] * e1[0] - a[0] * e1[2], a[0] * e1[1] - a[1] * e1[0]];
      const c = [0, 1, 2].map(d => screw.center[d] + t * a[d] + (dist * (cos(angle) * e1[d] + sin(angle) * e2[d])) / l);
      for (let z = max(0, floor(c[0] - r)); z <= min(nz - 1, ceil(c[0] + r)); z++) {
        for (let y = max(0, floor(c[1] - r)); y <= min(ny - 1, ceil(c[1] + r)); y++) {
          for (let x = max(0, floor(c[2] - r)); x <= min(nx - 1, ceil(c[2] + r)); x++) {
            const j = (z * ny + y) * nx + x;
            if ((z - c[0]) ** 2 + (y - c[1]) ** 2 + (x - c[2]) ** 2 <= r * r && labels[j] === 0 && mu[j] > 0) {
              mu[j] = 0;
            }
          }
        }
      }
    }
    return count;
  }
}

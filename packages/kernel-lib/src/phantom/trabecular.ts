/**
 * Synthetic bone specimen: an embedded cylindrical sample core holding a long-bone shaft
 * (its axis in the slice plane, as when a screw is set perpendicular to a rat tibia) with a
 * porous cortical shell, and a trabecular network in the marrow cavity.
 *
 * Trabeculae are the thickened zero set of a smooth random field (plates), joined by the
 * intersections of two wider sets (rods); a second, slow field varies their density, so
 * that some regions are dense and others are open marrow.
 *
 * @example
 * const specimen = syntheticBone({ shape: [64, 64, 64], seed: 1, attenuation: materialAttenuation('Mg-10Gd') });
 * specimen.bone;   // 1 where mineralised bone
 * specimen.mu;     // 1/cm, before the implant goes in
 */
import { Rng } from '../numeric';
import type { MaterialAttenuation } from './attenuation';
import type { Specimen } from './anatomy';
import { SmoothNoise } from './noise';
import { forEachVoxel } from './voxel-grid';

// Local aliases: in jest's VM sandbox every lookup of the global `Math` costs ~100x a local one.
const { PI, abs, cos, hypot, max, min, sin, sqrt } = Math;

/** A synthetic embedded bone specimen without an implant. */
export function syntheticBone(options: syntheticBone.IOptions): Specimen {
  const [nz, ny, nx] = options.shape;
  const n = min(ny, nx);
  const rng = new Rng(options.seed, Rng.stream('bone'));
  const mu = options.attenuation;
  // Sample core: a cylinder along z inside the reconstruction circle; air outside.
  const sampleRadius = 0.47 * n;
  const cy = (ny - 1) / 2;
  const cx = (nx - 1) / 2;
  // Bone shaft: a cylinder whose axis lies (almost) in the slice plane at a random azimuth.
  const azimuth = rng.uniform(0, PI);
  const lift = rng.uniform(-0.08, 0.08);
  const axis = Private.normalise([lift, sin(azimuth), cos(azimuth)]);
  const shaftRadius = n * rng.uniform(0.4, 0.5);
  const cortex = n * rng.uniform(0.07, 0.1);
  const shaftCenter = [nz * rng.uniform(0.42, 0.62), cy + n * rng.uniform(-0.06, 0.06), cx + n * rng.uniform(-0.06, 0.06)];
  // Feature sizes relative to the field: trabecular spacing ~12 % of it (a few hundred µm in
  // a 4.8 mm field), density variation over ~40 %, cortical canals a few voxels wide.
  const plates = new SmoothNoise({ rng, cell: 0.13 * n });
  const rodsA = new SmoothNoise({ rng, cell: 0.1 * n });
  const rodsB = new SmoothNoise({ rng, cell: 0.1 * n });
  const density = new SmoothNoise({ rng, cell: 0.45 * n });
  const canals = new SmoothNoise({ rng, cell: 0.035 * n });
  const mineral = new SmoothNoise({ rng, cell: 0.08 * n });
  const plateWidth = rng.uniform(0.065, 0.085);
  const rodWidth = rng.uniform(0.12, 0.15);

  const size = nz * ny * nx;
  const bone = new Uint8Array(size);
  const out = new Float32Array(size);
  forEachVoxel(options.shape, (z, y, x, i) => {
    if ((y - cy) ** 2 + (x - cx) ** 2 > sampleRadius * sampleRadius) {
      out[i] = mu.air;
      return;
    }
    const dz = z - shaftCenter[0];
    const dy = y - shaftCenter[1];
    const dx = x - shaftCenter[2];
    const along = dz * axis[0] + dy * axis[1] + dx * axis[2];
    const r = sqrt(max(0, dz * dz + dy * dy + dx * dx - along * along));
    if (r > shaftRadius) {
      out[i] = mu.tissue;
      return;
    }
    let isBone = false;
    let m = 1;
    if (r > shaftRadius - cortex) {
      // Cortex, with Haversian/vascular canals as sparse small pores.
      isBone = canals.at(z, y, x) < 0.72;
      m = 1.02;
    } else {
      // Denser trabeculae next to the endosteal surface, a sparser cavity towards the middle.
      const nearCortex = 1 - (shaftRadius - cortex - r) / (shaftRadius - cortex);
      const local = 0.55 + 0.45 * nearCortex + 0.5 * density.at(z, y, x);
      if (local > 0.2) {
        const p = plates.at(z, y, x);
        if (abs(p) < plateWidth * local) {
          isBone = true;
        } else if (abs(rodsA.at(z, y, x)) < rodWidth * local && abs(rodsB.at(z, y, x)) < rodWidth * local) {
          isBone = true;
        }
      }
      m = 0.95;
    }
    if (isBone) {
      bone[i] = 1;
      out[i] = mu.bone * m * (1 + 0.05 * mineral.at(z, y, x));
    } else {
      out[i] = mu.marrow;
    }
  });
  return { shape: [nz, ny, nx], bone, mu: out };
}

/** Types of `syntheticBone`. */
export namespace syntheticBone {
  /** Options of `syntheticBone`. */
  export interface IOptions {
    /** [z, y, x] voxels. */
    shape: readonly [number, number, number];
    /** Seed of the anatomy. */
    seed: number;
    /** Attenuation table (1/cm). */
    attenuation: MaterialAttenuation;
  }
}

namespace Private {
  export function normalise(v: number[]): [number, number, number] {
    const l = hypot(v[0], v[1], v[2]);
    return [v[0] / l, v[1] / l, v[2] / l];
  }
}

/**
 * Degradation of a Mg implant: the degradation layer (DL) replaces residual material (RM)
 * from the surface inwards, unevenly. The implant's outer envelope stays.
 *
 * Each implant voxel gets an "effective depth": its distance to the surface, stretched or
 * shrunk by a smooth random field (uneven corrosion front) and shrunk near corrosion pits.
 * The DL is every voxel whose effective depth is below the quantile that matches the
 * degraded volume fraction, so a later stage always contains the DL of an earlier one.
 * Inside the DL, density is porous (lower at the surface, higher at the corrosion front) and
 * cut by cracks of low density.
 *
 * @example
 * const f = degradedFraction(8, 'Mg-10Gd');                  // ~0.45
 * const d = degradeImplant({ implant, depth, shape, fraction: f, seed: 1 });
 * d.dl;        // 1 where the implant became DL
 * d.density;   // DL density relative to dense degradation products
 */
import { Rng } from '../numeric';
import { ImplantMaterial, isDegradable } from './attenuation';
import { SmoothNoise } from './noise';
import { forEachVoxel } from './voxel-grid';

// Local aliases: in jest's VM sandbox every lookup of the global `Math` costs ~100x a local one.
const { abs, exp, floor, log, max, min, round } = Math;

/**
 * Fraction of the implant volume turned into DL after `weeks` in bone: 1 - exp(-k weeks).
 * The rates are illustrative, chosen to reproduce the ordering reported for Mg-xGd screws
 * in rat bone (Mg-10Gd degrades clearly faster than Mg-5Gd; at 12 weeks roughly 60 % vs
 * 30 % of the implant is converted); they are not a fit to data. Ti and PEEK do not degrade.
 */
export function degradedFraction(weeks: number, material: ImplantMaterial): number {
  if (!isDegradable(material) || !(weeks > 0)) {
    return 0;
  }
  const k = material === 'Mg-10Gd' ? -log(0.4) / 12 : -log(0.7) / 12;
  return 1 - exp(-k * weeks);
}

/** The degradation layer of an implant. */
export interface Degradation {
  /** 1 where the implant became DL. */
  dl: Uint8Array;
  /** Density of the DL relative to dense degradation products, in (0, 1]; 0 outside the DL. */
  density: Float32Array;
  /** Voxels of DL and of the whole implant. */
  dlVoxels: number;
  implantVoxels: number;
  /** Number of corrosion pits. */
  pits: number;
}

/** Turn the outer part of an implant into a degradation layer of the given volume fraction. */
export function degradeImplant(options: degradeImplant.IOptions): Degradation {
  const { implant, depth, fraction } = options;
  const [nz, ny, nx] = options.shape;
  const n = min(ny, nx);
  const size = nz * ny * nx;
  const rng = new Rng(options.seed, Rng.stream('degradation'));
  const unevenness = new SmoothNoise({ rng, cell: 0.12 * n });
  const porosity = new SmoothNoise({ rng, cell: 0.04 * n });
  const cracks = new SmoothNoise({ rng, cell: 0.09 * n });
  const cracks2 = new SmoothNoise({ rng, cell: 0.06 * n });

  // Corrosion pits: centred on random surface voxels, each a local deepening of the front.
  const surface: number[] = [];
  for (let i = 0; i < size; i++) {
    if (implant[i] && depth[i] <= 1.5) surface.push(i);
  }
  const pitCount = surface.length ? 8 + rng.int(8) : 0;
  const pits: { z: number; y: number; x: number; r2: number; strength: number }[] = [];
  for (let k = 0; k < pitCount; k++) {
    const i = surface[rng.int(surface.length)];
    const r = n * rng.uniform(0.04, 0.1);
    pits.push({ z: floor(i / (ny * nx)), y: floor(i / nx) % ny, x: i % nx, r2: r * r, strength: rng.uniform(0.6, 0.95) });
  }

  const effective = new Float32Array(size);
  const inside: number[] = [];
  forEachVoxel(options.shape, (z, y, x, i) => {
    if (!implant[i]) return;
    let e = depth[i] * exp(-1.5 * unevenness.fractal(z, y, x, 2));
    for (const p of pits) {
      const d2 = (z - p.z) ** 2 + (y - p.y) ** 2 + (x - p.x) ** 2;
      if (d2 < p.r2) e *= 1 - p.strength * (1 - d2 / p.r2);
    }
    effective[i] = e;
    inside.push(i);
  });
  const dl = new Uint8Array(size);
  const density = new Float32Array(size);
  const count = round(min(1, max(0, fraction)) * inside.length);
  if (count === 0) {
    return { dl, density, dlVoxels: 0, implantVoxels: inside.length, pits: 0 };
  }
  const sorted = Float32Array.from(inside, j => effective[j]).sort();
  const front = count >= sorted.length ? Infinity : sorted[count];
  const scale = Number.isFinite(front) ? front : sorted[sorted.length - 1] + 1;
  let dlVoxels = 0;
  for (const j of inside) {
    if (effective[j] >= front) continue;
    dl[j] = 1;
    dlVoxels++;
    const z = floor(j / (ny * nx));
    const y = floor(j / nx) % ny;
    const x = j % nx;
    // Porous at the surface (outer DL takes up tissue fluid, Ca and P), dense at the front.
    let rho = 0.5 + 0.4 * (effective[j] / scale) + 0.22 * porosity.fractal(z, y, x, 2);
    // Cracks: thin sheets of low density (drying/shrinkage cracks of the hydrated layer).
    if (abs(cracks.at(z, y, x)) < 0.025 || abs(cracks2.at(z, y, x)) < 0.015) {
      rho *= 0.35;
    }
    density[j] = min(1, max(0.15, rho));
  }
  return { dl, density, dlVoxels, implantVoxels: inside.length, pits: pitCount };
}

/** Types of `degradeImplant`. */
export namespace degradeImplant {
  /** Options of `degradeImplant`. */
  export interface IOptions {
    /** 1 inside the implant envelope. */
    implant: Uint8Array;
    /** Distance to the envelope surface (voxels), from `distanceTransform`. */
    depth: Float32Array;
    /** [z, y, x] voxels. */
    shape: readonly [number, number, number];
    /** Volume fraction of the implant that became DL, [0, 1]. */
    fraction: number;
    /** Seed of the degradation pattern (the same seed gives nested layers across fractions). */
    seed: number;
  }
}

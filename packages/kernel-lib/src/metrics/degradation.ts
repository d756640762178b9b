/**
 * Degradation analytics of a labelled implant (0 background, 1 bone, 2 DL, 3 RM): volumes
 * (mm³), DL thickness (µm: mean, max and a per-voxel map), degradation rate from the initial
 * implant volume and the implantation time, bone volume fraction BV/TV in peri-implant shells,
 * and bone-implant contact. Physical units come from the volume's spacing (µm).
 *
 * DL thickness at a DL voxel = distance to the nearest RM voxel + distance to the nearest
 * non-implant voxel - one mean voxel size (both boundaries sit half a voxel from the centres of
 * the voxels that bound the layer); a flat layer of T voxels gets exactly T voxels. Without RM
 * (fully degraded) it is twice the distance to the outside minus one voxel.
 * Shell distance: from each non-implant voxel centre to the nearest implant voxel centre; a
 * shell [a, b) µm holds the non-implant voxels with a < d <= b.
 *
 * @example
 * const d = degradationMetrics(labels, { initialImplantVolumeMm3: 1.9, weeks: 8 });
 * d.dlThicknessMeanUm; d.bvtv[0];        // { fromUm: 0, toUm: 100, bvtv: 0.31, ... }
 * table(degradationRows(d));
 */
import type { Row } from '../display';
import { MetricsInputError } from '../errors';
import { distanceTransform } from '../numeric';
import { Volume } from '../volume';

/** Label values (DESIGN.md). */
const BONE = 1;
const DL = 2;
const RM = 3;

/** BV/TV in one peri-implant shell. */
export interface ShellFraction {
  fromUm: number;
  toUm: number;
  boneVoxels: number;
  totalVoxels: number;
  /** Bone volume / total volume, 0-1 (NaN for an empty shell). */
  bvtv: number;
}

/** What `degradationMetrics` returns; every field name carries its unit. */
export interface DegradationMetrics {
  rmVolumeMm3: number;
  dlVolumeMm3: number;
  implantVolumeMm3: number;
  dlThicknessMeanUm: number;
  dlThicknessMaxUm: number;
  /** Per-voxel DL thickness (µm), 0 outside the DL; only with `thicknessMap: true`. */
  dlThicknessMap?: Volume<Float32Array>;
  /** From `initialImplantVolumeMm3`: initial minus residual (RM) volume. */
  degradedVolumeMm3?: number;
  /** Degraded volume / initial volume, 0-1. */
  degradedFraction?: number;
  /** With `weeks`: degraded volume per week. */
  degradationRateMm3PerWeek?: number;
  /** With `weeks`: degraded fraction per week, in % of the initial volume. */
  degradationRatePercentPerWeek?: number;
  bvtv: ShellFraction[];
  /** Implant surface voxels with a bone 6-neighbour / implant surface voxels, 0-1. */
  boneImplantContact: number;
  implantSurfaceVoxels: number;
}

/** Degradation and osseointegration figures of a label volume. */
export function degradationMetrics(labels: Volume, options: degradationMetrics.IOptions = {}): DegradationMetrics {
  const { shape, spacing } = labels;
  const L = labels.data;
  const size = L.length;
  const voxelMm3 = (spacing[0] * spacing[1] * spacing[2]) * 1e-9;
  const rm = new Uint8Array(size);
  const outside = new Uint8Array(size);
  const implant = new Uint8Array(size);
  let nRm = 0;
  let nDl = 0;
  for (let i = 0; i < size; i++) {
    const l = L[i];
    if (l === RM) (rm[i] = 1), (implant[i] = 1), nRm++;
    else if (l === DL) (implant[i] = 1), nDl++;
    else outside[i] = 1;
  }
  const meanSpacing = (spacing[0] + spacing[1] + spacing[2]) / 3;
  const thickness = Private.thickness(L, rm, outside, nRm, nDl, shape, spacing, meanSpacing);
  const dImplant = nRm + nDl > 0 ? distanceTransform(implant, shape, spacing) : undefined;
  const shells = options.shellsUm ?? [[0, 100], [100, 200], [200, 500]];
  for (const [a, b] of shells) if (!(a >= 0 && b > a)) throw new MetricsInputError(`A shell is [from, to) µm with 0 <= from < to; got [${a}, ${b}]`);
  const bvtv = shells.map(([fromUm, toUm]) => {
    let bone = 0;
    let total = 0;
    if (dImplant) {
      for (let i = 0; i < size; i++) {
        const d = dImplant[i];
        if (d > fromUm && d <= toUm) {
          total++;
          if (L[i] === BONE) bone++;
        }
      }
    }
    return { fromUm, toUm, boneVoxels: bone, totalVoxels: total, bvtv: total ? bone / total : NaN };
  });
  const contact = Private.contact(L, implant, shape);
  const implantVolumeMm3 = (nRm + nDl) * voxelMm3;
  const out: DegradationMetrics = {
    rmVolumeMm3: nRm * voxelMm3,
    dlVolumeMm3: nDl * voxelMm3,
    implantVolumeMm3,
    dlThicknessMeanUm: thickness.mean,
    dlThicknessMaxUm: thickness.max,
    bvtv,
    boneImplantContact: contact.surface ? contact.touching / contact.surface : NaN,
    implantSurfaceVoxels: contact.surface
  };
  if (options.thicknessMap) out.dlThicknessMap = new Volume({ data: thickness.map, shape, spacing, origin: labels.origin });
  const v0 = options.initialImplantVolumeMm3;
  if (v0 !== undefined) {
    if (!(v0 > 0)) throw new MetricsInputError(`initialImplantVolumeMm3 must be positive, got ${v0}`);
    out.degradedVolumeMm3 = v0 - out.rmVolumeMm3;
    out.degradedFraction = out.degradedVolumeMm3 / v0;
    if (options.weeks !== undefined) {
      if (!(options.weeks > 0)) throw new MetricsInputError(`weeks must be positive, got ${options.weeks}`);
      out.degradationRateMm3PerWeek = out.degradedVolumeMm3 / options.weeks;
      out.degradationRatePercentPerWeek = (100 * out.degradedFraction) / options.weeks;
    }
  }
  return out;
}

/** Types of `degradationMetrics`. */
export namespace degradationMetrics {
  /** Options of `degradationMetrics`. */
  export interface IOptions {
    /** Implant volume at implantation (mm³), e.g. from the screw's design or a time-0 scan. */
    initialImplantVolumeMm3?: number;
    /** Time since implantation in weeks. */
    weeks?: number;
    /** Peri-implant shells [from, to) in µm (default [0, 100], [100, 200], [200, 500]). */
    shellsUm?: [number, number][];
    /** Return the DL thickness map (default false). */
    thicknessMap?: boolean;
  }
}

/** Table rows {quantity, value, unit} of `degradationMetrics`' result. */
export function degradationRows(d: DegradationMetrics): Row[] {
  const rows: Row[] = [
    { quantity: 'residual material (RM) volume', value: d.rmVolumeMm3, unit: 'mm³' },
    { quantity: 'degradation layer (DL) volume', value: d.dlVolumeMm3, unit: 'mm³' },
    { quantity: 'implant volume (RM + DL)', value: d.implantVolumeMm3, unit: 'mm³' },
    { quantity: 'DL thickness, mean', value: d.dlThicknessMeanUm, unit: 'µm' },
    { quantity: 'DL thickness, max', value: d.dlThicknessMaxUm, unit: 'µm' }
  ];
  if (d.degradedVolumeMm3 !== undefined) rows.push({ quantity: 'degraded volume', value: d.degradedVolumeMm3, unit: 'mm³' });
  if (d.degradedFraction !== undefined) rows.push({ quantity: 'degraded fraction', value: 100 * d.degradedFraction, unit: '%' });
  if (d.degradationRateMm3PerWeek !== undefined) rows.push({ quantity: 'degradation rate', value: d.degradationRateMm3PerWeek, unit: 'mm³/week' });
  if (d.degradationRatePercentPerWeek !== undefined) rows.push({ quantity: 'degradation rate', value: d.degradationRatePercentPerWeek, unit: '%/week' });
  for (const s of d.bvtv) rows.push({ quantity: `BV/TV ${s.fromUm}-${s.toUm} µm from the implant`, value: 100 * s.bvtv, unit: '%' });
  rows.push({ quantity: 'bone-implant contact', value: 100 * d.boneImplantContact, unit: '% of implant surface' });
  return rows;
}

namespace Private {
  export function thickness(
    L: ArrayLike<number>,
    rm: Uint8Array,
    outside: Uint8Array,
    nRm: number,
    nDl: number,
    shape: readonly [number, number, number],
    spacing: readonly [number, number, number],
    voxel: number
  ): { mean: number; max: number; map: Float32Array } {
    const map = new Float32Array(L.length);
    if (nDl === 0) return { mean: 0, max: 0, map };
    const dOut = distanceTransform(outside, shape, spacing);
    const dRm = nRm > 0 ? distanceTransform(rm, shape, spacing) : undefined;
    let sum = 0;
    let max = 0;
    for (let i = 0; i < L.length; i++) {
      if (L[i] !== DL) continue;
      let t = dRm ? dRm[i] + dOut[i] - voxel : 2 * dOut[i] - voxel;
      if (!Number.isFinite(t)) t = 0; // a DL with no outside in the volume: thickness unknown
      map[i] = t;
      sum += t;
      if (t > max) max = t;
    }
    return { mean: sum / nDl, max, map };
  }

  /** Implant voxels with a non-implant 6-neighbour (surface), and those of them with a bone 6-neighbour. */
  export function contact(L: ArrayLike<number>, implant: Uint8Array, shape: readonly [number, number, number]): { surface: number; touching: number } {
    const [nz, ny, nx] = shape;
    const plane = ny * nx;
    let surface = 0;
    let touching = 0;
    for (let z = 0, i = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++, i++) {
          if (!implant[i]) continue;
          let exposed = false;
          let bone = false;
          const look = (j: number) => {
            if (!implant[j]) {
              exposed = true;
              if (L[j] === BONE) bone = true;
            }
          };
          if (x > 0) look(i - 1);
          if (x < nx - 1) look(i + 1);
          if (y > 0) look(i - nx);
          if (y < ny - 1) look(i + nx);
          if (z > 0) look(i - plane);
          if (z < nz - 1) look(i + plane);
          if (exposed) surface++;
          if (bone) touching++;
        }
      }
    }
    return { surface, touching };
  }
}

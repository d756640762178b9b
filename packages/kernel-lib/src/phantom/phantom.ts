/**
 * `implantPhantom`: a synthetic SRµCT tomogram of a degrading Mg screw in bone, with exact
 * labels (0 background, 1 bone, 2 DL, 3 RM). Deterministic from the seed and the options.
 *
 * Geometry is relative to the in-plane size (the screw crest diameter is ~40 % of the field,
 * as in the SRµCT scans), so a 64³ and a 256³ phantom show the same anatomy at different
 * resolutions; `spacing` sets the physical scale (attenuation per voxel, hence contrast and
 * noise). The default spacing makes the field 4.8 mm wide (2000 voxels of 2.4 µm).
 *
 * @example
 * const { image, labels, params } = await implantPhantom({ size: 64, seed: 1, stage: 8 });
 * image.dtype;       // 'float32', attenuation in 1/cm
 * labels.get(32, 32, 32);
 */
import { Volume } from '../volume';
import type { Vec3 } from '../volume';
import { implantInto, Specimen } from './anatomy';
import { ImplantMaterial, MaterialAttenuation, materialAttenuation } from './attenuation';
import { simulateScan, ScanSettings, scanSettings } from './acquisition';
import { degradedFraction } from './degradation';
import type { ScrewGeometry } from './screw';
import { syntheticBone } from './trabecular';
import { PhantomOptionError } from '../errors';

// Local aliases: in jest's VM sandbox every lookup of the global `Math` costs ~100x a local one.
const { max, min, round } = Math;

/** Width of the default field of view in µm (a 2000-voxel P05 camera row at 2.4 µm). */
export const DEFAULT_FIELD_UM = 4800;

/** Options shared by both phantom families. */
export interface PhantomCommonOptions extends Omit<simulateScan.IOptions, 'seed'> {
  /** Seed of everything random (anatomy, degradation, noise). */
  seed: number;
  /** Weeks after implantation (0-12 in the studies; default 8). Ignored when `fraction` is given. */
  stage?: number;
  /** Degraded volume fraction of the implant, [0, 1]; overrides `stage`. */
  fraction?: number;
  /** Implant material (default 'Mg-10Gd'); Ti and PEEK are non-degrading controls. */
  material?: ImplantMaterial;
  /** Voxel spacing [z, y, x] µm, or one number (default 4800 µm / in-plane size). */
  spacing?: number | Vec3;
  /** Output voxel type (default 'float32', attenuation in 1/cm); 'uint16' maps `uint16Range` to 0..65535. */
  dtype?: 'float32' | 'uint16';
  /** Attenuation range (1/cm) mapped onto 0..65535 for dtype 'uint16' (default [-1, 5]). */
  uint16Range?: [number, number];
  /** Largest tilt of the screw from the z axis, degrees (default 8). */
  maxTiltDeg?: number;
  /** Skip the acquisition and return the noiseless attenuation map (for debugging; default false). */
  idealImage?: boolean;
}

/** What a phantom was made with (JSON-serialisable). */
export interface PhantomParams {
  family: 'synthetic' | 'real-bone';
  seed: number;
  shape: [number, number, number];
  spacing: [number, number, number];
  stage: number | null;
  fraction: number;
  material: ImplantMaterial;
  dtype: 'float32' | 'uint16';
  /** Image value v means attenuation offset + slope * v (1/cm). */
  intensity: { unit: '1/cm'; offset: number; slope: number };
  attenuation: MaterialAttenuation;
  scan: ScanSettings | null;
  screw: ScrewGeometry;
  /** Voxels per label [background, bone, DL, RM], and the fraction of the volume. */
  counts: [number, number, number, number];
  volumeFractions: [number, number, number, number];
  pits: number;
  gasCavities: number;
  /** Seconds spent on anatomy and on the acquisition. */
  seconds: { anatomy: number; acquisition: number };
}

/** A phantom: the reconstructed image, its exact labels and the parameters. */
export interface Phantom {
  /** Reconstructed tomogram (float32 attenuation in 1/cm, or uint16). */
  image: Volume<Float32Array | Uint16Array>;
  /** Exact labels (uint8): 0 background, 1 bone, 2 DL, 3 RM. */
  labels: Volume<Uint8Array>;
  params: PhantomParams;
}

/** A synthetic SRµCT phantom of a screw implant in trabecular bone. */
export async function implantPhantom(options: implantPhantom.IOptions): Promise<Phantom> {
  const shape = Private.resolveShape(options);
  const started = Date.now();
  const attenuation = materialAttenuation(options.material ?? 'Mg-10Gd');
  const specimen = syntheticBone({ shape, seed: options.seed, attenuation });
  return phantomFromSpecimen(specimen, options, 'synthetic', started);
}

/** Types of `implantPhantom`. */
export namespace implantPhantom {
  /** Options of `implantPhantom`. */
  export interface IOptions extends PhantomCommonOptions {
    /** Cube side in voxels (default 64), unless `shape` is given. */
    size?: number;
    /** [z, y, x] voxels. */
    shape?: readonly [number, number, number];
  }
}

/** Implant, degrade, scan: the part both families share. */
export async function phantomFromSpecimen(specimen: Specimen, options: PhantomCommonOptions, family: PhantomParams['family'], started = Date.now()): Promise<Phantom> {
  Private.checkCommon(options);
  const shape = specimen.shape;
  const material = options.material ?? 'Mg-10Gd';
  const attenuation = materialAttenuation(material);
  const stage = options.fraction === undefined ? options.stage ?? 8 : null;
  const fraction = options.fraction ?? degradedFraction(stage ?? 0, material);
  const spacing = Private.resolveSpacing(options.spacing, shape);
  const implanted = implantInto(specimen, { seed: options.seed, fraction, attenuation, maxTiltDeg: options.maxTiltDeg });
  const anatomySeconds = (Date.now() - started) / 1000;

  const scanStart = Date.now();
  const mu = new Volume({ data: implanted.mu, shape, spacing });
  const reconstructed = options.idealImage ? mu : await simulateScan(mu, { ...options, seed: options.seed });
  const acquisitionSeconds = (Date.now() - scanStart) / 1000;

  const dtype = options.dtype ?? 'float32';
  const [lo, hi] = options.uint16Range ?? [-1, 5];
  const intensity = dtype === 'uint16' ? { unit: '1/cm' as const, offset: lo, slope: (hi - lo) / 65535 } : { unit: '1/cm' as const, offset: 0, slope: 1 };
  const image = dtype === 'uint16' ? Private.toUint16(reconstructed, lo, hi) : reconstructed;
  const size = shape[0] * shape[1] * shape[2];
  return {
    image,
    labels: new Volume({ data: implanted.labels, shape, spacing }),
    params: {
      family,
      seed: options.seed,
      shape: [...shape],
      spacing: [...spacing],
      stage,
      fraction,
      material,
      dtype,
      intensity,
      attenuation,
      scan: options.idealImage ? null : scanSettings(options, max(shape[1], shape[2])),
      screw: implanted.screw,
      counts: implanted.counts,
      volumeFractions: implanted.counts.map(c => c / size) as [number, number, number, number],
      pits: implanted.pits,
      gasCavities: implanted.gasCavities,
      seconds: { anatomy: anatomySeconds, acquisition: acquisitionSeconds }
    }
  };
}

namespace Private {
  export function resolveShape(options: implantPhantom.IOptions): [number, number, number] {
    const shape = options.shape ?? [options.size ?? 64, options.size ?? 64, options.size ?? 64];
    if (shape.length !== 3 || shape.some(s => !Number.isInteger(s) || s < 16 || s > 4096)) {
      throw new PhantomOptionError('shape', `must be three integers in 16..4096, got [${shape.join(', ')}]`);
    }
    return [shape[0], shape[1], shape[2]];
  }

  export function checkCommon(options: PhantomCommonOptions): void {
    if (!Number.isFinite(options.seed)) {
      throw new PhantomOptionError('seed', `must be a finite number, got ${options.seed}`);
    }
    if (options.stage !== undefined && !(options.stage >= 0 && Number.isFinite(options.stage))) {
      throw new PhantomOptionError('stage', `must be weeks >= 0, got ${options.stage}`);
    }
    if (options.fraction !== undefined && !(options.fraction >= 0 && options.fraction <= 1)) {
      throw new PhantomOptionError('fraction', `must be in [0, 1], got ${options.fraction}`);
    }
    if (options.flux !== undefined && !(options.flux > 0)) {
      throw new PhantomOptionError('flux', `must be > 0 photons per pixel (Infinity for no noise), got ${options.flux}`);
    }
    if (options.angles !== undefined && !(options.angles >= 2 && options.angles <= 20000)) {
      throw new PhantomOptionError('angles', `must be in 2..20000, got ${options.angles}`);
    }
  }

  export function resolveSpacing(spacing: number | Vec3 | undefined, shape: readonly number[]): [number, number, number] {
    if (spacing === undefined) {
      const s = DEFAULT_FIELD_UM / min(shape[1], shape[2]);
      return [s, s, s];
    }
    const triple = typeof spacing === 'number' ? [spacing, spacing, spacing] : [...spacing];
    if (triple.length !== 3 || triple.some(s => !(s > 0) || !Number.isFinite(s))) {
      throw new PhantomOptionError('spacing', `must be positive µm, got ${JSON.stringify(spacing)}`);
    }
    return triple as [number, number, number];
  }

  export function toUint16(v: Volume<Float32Array>, lo: number, hi: number): Volume<Uint16Array> {
    const out = new Uint16Array(v.size);
    const scale = 65535 / (hi - lo);
    for (let i = 0; i < out.length; i++) {
      const q = round((v.data[i] - lo) * scale);
      out[i] = q < 0 ? 0 : q > 65535 ? 65535 : q;
    }
    return new Volume({ data: out, shape: v.shape, spacing: v.spacing, origin: v.origin });
  }
}

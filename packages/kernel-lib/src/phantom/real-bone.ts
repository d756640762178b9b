/**
 * The real-bone phantom family: the synthetic screw and degradation layer set into real
 * X-ray micro-CT of bone, then scanned like the synthetic family. The bone texture is the
 * `bone_128x128x128.tif` example that PyPI's `qim3d` (MIT licence) ships; the set-up
 * script `scripts/fetch-qim3d-bone.sh` puts it at `QIM3D_BONE_PATH`.
 *
 * Bone labels come from a careful segmentation of the real scan (`segmentBone`): Gaussian
 * smoothing (σ = 1 voxel) against the scan's noise, Otsu's threshold on the smoothed
 * histogram, then removal of bone specks smaller than 64 voxels and filling of enclosed
 * pores smaller than 27 voxels (both below the size of a real trabecula or canal at this
 * resolution, i.e. noise). The implant, its gap and its DL are exact, as in the synthetic family.
 *
 * @example
 * const bone = readBoneTiff(QIM3D_BONE_PATH);
 * const { image, labels } = await realBonePhantom({ bone, seed: 1, stage: 8 });
 */
import { existsSync, readFileSync, statSync } from 'fs';
import { resolve } from 'path';

import { PhantomOptionError, VolumeFormatError } from '../errors';
import { convolveAxis, gaussianKernel } from '../filters';
import { notRegularFileError } from '../io';
import { Volume } from '../volume';
import type { Specimen } from './anatomy';
import { materialAttenuation } from './attenuation';
import { Phantom, PhantomCommonOptions, phantomFromSpecimen } from './phantom';

// Local aliases: in jest's VM sandbox every lookup of the global `Math` costs ~100x a local one.
const { floor, max, min, round } = Math;

/** Where `scripts/fetch-qim3d-bone.sh` puts qim3d's bone scan (examples/data/qim3d/ at the repository root). */
export const QIM3D_BONE_PATH = resolve(__dirname, '../../../../examples/data/qim3d/bone_128x128x128.tif');

/** A bone segmentation of a real scan. */
export interface BoneSegmentation {
  /** 1 where bone. */
  mask: Uint8Array;
  /** Otsu threshold, in the smoothed scan's units. */
  threshold: number;
  /** The smoothed scan. */
  smoothed: Float32Array;
  /** Median smoothed intensity inside the mask. */
  boneMedian: number;
}

/** Read an 8-bit single-channel multi-page TIFF (such as qim3d's examples) into a uint8 volume. */
export function readBoneTiff(path: string): Volume<Uint8Array> {
  if (!existsSync(path)) {
    throw new VolumeFormatError(path, 'no such file; run packages/kernel-lib/scripts/fetch-qim3d-bone.sh to fetch qim3d\'s bone scan');
  }
  const stat = statSync(path);
  if (!stat.isFile()) throw notRegularFileError(path, stat); // a FIFO would block this synchronous read for ever
  // utif2 is CommonJS; loaded lazily so that importing the phantom module stays cheap.
  const UTIF = require('utif2') as typeof import('utif2');
  const bytes = readFileSync(path);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  let pages: ReturnType<typeof UTIF.decode>;
  try {
    pages = UTIF.decode(buffer);
  } catch (error) {
    throw new VolumeFormatError(path, `not a readable TIFF (${(error as Error).message})`);
  }
  if (!pages.length) {
    throw new VolumeFormatError(path, 'the TIFF has no pages');
  }
  UTIF.decodeImage(buffer, pages[0]);
  const width = pages[0].width;
  const height = pages[0].height;
  const data = new Uint8Array(pages.length * width * height);
  pages.forEach((page, z) => {
    UTIF.decodeImage(buffer, page);
    const bits = (page as Record<string, unknown>).t258 as number[] | undefined;
    const samples = (page as Record<string, unknown>).t277 as number[] | undefined;
    if (page.width !== width || page.height !== height || (bits && bits[0] !== 8) || (samples && samples[0] !== 1)) {
      throw new VolumeFormatError(path, `page ${z} is not ${width}x${height} 8-bit grey like page 0`);
    }
    data.set((page as unknown as { data: Uint8Array }).data.subarray(0, width * height), z * width * height);
  });
  return new Volume({ data, shape: [pages.length, height, width] });
}

/** Segment bone in a real scan: smoothing, Otsu, small-speck removal, small-pore filling. */
export function segmentBone(scan: Volume, options: segmentBone.IOptions = {}): BoneSegmentation {
  const smoothed = Private.gaussian(scan, options.sigma ?? 1);
  const threshold = Private.otsu(smoothed);
  const mask = new Uint8Array(smoothed.length);
  for (let i = 0; i < mask.length; i++) mask[i] = smoothed[i] > threshold ? 1 : 0;
  Private.removeSmallComponents(mask, scan.shape, 1, options.minBoneVoxels ?? 64, false);
  Private.removeSmallComponents(mask, scan.shape, 0, options.maxPoreVoxels ?? 27, true);
  const inside: number[] = [];
  for (let i = 0; i < mask.length; i += 7) if (mask[i]) inside.push(smoothed[i]);
  inside.sort((a, b) => a - b);
  return { mask, threshold, smoothed, boneMedian: inside.length ? inside[inside.length >> 1] : threshold };
}

/** Types of `segmentBone`. */
export namespace segmentBone {
  /** Options of `segmentBone`. */
  export interface IOptions {
    /** Gaussian smoothing, voxels (default 1). */
    sigma?: number;
    /** Bone components smaller than this many voxels are dropped (default 64). */
    minBoneVoxels?: number;
    /** Enclosed non-bone components smaller than this many voxels are filled (default 27). */
    maxPoreVoxels?: number;
  }
}

/** A phantom on real bone: the synthetic implant and DL set into `bone`, then scanned. */
export async function realBonePhantom(options: realBonePhantom.IOptions): Promise<Phantom> {
  const started = Date.now();
  const shape = options.bone.shape;
  if (shape.some(s => s < 16)) {
    throw new PhantomOptionError('bone', `must be at least 16 voxels along each axis, got [${shape.join(', ')}]`);
  }
  const seg = segmentBone(options.bone, options.segmentation);
  const att = materialAttenuation(options.material ?? 'Mg-10Gd');
  const mu = new Float32Array(seg.mask.length);
  for (let i = 0; i < mu.length; i++) {
    if (seg.mask[i]) {
      // Mineral density follows the real scan's grey value, within ±10-15 % of the mean.
      const m = seg.smoothed[i] / seg.boneMedian;
      mu[i] = att.bone * min(1.1, max(0.85, m));
    } else {
      mu[i] = att.marrow;
    }
  }
  const specimen: Specimen = { shape: [shape[0], shape[1], shape[2]], bone: seg.mask, mu };
  // The scan's own spacing when it has one (a Volume defaults to 1 µm, which means "unknown" here).
  const known = options.bone.spacing.some(s => s !== 1);
  const spacing = options.spacing ?? (known ? options.bone.spacing : undefined);
  return phantomFromSpecimen(specimen, { ...options, spacing }, 'real-bone', started);
}

/** Types of `realBonePhantom`. */
export namespace realBonePhantom {
  /** Options of `realBonePhantom`. */
  export interface IOptions extends PhantomCommonOptions {
    /** The real bone scan (any voxel type; qim3d's is uint8 128³). Its shape is the phantom's shape. */
    bone: Volume;
    /** Segmentation settings (defaults as documented in the module header). */
    segmentation?: segmentBone.IOptions;
  }
}

namespace Private {
  /** Gaussian smoothing of σ voxels, taps to 3σ in float32, along z, then y, then x (edges repeated). */
  export function gaussian(scan: Volume, sigma: number): Float32Array {
    let a = Float32Array.from(scan.data as ArrayLike<number>);
    if (!(sigma > 0)) return a;
    const taps = gaussianKernel(sigma, 3, Float32Array);
    for (const axis of [0, 1, 2] as const) a = convolveAxis(a, scan.shape, axis, taps);
    return a;
  }

  /** Otsu's threshold (maximum between-class variance) over a 256-bin histogram. */
  export function otsu(values: Float32Array): number {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(hi > lo)) return lo;
    const bins = 256;
    const hist = new Float64Array(bins);
    const scale = (bins - 1) / (hi - lo);
    for (const v of values) hist[round((v - lo) * scale)]++;
    let total = 0;
    let weighted = 0;
    for (let b = 0; b < bins; b++) {
      total += hist[b];
      weighted += b * hist[b];
    }
    let w0 = 0;
    let s0 = 0;
    let best = -1;
    let bestBin = 0;
    for (let b = 0; b < bins - 1; b++) {
      w0 += hist[b];
      s0 += b * hist[b];
      const w1 = total - w0;
      if (w0 === 0 || w1 === 0) continue;
      const between = w0 * w1 * (s0 / w0 - (weighted - s0) / w1) ** 2;
      if (between > best) {
        best = between;
        bestBin = b;
      }
    }
    return lo + (bestBin + 0.5) / scale;
  }

  /**
   * Flip 6-connected components of `value` smaller than `limit` voxels to the other value;
   * with `enclosedOnly`, components touching the volume's border are kept.
   */
  export function removeSmallComponents(mask: Uint8Array, shape: readonly [number, number, number], value: 0 | 1, limit: number, enclosedOnly: boolean): void {
    const [nz, ny, nx] = shape;
    const plane = nx * ny;
    const seen = new Uint8Array(mask.length);
    const stack = new Int32Array(mask.length);
    const members: number[] = [];
    for (let start = 0; start < mask.length; start++) {
      if (seen[start] || mask[start] !== value) continue;
      members.length = 0;
      let count = 0;
      let top = 0;
      let touchesBorder = false;
      stack[top++] = start;
      seen[start] = 1;
      while (top > 0) {
        const i = stack[--top];
        if (count++ < limit) members.push(i); // past the limit: stop recording, keep flooding
        const x = i % nx;
        const y = floor(i / nx) % ny;
        const z = floor(i / (nx * ny));
        if (x === 0 || y === 0 || z === 0 || x === nx - 1 || y === ny - 1 || z === nz - 1) touchesBorder = true;
        const visit = (j: number) => {
          if (!seen[j] && mask[j] === value) {
            seen[j] = 1;
            stack[top++] = j;
          }
        };
        if (x > 0) visit(i - 1);
        if (x < nx - 1) visit(i + 1);
        if (y > 0) visit(i - nx);
        if (y < ny - 1) visit(i + nx);
        if (z > 0) visit(i - plane);
        if (z < nz - 1) visit(i + plane);
      }
      if (count < limit && !(enclosedOnly && touchesBorder)) {
        for (const i of members) mask[i] = value ? 0 : 1;
      }
    }
  }
}

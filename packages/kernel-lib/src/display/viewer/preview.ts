/**
 * Downsampled copies of layers: the preview embedded in the notebook (a few MB for all
 * layers together) and the overview written next to a layer too big for the browser.
 * Labels are binned by mode (classes stay classes), the rest by mean. Previews store one byte
 * per voxel: intensities and confidence are quantised over their display range, with the
 * NIfTI scaling that maps them back to approximate true values (a noisy float32 image does
 * not compress, and the preview only has to look right).
 *
 * @example
 * const factor = reductionFactor([image, labels], 4 * 2 ** 20);   // e.g. 4
 * const small = reduce(labels, 'labels', factor);
 */
import { gzipSync } from 'zlib';

import type { NiftiScaling } from '../../io';
import type { LayerKind, ReducedLayer, Triple, ViewerLimits } from '../../protocol';
import { bin, Volume } from '../../volume';
import { niftiBytes } from './nifti-bytes';

/** Default budget of the embedded preview, all layers together (raw voxel bytes). */
export const DEFAULT_PREVIEW_BYTES = 2 * 2 ** 20;

/**
 * Size of the cached overview, which every WebGL2 browser can show: WebGL2 guarantees 3D
 * textures of 256 per side, and 2^24 voxels (256^3) keep niivue's RGBA textures under 200 MB.
 * Layers bigger than this get an overview; the browser shows it instead when the full layer
 * exceeds its own limits (3D texture size, voxel budget), with full-resolution detail on demand.
 */
export const OVERVIEW_LIMITS: ViewerLimits = { maxSide: 256, maxVoxels: 2 ** 24 };

/**
 * The smallest integer binning factor that brings the volumes together under `budgetBytes` and
 * every side under `maxSide`; `bytesPerVoxel` 1 counts as previews are stored, 0 as each volume's own type.
 */
export function reductionFactor(volumes: readonly Volume[], budgetBytes: number, maxSide = Infinity, bytesPerVoxel = 0): number {
  const bytes = (v: Volume) => v.size * (bytesPerVoxel || v.byteLength / v.size);
  const total = volumes.reduce((sum, v) => sum + bytes(v), 0);
  const longest = Math.max(...volumes.map(v => Math.max(...v.shape)));
  let factor = Math.max(1, Math.ceil(Math.cbrt(total / budgetBytes)), Math.ceil(longest / maxSide));
  const shortest = Math.min(...volumes.map(v => Math.min(...v.shape)));
  while (factor > 1 && volumes.reduce((sum, v) => sum + Private.reducedVoxels(v, factor) * (bytes(v) / v.size), 0) > budgetBytes * 1.0001 && factor < shortest) {
    factor++;
  }
  return Math.min(factor, Math.max(1, shortest));
}

/** `volume` binned by `factor` (itself when the factor is 1). */
export function reduce(volume: Volume, kind: LayerKind, factor: number): Volume {
  return factor <= 1 ? volume : bin(volume, factor, { method: kind === 'labels' ? 'mode' : 'mean' });
}

/** A reduced layer embedded as base64 gzip NIfTI, one byte per voxel (`range`: the values that byte spans). */
export function embeddedPreview(volume: Volume, kind: LayerKind, factor: number, range: readonly [number, number]): ReducedLayer {
  const small = reduce(volume, kind, factor);
  const { bytes, scaling } = small.dtype === 'uint8' ? { bytes: small, scaling: undefined } : Private.quantise(small, range);
  return { src: { data: gzipSync(niftiBytes(bytes, scaling), { level: 6 }).toString('base64') }, shape: [...small.shape] as Triple, factor };
}

/** Whether a layer exceeds `limits` (and so gets an overview that fits them). */
export function needsOverview(volume: Volume, limits: ViewerLimits = OVERVIEW_LIMITS): boolean {
  return Math.max(...volume.shape) > limits.maxSide || volume.size > limits.maxVoxels;
}

/** The smallest binning factor that brings `volume` within `limits`. */
export function overviewFactor(volume: Volume, limits: ViewerLimits = OVERVIEW_LIMITS): number {
  return reductionFactor([volume], limits.maxVoxels, limits.maxSide, 1);
}

namespace Private {
  export function reducedVoxels(volume: Volume, factor: number): number {
    return volume.shape.reduce((n, s) => n * Math.max(1, Math.floor(s / factor)), 1);
  }

  /** Values over [low, high] to 0..255 (clamped), with the scaling back. */
  export function quantise(volume: Volume, [low, high]: readonly [number, number]): { bytes: Volume; scaling: NiftiScaling } {
    const span = high > low ? high - low : 1;
    const out = new Uint8Array(volume.size);
    const src = volume.data;
    for (let i = 0; i < out.length; i++) {
      const v = Math.round(((src[i] - low) / span) * 255);
      out[i] = v < 0 || Number.isNaN(v) ? 0 : v > 255 ? 255 : v;
    }
    return { bytes: new Volume({ data: out, shape: volume.shape, spacing: volume.spacing, origin: volume.origin }), scaling: { slope: span / 255, inter: low } };
  }
}

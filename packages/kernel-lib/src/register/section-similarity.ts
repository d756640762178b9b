/**
 * The similarity of slice-to-volume registration: normalised mutual information (Studholme:
 * (H(A) + H(B)) / H(A, B), in [1, 2]) between a 2D image and the section of a volume at a pose, on
 * one level of a pyramid (volume average-pooled, image box-resampled to the same voxel size, both
 * binned once). Joint histograms use bilinear (partial-volume) binning, so the score changes smoothly
 * with the pose; pixels outside the volume count as its lowest bin.
 *
 * @example
 * const level = sectionLevel(volume, image, h, w, pixelUm, 2, vmin, centre, undefined, 0.5);
 * sectionNmi(level, { angles: [0, 5, 0], offset: [0, 0, 150] });     // larger is better
 */
import { RegistrationInputError } from '../errors';
import { sortedQuantile, sortedSample } from '../numeric';
import type { Vec3, Volume } from '../volume';
import { averagePool } from './interpolate';
import { sectionFrame, type SectionPose } from './section';

const { floor, max, min, round, sqrt, log, ceil } = Math;

/** One pyramid level: the volume pooled by f and normalised to [0, bins - 1], the image resampled and binned. */
export interface SectionLevel {
  vol: Float32Array;
  shape: [number, number, number];
  spacing: Vec3;
  origin: Vec3;
  centre: Vec3;
  /** Image pixels: bin index (0..bins-2) and fraction, row-major [h, w]. */
  binIndex: Int32Array;
  binFrac: Float32Array;
  h: number;
  w: number;
  /** Image pixel size at this level, µm. */
  pixel: number;
  bins: number;
  minInside: number;
  /** Reusable joint histogram. */
  joint: Float64Array;
  /** Volume normalisation (for nmi2d). */
  range: [number, number];
}

export function checkedImage(data: ArrayLike<number>, what: string): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new RegistrationInputError(what, 'has NaN or infinite values; replace them before registering');
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) throw new RegistrationInputError(what, `is constant (every value ${lo}); there is no structure to register`);
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/** The 0.5th and 99.5th percentiles (the histogram's range). */
export function intensityRange(data: ArrayLike<number>): [number, number] {
  const sample = sortedSample(data);
  const lo = sortedQuantile(sample, 0.005, 'lower');
  let hi = sortedQuantile(sample, 0.995, 'higher');
  if (!(hi > lo)) hi = sample[sample.length - 1];
  return [lo, hi > lo ? hi : lo + 1];
}

export function sectionLevel(
  volume: Volume, image: Float32Array, h: number, w: number, pixelUm: number, f: number, vmin: number, centre: Vec3, bins: number | undefined, minOverlap: number
): SectionLevel {
  const data = volume.data instanceof Float32Array ? volume.data : Float32Array.from(volume.data);
  const pooled = f > 1 ? averagePool(data, 1, volume.shape, f) : { data, shape: [...volume.shape] as [number, number, number] };
  const spacing = volume.spacing.map(s => s * f) as unknown as Vec3;
  const origin = volume.origin.map((o, a) => o + ((f - 1) / 2) * volume.spacing[a]) as unknown as Vec3;
  // The image at this level's voxel size (never finer than given), sharing its centre.
  const pixel = max(pixelUm, f * vmin);
  const ratio = pixel / pixelUm;
  const lh = max(4, round(h / ratio));
  const lw = max(4, round(w / ratio));
  const resampled = resample2d(image, h, w, lh, lw, ratio);
  return build(pooled.data, pooled.shape, spacing, origin, centre, resampled, lh, lw, pixel, bins, minOverlap, intensityRange(data), intensityRange(image));
}

/** The full-resolution level at the image's own pixel size (for the reported similarities). */
export function fullSectionLevel(volume: Volume, image: Float32Array, h: number, w: number, pixelUm: number, centre: Vec3, bins: number | undefined, minOverlap: number): SectionLevel {
  const data = volume.data instanceof Float32Array ? volume.data : Float32Array.from(volume.data);
  return build(data, [...volume.shape] as [number, number, number], volume.spacing, volume.origin, centre, image, h, w, pixelUm, bins, minOverlap, intensityRange(data), intensityRange(image));
}

function build(
  vol: Float32Array, shape: [number, number, number], spacing: Vec3, origin: Vec3, centre: Vec3,
  img: Float32Array, h: number, w: number, pixel: number, bins: number | undefined, minOverlap: number,
  volRange: [number, number], imgRange: [number, number]
): SectionLevel {
  const b = bins ?? min(32, max(8, round(sqrt((h * w) / 4))));
  const norm = new Float32Array(vol.length);
  const [vlo, vhi] = volRange;
  for (let i = 0; i < vol.length; i++) {
    const v = ((vol[i] - vlo) / (vhi - vlo)) * (b - 1);
    norm[i] = v < 0 ? 0 : v > b - 1 ? b - 1 : v;
  }
  const binIndex = new Int32Array(h * w);
  const binFrac = new Float32Array(h * w);
  const [ilo, ihi] = imgRange;
  for (let i = 0; i < h * w; i++) {
    let v = ((img[i] - ilo) / (ihi - ilo)) * (b - 1);
    v = v < 0 ? 0 : v > b - 1 ? b - 1 : v;
    let k = floor(v);
    if (k > b - 2) k = b - 2;
    binIndex[i] = k;
    binFrac[i] = v - k;
  }
  return {
    vol: norm, shape, spacing, origin, centre, binIndex, binFrac, h, w, pixel, bins: b,
    minInside: max(16, minOverlap * h * w), joint: new Float64Array(b * b), range: volRange
  };
}

/** Channel c of a [C, h, w] field (n = h * w) at (y, x), bilinear, clamped to the edges. */
export function bilinearAt(field: Float32Array, n: number, h: number, w: number, c: number, y: number, x: number): number {
  y = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  x = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  let y0 = floor(y);
  let x0 = floor(x);
  if (y0 === h - 1 && h > 1) y0--;
  if (x0 === w - 1 && w > 1) x0--;
  const fy = y - y0;
  const fx = x - x0;
  const b = c * n + y0 * w + x0;
  const dx = w > 1 ? 1 : 0;
  const dy = h > 1 ? w : 0;
  const a = field[b] + fx * (field[b + dx] - field[b]);
  const d = field[b + dy] + fx * (field[b + dy + dx] - field[b + dy]);
  return a + fy * (d - a);
}

/** Resamples a 2D image to lh x lw pixels of `ratio` times the size (box-averaged), keeping the centre. */
export function resample2d(src: Float32Array, h: number, w: number, lh: number, lw: number, ratio: number): Float32Array {
  if (lh === h && lw === w && ratio === 1) return src;
  const out = new Float32Array(lh * lw);
  const k = max(1, ceil(ratio));
  for (let i = 0; i < lh; i++) {
    for (let j = 0; j < lw; j++) {
      const cy = (h - 1) / 2 + (i - (lh - 1) / 2) * ratio;
      const cx = (w - 1) / 2 + (j - (lw - 1) / 2) * ratio;
      let s = 0;
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) s += bilinearAt(src, 0, h, w, 0, cy + ((a + 0.5) / k - 0.5) * ratio, cx + ((b + 0.5) / k - 0.5) * ratio);
      }
      out[i * lw + j] = s / (k * k);
    }
  }
  return out;
}

/** NMI of the level's image and the volume's section at `pose`; -Infinity below the overlap floor. */
export function sectionNmi(level: SectionLevel, pose: SectionPose): number {
  const { vol, shape, spacing, origin, centre, binIndex, binFrac, h, w, pixel, bins, joint } = level;
  const [nz, ny, nx] = shape;
  const { start, row, column: col } = sectionFrame({ shape, spacing, origin }, pose, [h, w], pixel, centre);
  joint.fill(0);
  const plane = ny * nx;
  const bm = bins - 2;
  let inside = 0;
  // jscpd:ignore-start: sampleSection's walk over the pixels (section.ts), kept inline: NMI runs for every pose the search tries, and a shared per-pixel callback made registerSection 15-20 % slower
  for (let i = 0, o = 0; i < h; i++) {
    const rz = start[0] + i * row[0];
    const ry = start[1] + i * row[1];
    const rx = start[2] + i * row[2];
    for (let j = 0; j < w; j++, o++) {
      const z = rz + j * col[0];
      const y = ry + j * col[1];
      const x = rx + j * col[2];
      if (z < 0 || y < 0 || x < 0 || z > nz - 1 || y > ny - 1 || x > nx - 1) {
        // Outside the volume counts as empty (the lowest bin), so poses leaving the volume lose.
        const cell = binIndex[o] * bins;
        joint[cell] += 1 - binFrac[o];
        joint[cell + bins] += binFrac[o];
        continue;
      }
      let z0 = floor(z);
      let y0 = floor(y);
      let x0 = floor(x);
      if (z0 > nz - 2) z0 = nz - 2;
      if (y0 > ny - 2) y0 = ny - 2;
      if (x0 > nx - 2) x0 = nx - 2;
      const fz = z - z0;
      const fy = y - y0;
      const fx = x - x0;
      const b = (z0 * ny + y0) * nx + x0;
      const c00 = vol[b] + fx * (vol[b + 1] - vol[b]);
      const c01 = vol[b + nx] + fx * (vol[b + nx + 1] - vol[b + nx]);
      const c10 = vol[b + plane] + fx * (vol[b + plane + 1] - vol[b + plane]);
      const c11 = vol[b + plane + nx] + fx * (vol[b + plane + nx + 1] - vol[b + plane + nx]);
      const c0 = c00 + fy * (c01 - c00);
      const v = c0 + fz * (c10 + fy * (c11 - c10) - c0);
      let kb = floor(v);
      if (kb > bm) kb = bm;
      const fb = v - kb;
      addPartialVolume(joint, bins, binIndex[o], binFrac[o], kb, fb);
      inside++;
    }
  }
  // jscpd:ignore-end
  if (inside < level.minInside) return -Infinity;
  return entropyRatio(joint, bins, h * w);
}

/** NMI of two images on the same grid (volume-side values in the level's volume range). */
export function imageNmi(level: SectionLevel, section: Float32Array, image: Float32Array): number {
  const bins = level.bins;
  const joint = new Float64Array(bins * bins);
  const [lo, hi] = level.range;
  const [ilo, ihi] = intensityRange(image);
  const soft = (v: number, a: number, b: number): [number, number] => {
    let t = ((v - a) / (b - a)) * (bins - 1);
    t = t < 0 ? 0 : t > bins - 1 ? bins - 1 : t;
    const k = min(bins - 2, floor(t));
    return [k, t - k];
  };
  for (let i = 0; i < section.length; i++) {
    const [kb, fb] = soft(section[i], lo, hi);
    const [ka, fa] = soft(image[i], ilo, ihi);
    addPartialVolume(joint, bins, ka, fa, kb, fb);
  }
  return entropyRatio(joint, bins, section.length);
}

/**
 * Bilinear (partial-volume) binning of one pixel pair: image value at bin ka + fa, volume value at kb + fb, their
 * weight spread over the four cells of the joint histogram around (ka, kb).
 */
function addPartialVolume(joint: Float64Array, bins: number, ka: number, fa: number, kb: number, fb: number): void {
  const cell = ka * bins + kb;
  joint[cell] += (1 - fa) * (1 - fb);
  joint[cell + 1] += (1 - fa) * fb;
  joint[cell + bins] += fa * (1 - fb);
  joint[cell + bins + 1] += fa * fb;
}

/** (H(A) + H(B)) / H(A, B) of a joint histogram with total weight n. */
export function entropyRatio(joint: Float64Array, bins: number, n: number): number {
  let hab = 0;
  let ha = 0;
  let hb = 0;
  const colSum = new Float64Array(bins);
  for (let a = 0; a < bins; a++) {
    let rowSum = 0;
    for (let b = 0; b < bins; b++) {
      const c = joint[a * bins + b];
      if (c > 0) {
        hab -= c * log(c);
        rowSum += c;
        colSum[b] += c;
      }
    }
    if (rowSum > 0) ha -= rowSum * log(rowSum);
  }
  for (let b = 0; b < bins; b++) if (colSum[b] > 0) hb -= colSum[b] * log(colSum[b]);
  // H = log n + (sum of -c log c) / n
  const ln = log(n);
  const Hab = ln + hab / n;
  return Hab > 0 ? (2 * ln + (ha + hb) / n) / Hab : 1;
}

/** The grid of the global search: poses indexed by k. */

/**
 * Orthogonal slices as a PNG picture: axial (z), coronal (y) and sagittal (x) planes through
 * one voxel, in physical proportions, with an optional label overlay (the class colours of
 * DESIGN.md) and a confidence row. It is the static face of every volume output: what
 * nbconvert, GitHub and email show.
 *
 * @example
 * showSlices(image, { labels, title: 'Phantom, 8 weeks' });
 * const png = orthoSlicesPng(image, { index: [64, 40, 70] });
 */
import { PNG } from 'pngjs';

import { VolumeShapeError } from '../errors';
import type { Volume } from '../volume';
import { publishDisplay } from './output';

/** RGB colours of the label values (0 transparent): bone, degradation layer, residual material. */
export const LABEL_COLORS: Record<number, readonly [number, number, number]> = {
  1: [232, 217, 160],
  2: [217, 83, 79],
  3: [91, 139, 217]
};

/** Three orthogonal planes (and a confidence row) as PNG bytes. */
export function orthoSlicesPng(volume: Volume, options: showSlices.IOptions = {}): Uint8Array {
  for (const other of [options.labels, options.confidence]) {
    if (other && other.shape.some((n, a) => n !== volume.shape[a])) {
      throw new VolumeShapeError(`Overlay shape [${other.shape.join(', ')}] differs from the image [${volume.shape.join(', ')}]`);
    }
  }
  const panels = Private.panels(volume, options.index ?? (volume.shape.map(n => n >> 1) as [number, number, number]), options.maxPanel ?? 320);
  const window = options.window ?? Private.window(volume, panels);
  const gap = 4;
  const rows = options.confidence ? 2 : 1;
  const width = panels.reduce((w, p) => w + p.width, 0) + gap * (panels.length - 1);
  const height = Math.max(...panels.map(p => p.height));
  const png = new PNG({ width, height: rows * height + (rows - 1) * gap });
  png.data.fill(255);
  let left = 0;
  for (const panel of panels) {
    Private.drawImage(png, panel, left, 0, volume, window, options.labels, options.labelOpacity ?? 0.45);
    if (options.confidence) {
      Private.drawHeat(png, panel, left, height + gap, options.confidence);
    }
    left += panel.width + gap;
  }
  return PNG.sync.write(png);
}

/** Show the three planes in the calling cell (image/png with a text description). */
export function showSlices(volume: Volume, options: showSlices.IOptions = {}): void {
  const index = options.index ?? (volume.shape.map(n => n >> 1) as [number, number, number]);
  const png = Buffer.from(orthoSlicesPng(volume, { ...options, index })).toString('base64');
  const text = `${options.title ? `${options.title}: ` : ''}slices z=${index[0]}, y=${index[1]}, x=${index[2]} of ` +
    `${volume.shape.join(' x ')} ${volume.dtype}${options.labels ? ' with labels' : ''}${options.confidence ? ' and confidence' : ''}`;
  publishDisplay({ 'image/png': png, 'text/plain': text }, { metadata: { 'image/png': { alt: text } } });
}

/** Types of `showSlices`. */
export namespace showSlices {
  /** Options of `orthoSlicesPng` and `showSlices`. */
  export interface IOptions {
    /** Voxel [z, y, x] the three planes go through (default: the centre). */
    index?: readonly [number, number, number];
    /** Labels drawn over the image (same shape). */
    labels?: Volume;
    /** Opacity of the label overlay (default 0.45). */
    labelOpacity?: number;
    /** A confidence map in [0, 1] (same shape), drawn as a second row: dark = sure, bright = unsure. */
    confidence?: Volume;
    /** Intensity window [low, high] (default: 1st and 99th percentile of the shown pixels). */
    window?: readonly [number, number];
    /** Longest side of a panel in pixels (default 320). */
    maxPanel?: number;
    /** Text shown with the picture (text/plain and the image's alt text). */
    title?: string;
  }
}

namespace Private {
  /** A plane sampled onto screen pixels: voxel index of each pixel. */
  export interface Panel {
    width: number;
    height: number;
    voxels: Int32Array;
  }

  export function panels(volume: Volume, index: readonly [number, number, number], maxPanel: number): Panel[] {
    const [nz, ny, nx] = volume.shape;
    const [sz, sy, sx] = volume.spacing;
    const at = (z: number, y: number, x: number) => (z * ny + y) * nx + x;
    const [iz, iy, ix] = index.map((v, a) => Math.min(volume.shape[a] - 1, Math.max(0, Math.round(v))));
    // Each plane: rows along one axis, columns along another, scaled to square pixels.
    return [
      plane(ny, sy, nx, sx, maxPanel, (r, c) => at(iz, r, c)),
      plane(nz, sz, nx, sx, maxPanel, (r, c) => at(r, iy, c)),
      plane(nz, sz, ny, sy, maxPanel, (r, c) => at(r, c, ix))
    ];
  }

  function plane(rows: number, rowUm: number, cols: number, colUm: number, maxPanel: number, voxel: (r: number, c: number) => number): Panel {
    const heightUm = rows * rowUm;
    const widthUm = cols * colUm;
    const pixelUm = Math.max(heightUm, widthUm) / maxPanel; // small volumes are enlarged, big ones sampled down
    const height = Math.max(1, Math.round(heightUm / pixelUm));
    const width = Math.max(1, Math.round(widthUm / pixelUm));
    const voxels = new Int32Array(width * height);
    for (let y = 0; y < height; y++) {
      const r = Math.min(rows - 1, Math.floor(((y + 0.5) * rows) / height));
      for (let x = 0; x < width; x++) {
        voxels[y * width + x] = voxel(r, Math.min(cols - 1, Math.floor(((x + 0.5) * cols) / width)));
      }
    }
    return { width, height, voxels };
  }

  export function window(volume: Volume, panels: Panel[]): [number, number] {
    const values: number[] = [];
    for (const panel of panels) {
      const step = Math.max(1, Math.floor(panel.voxels.length / 20000));
      for (let i = 0; i < panel.voxels.length; i += step) {
        const v = volume.data[panel.voxels[i]];
        if (Number.isFinite(v)) values.push(v);
      }
    }
    values.sort((a, b) => a - b);
    const low = values[Math.floor(0.01 * (values.length - 1))] ?? 0;
    const high = values[Math.ceil(0.99 * (values.length - 1))] ?? 1;
    return [low, high > low ? high : low + 1];
  }

  export function drawImage(
    png: PNG, panel: Panel, left: number, top: number, volume: Volume,
    [low, high]: readonly [number, number], labels: Volume | undefined, opacity: number
  ): void {
    const scale = 255 / (high - low);
    for (let y = 0; y < panel.height; y++) {
      for (let x = 0; x < panel.width; x++) {
        const voxel = panel.voxels[y * panel.width + x];
        const g = Math.max(0, Math.min(255, (volume.data[voxel] - low) * scale));
        let rgb: [number, number, number] = [g, g, g];
        const colour = labels ? LABEL_COLORS[labels.data[voxel]] : undefined;
        if (colour) {
          rgb = rgb.map((v, i) => (1 - opacity) * v + opacity * colour[i]) as [number, number, number];
        }
        put(png, left + x, top + y, rgb);
      }
    }
  }

  export function drawHeat(png: PNG, panel: Panel, left: number, top: number, confidence: Volume): void {
    for (let y = 0; y < panel.height; y++) {
      for (let x = 0; x < panel.width; x++) {
        // Uncertainty (1 - confidence) on a black-red-yellow-white ramp.
        const u = Math.max(0, Math.min(1, 1 - confidence.data[panel.voxels[y * panel.width + x]]));
        put(png, left + x, top + y, [Math.min(255, 3 * 255 * u), Math.max(0, Math.min(255, 3 * 255 * u - 255)), Math.max(0, 3 * 255 * u - 510)]);
      }
    }
  }

  function put(png: PNG, x: number, y: number, [r, g, b]: readonly number[]): void {
    const o = (y * png.width + x) * 4;
    png.data[o] = r;
    png.data[o + 1] = g;
    png.data[o + 2] = b;
    png.data[o + 3] = 255;
  }
}

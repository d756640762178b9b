/**
 * 2D images side by side as one PNG: sections, virtual sections and warped histology, each with
 * its own intensity window and an optional label overlay (the class colours of `showSlices`). One-
 * slice volumes [1, h, w] show their slice; thicker volumes show their middle z slice.
 *
 * @example
 * showImages([{ image: histology, title: 'section' }, { image: result.section, labels, title: 'virtual section' }]);
 * const png = imagesPng([{ image: a }, { image: b }], { maxPanel: 200 });
 */
import { PNG } from 'pngjs';

import { VolumeShapeError } from '../errors';
import type { Volume } from '../volume';
import { publishDisplay } from './output';
import { LABEL_COLORS } from './slices';

/** One panel of `imagesPng` / `showImages`. */
export interface ImagePanel {
  /** A one-slice volume [1, h, w] (or any volume: its middle z slice). */
  image: Volume;
  /** Labels drawn over it (same shape). */
  labels?: Volume;
  /** Intensity window (default: 1st and 99th percentile of the slice). */
  window?: readonly [number, number];
  /** Caption (in the text description and the alt text). */
  title?: string;
}

/** The panels' slices side by side (physical proportions, 4 px gaps) as PNG bytes. */
export function imagesPng(panels: readonly ImagePanel[], options: showImages.IOptions = {}): Uint8Array {
  if (!panels.length) throw new VolumeShapeError('imagesPng needs at least one image');
  const maxPanel = options.maxPanel ?? 240;
  const opacity = options.labelOpacity ?? 0.4;
  const laid = panels.map(p => Private.layout(p, maxPanel));
  const gap = 4;
  const width = laid.reduce((w, p) => w + p.width, 0) + gap * (laid.length - 1);
  const height = Math.max(...laid.map(p => p.height));
  const png = new PNG({ width, height });
  png.data.fill(255);
  let left = 0;
  for (const [k, p] of laid.entries()) {
    const panel = panels[k];
    const [lo, hi] = panel.window ?? Private.window(panel.image.data, p.offset, p.rows * p.cols);
    const scale = 255 / (hi - lo || 1);
    for (let y = 0; y < p.height; y++) {
      const r = Math.min(p.rows - 1, Math.floor(((y + 0.5) * p.rows) / p.height));
      for (let x = 0; x < p.width; x++) {
        const c = Math.min(p.cols - 1, Math.floor(((x + 0.5) * p.cols) / p.width));
        const i = p.offset + r * p.cols + c;
        const g = Math.max(0, Math.min(255, (panel.image.data[i] - lo) * scale));
        let rgb = [g, g, g];
        const colour = panel.labels ? LABEL_COLORS[panel.labels.data[i]] : undefined;
        if (colour) rgb = rgb.map((v, a) => (1 - opacity) * v + opacity * colour[a]);
        const o = (y * width + left + x) * 4;
        png.data[o] = rgb[0];
        png.data[o + 1] = rgb[1];
        png.data[o + 2] = rgb[2];
        png.data[o + 3] = 255;
      }
    }
    left += p.width + gap;
  }
  return PNG.sync.write(png);
}

/** Show 2D images side by side in the calling cell (image/png with a text description). */
export function showImages(panels: readonly ImagePanel[], options: showImages.IOptions = {}): void {
  const png = Buffer.from(imagesPng(panels, options)).toString('base64');
  const text =
    `${options.title ? `${options.title}: ` : ''}` +
    panels.map((p, i) => `${p.title ?? `image ${i + 1}`} (${p.image.shape.slice(1).join(' x ')}${p.labels ? ', with labels' : ''})`).join(' | ');
  publishDisplay({ 'image/png': png, 'text/plain': text }, { metadata: { 'image/png': { alt: text } } });
}

/** Types of `showImages`. */
export namespace showImages {
  /** Options of `imagesPng` / `showImages`. */
  export interface IOptions {
    /** Longest side of a panel in pixels (default 240). */
    maxPanel?: number;
    /** Opacity of the label overlays (default 0.4). */
    labelOpacity?: number;
    /** Text shown with the picture. */
    title?: string;
  }
}

namespace Private {
  export function layout(panel: ImagePanel, maxPanel: number): { offset: number; rows: number; cols: number; width: number; height: number } {
    const [nz, rows, cols] = panel.image.shape;
    if (panel.labels && panel.labels.shape.some((n, a) => n !== panel.image.shape[a])) {
      throw new VolumeShapeError(`Overlay shape [${panel.labels.shape.join(', ')}] differs from the image [${panel.image.shape.join(', ')}]`);
    }
    const heightUm = rows * panel.image.spacing[1];
    const widthUm = cols * panel.image.spacing[2];
    const pixelUm = Math.max(heightUm, widthUm) / maxPanel;
    return {
      offset: (nz >> 1) * rows * cols,
      rows,
      cols,
      height: Math.max(1, Math.round(heightUm / pixelUm)),
      width: Math.max(1, Math.round(widthUm / pixelUm))
    };
  }

  export function window(data: ArrayLike<number>, offset: number, n: number): [number, number] {
    const values: number[] = [];
    for (let i = 0; i < n; i++) if (Number.isFinite(data[offset + i])) values.push(data[offset + i]);
    values.sort((a, b) => a - b);
    const lo = values[Math.floor(0.01 * (values.length - 1))] ?? 0;
    const hi = values[Math.ceil(0.99 * (values.length - 1))] ?? 1;
    return [lo, hi > lo ? hi : lo + 1];
  }
}

/**
 * Colour tables of the viewer: the label classes (DESIGN.md's colours) as a niivue label
 * colormap, and the uncertainty heat map of confidence layers (opaque yellow-white where the
 * model is unsure, transparent where it is sure).
 *
 * @example
 * nvImage.setColormapLabel(labelColormap({ 1: { name: 'bone', color: '#e8d9a0' } }));
 * nv.addColormap(UNCERTAINTY_COLORMAP, uncertaintyColormap());
 */
import type { LabelClass } from '@mdlma/kernel/protocol';

// TRANSITIONAL (issue 16): annotation/slice-image.ts still imports it from here; it moves to
// `@mdlma/kernel/protocol` with the annotation work, and then this line goes.
export { DEFAULT_CLASSES } from '@mdlma/kernel/protocol';

/** Name under which the uncertainty map is registered with niivue. */
export const UNCERTAINTY_COLORMAP = 'mdlma-uncertainty';

/** niivue's colour-table shape (R, G, B, A per index I). */
export interface ColorTable {
  R: number[];
  G: number[];
  B: number[];
  A: number[];
  I: number[];
  labels?: string[];
}

/** `#rrggbb` as [r, g, b]. */
export function hexToRgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) return [255, 255, 255];
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

/** A label colormap: 0 transparent, each class its colour, values without a class grey. */
export function labelColormap(classes: Record<number, LabelClass>): ColorTable {
  const max = Math.max(0, ...Object.keys(classes).map(Number));
  const table: ColorTable = { R: [], G: [], B: [], A: [], I: [], labels: [] };
  for (let i = 0; i <= max; i++) {
    const cls = classes[i];
    const [r, g, b] = cls ? hexToRgb(cls.color) : [128, 128, 128];
    table.R.push(r);
    table.G.push(g);
    table.B.push(b);
    table.A.push(i === 0 ? 0 : 255);
    table.I.push(i);
    table.labels!.push(i === 0 ? 'background' : cls?.name ?? `class ${i}`);
  }
  return table;
}

/** Confidence 0 (unsure) opaque white-yellow, through red, to confidence 1 (sure) transparent. */
export function uncertaintyColormap(): ColorTable {
  // Read from index 0 (confidence 0) to 255 (confidence 1): the reverse of a black-red-yellow-white ramp.
  return {
    R: [255, 255, 255, 160, 0],
    G: [255, 220, 60, 0, 0],
    B: [255, 40, 0, 0, 0],
    A: [255, 200, 110, 30, 0],
    I: [0, 64, 128, 192, 255]
  };
}

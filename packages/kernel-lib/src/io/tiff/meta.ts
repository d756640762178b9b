/**
 * Voxel size and origin in TIFF files. We write an ImageJ-style ImageDescription (ImageJ and
 * Fiji read its unit and z spacing) plus `mdlma_spacing=z,y,x` and `mdlma_origin=z,y,x` lines
 * that keep the exact values; X/YResolution are written too.
 *
 * When reading: mdlma_* lines if present; else ImageJ's `unit`, `spacing` and X/YResolution;
 * else X/YResolution with ResolutionUnit cm or inch; else 1 µm.
 *
 * @example
 * const description = encodeTiffDescription(volume.shape[0], volume.spacing, volume.origin);
 * const { spacing, origin } = tiffGeometry({ description, xResolution: 1 / 2.4, yResolution: 1 / 2.4, resolutionUnit: 1 });
 */
import { Vec3 } from '../../volume';

/** The resolution-related fields of a TIFF page. */
export interface TiffResolution {
  description: string | null;
  /** Pixels per unit, or NaN. */
  xResolution: number;
  yResolution: number;
  /** 1 none, 2 inch, 3 cm. */
  resolutionUnit: number;
}

/** The ImageDescription we write on the first page. */
export function encodeTiffDescription(slices: number, spacing: Vec3, origin: Vec3): string {
  return [
    'ImageJ=1.54f',
    `images=${slices}`,
    `slices=${slices}`,
    'unit=micron',
    `spacing=${spacing[0]}`,
    'loop=false',
    `mdlma_spacing=${spacing.join(',')}`,
    `mdlma_origin=${origin.join(',')}`,
    ''
  ].join('\n');
}

/** Spacing and origin in µm from a page's description and resolution tags. */
export function tiffGeometry(page: TiffResolution): { spacing: Vec3; origin: Vec3 } {
  const fields = Private.keyValues(page.description ?? '');
  const exact = Private.triple(fields.get('mdlma_spacing'));
  const origin = Private.triple(fields.get('mdlma_origin')) ?? [0, 0, 0];
  if (exact && exact.every(s => s > 0)) return { spacing: exact, origin };
  const px = (r: number) => (r > 0 && Number.isFinite(r) ? 1 / r : NaN);
  let [sx, sy] = [px(page.xResolution), px(page.yResolution)];
  let factor = NaN;
  if (fields.has('ImageJ')) {
    factor = Private.MICRONS[(fields.get('unit') ?? '').toLowerCase()] ?? NaN;
  } else if (page.resolutionUnit === 3) {
    factor = 1e4;
  } else if (page.resolutionUnit === 2) {
    factor = 25400;
  }
  if (!Number.isFinite(factor) || !Number.isFinite(sx)) return { spacing: [1, 1, 1], origin };
  sx *= factor;
  sy = Number.isFinite(sy) ? sy * factor : sx;
  const z = Number(fields.get('spacing'));
  const sz = z > 0 && Number.isFinite(z) ? z * factor : sx;
  return { spacing: [sz, sy, sx], origin };
}

namespace Private {
  /** µm per ImageJ unit name. */
  export const MICRONS: Record<string, number> = { micron: 1, um: 1, 'µm': 1, '\\u00b5m': 1, nm: 1e-3, mm: 1e3, cm: 1e4, m: 1e6 };

  export function keyValues(text: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of text.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
    }
    return out;
  }

  export function triple(text: string | undefined): Vec3 | null {
    if (!text) return null;
    const parts = text.split(',').map(Number);
    return parts.length === 3 && parts.every(Number.isFinite) ? [parts[0], parts[1], parts[2]] : null;
  }
}

/**
 * From a voxel of the shown (possibly downsampled) data to what the user reads: the voxel of
 * the full volume, its position in µm and each layer's value, and the text of the readout.
 *
 * @example
 * const voxel = fullVoxel([10, 4, 7], 2);                 // [21, 9, 15] (block centres)
 * formatReadout({ voxel, um: positionUm(voxel, geometry), values });
 */
import type { Readout, VolumeGeometry } from './types';

/** The full-resolution voxel [z, y, x] at the centre of a binned voxel (factor 1: itself), for data starting at `offset`. */
export function fullVoxel(shown: readonly [number, number, number], factor: number, shape?: readonly [number, number, number], offset: readonly number[] = [0, 0, 0]): [number, number, number] {
  return shown.map((v, a) => {
    const full = offset[a] + Math.floor(Math.round(v) * factor + (factor - 1) / 2);
    return shape ? Math.max(0, Math.min(shape[a] - 1, full)) : full;
  }) as [number, number, number];
}

/** The binned voxel that holds a full-resolution voxel (of data starting at `offset`). */
export function shownVoxel(full: readonly [number, number, number], factor: number, offset: readonly number[] = [0, 0, 0]): [number, number, number] {
  return full.map((v, a) => Math.floor((v - offset[a]) / factor)) as [number, number, number];
}

/** Position of a full-resolution voxel centre in µm [z, y, x]. */
export function positionUm(voxel: readonly [number, number, number], geometry: VolumeGeometry): [number, number, number] {
  return voxel.map((v, a) => geometry.origin[a] + v * geometry.spacing[a]) as [number, number, number];
}

/** The readout as one line of text (values rounded for reading; labels by class name when known). */
export function formatReadout(readout: Readout, classNames: Record<number, string> = {}): string {
  const [z, y, x] = readout.voxel;
  const [uz, uy, ux] = readout.um.map(v => v.toFixed(1));
  const parts = [`voxel z=${z} y=${y} x=${x}`, `(${uz}, ${uy}, ${ux}) µm`];
  for (const { name, kind, value } of readout.values) {
    if (kind === 'labels') {
      parts.push(`${name}: ${value}${classNames[value] ? ` ${classNames[value]}` : ''}`);
    } else if (kind === 'confidence') {
      parts.push(`${name}: ${value.toFixed(3)}`);
    } else {
      parts.push(`${name}: ${Number.isInteger(value) ? value : value.toPrecision(5)}`);
    }
  }
  return parts.join(' · ');
}

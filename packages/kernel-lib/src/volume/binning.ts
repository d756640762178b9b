/**
 * Binning by integer factors, as beamline data is often binned 2x or 3x: mean for intensities,
 * mode (majority) or nearest (the block's centre voxel) for labels.
 *
 * Each output voxel summarises one f_z x f_y x f_x block; trailing voxels that do not fill a
 * whole block are dropped (as detector binning does). Spacing grows by f and the origin moves
 * to the centre of the first block.
 *
 * @example
 * const b2 = bin(volume, 2);                                  // mean, spacing x 2
 * const l2 = bin(labels, [2, 2, 2], { method: 'mode' });
 */
import { VolumeShapeError } from '../errors';
import type { VoxelArray } from './dtype';
import { Volume, type Shape3, type Vec3 } from './volume';

/** How to combine a block: 'mean' for intensities, 'mode' or 'nearest' for labels. */
export type BinMethod = 'mean' | 'mode' | 'nearest';

/** `volume` binned by `factor` (one for all axes or [z, y, x]); same dtype (means rounded for integer types). */
export function bin<A extends VoxelArray>(
  volume: Volume<A>,
  factor: number | readonly [number, number, number],
  options: { method?: BinMethod } = {}
): Volume<A> {
  const f = (typeof factor === 'number' ? [factor, factor, factor] : [...factor]) as [number, number, number];
  const [nz, ny, nx] = volume.shape;
  if (f.some((v, a) => !Number.isInteger(v) || v < 1 || v > volume.shape[a])) {
    throw new VolumeShapeError(
      `Binning factors must be integers between 1 and the axis length, got [${f.join(', ')}] for shape [${nz}, ${ny}, ${nx}]`
    );
  }
  const shape = [Math.floor(nz / f[0]), Math.floor(ny / f[1]), Math.floor(nx / f[2])] as Shape3;
  const src = volume.data;
  const out = new (src.constructor as new (n: number) => A)(shape[0] * shape[1] * shape[2]);
  const method = options.method ?? 'mean';
  const spacing = volume.spacing.map((s, a) => s * f[a]) as unknown as Vec3;
  const origin = volume.origin.map((o, a) => o + ((f[a] - 1) / 2) * volume.spacing[a]) as unknown as Vec3;
  // Mean, and mode of byte labels, in one pass over the rows (512^3: about 1 s, not 10 s of block gathering).
  if (method === 'mean' || (method === 'mode' && src instanceof Uint8Array)) {
    if (method === 'mean') Private.meanByRows(src, volume.shape, f, shape, out);
    else Private.modeByRows(src as Uint8Array, volume.shape, f, shape, out as Uint8Array);
    return new Volume({ data: out, shape, spacing, origin });
  }
  const scratch = new Float64Array(f[0] * f[1] * f[2]);
  // Centre voxel of a block (the lower one for even factors).
  const mid = f.map(v => Math.floor((v - 1) / 2));
  for (let z = 0, o = 0; z < shape[0]; z++) {
    for (let y = 0; y < shape[1]; y++) {
      for (let x = 0; x < shape[2]; x++, o++) {
        const z0 = z * f[0];
        const y0 = y * f[1];
        const x0 = x * f[2];
        if (method === 'nearest') {
          out[o] = src[((z0 + mid[0]) * ny + y0 + mid[1]) * nx + x0 + mid[2]];
          continue;
        }
        let m = 0;
        for (let dz = 0; dz < f[0]; dz++) {
          for (let dy = 0; dy < f[1]; dy++) {
            const row = ((z0 + dz) * ny + y0 + dy) * nx + x0;
            for (let dx = 0; dx < f[2]; dx++) scratch[m++] = src[row + dx];
          }
        }
        out[o] = Private.mode(scratch);
      }
    }
  }
  return new Volume({ data: out, shape, spacing, origin });
}

namespace Private {
  /** Block means, summing each source row into the output row it belongs to. */
  export function meanByRows(src: VoxelArray, [, ny, nx]: Shape3, f: number[], shape: Shape3, out: VoxelArray): void {
    const [oz, oy, ox] = shape;
    const block = f[0] * f[1] * f[2];
    const integer = !(src instanceof Float32Array);
    const sums = new Float64Array(ox);
    const column = Int32Array.from({ length: ox * f[2] }, (_, x) => Math.floor(x / f[2]));
    for (let z = 0; z < oz; z++) {
      for (let y = 0; y < oy; y++) {
        sums.fill(0);
        for (let dz = 0; dz < f[0]; dz++) {
          for (let dy = 0; dy < f[1]; dy++) {
            const row = ((z * f[0] + dz) * ny + y * f[1] + dy) * nx;
            for (let x = 0; x < column.length; x++) sums[column[x]] += src[row + x];
          }
        }
        const o = (z * oy + y) * ox;
        for (let x = 0; x < ox; x++) out[o + x] = integer ? Math.round(sums[x] / block) : sums[x] / block;
      }
    }
  }

  /** Block modes of byte labels (the smallest label on ties), counting each output row's labels. */
  export function modeByRows(src: Uint8Array, [, ny, nx]: Shape3, f: number[], shape: Shape3, out: Uint8Array): void {
    const [oz, oy, ox] = shape;
    let top = 0;
    for (let i = 0; i < src.length; i++) if (src[i] > top) top = src[i];
    const labels = top + 1;
    const counts = new Uint32Array(ox * labels);
    const column = Int32Array.from({ length: ox * f[2] }, (_, x) => Math.floor(x / f[2]) * labels);
    for (let z = 0; z < oz; z++) {
      for (let y = 0; y < oy; y++) {
        counts.fill(0);
        for (let dz = 0; dz < f[0]; dz++) {
          for (let dy = 0; dy < f[1]; dy++) {
            const row = ((z * f[0] + dz) * ny + y * f[1] + dy) * nx;
            for (let x = 0; x < column.length; x++) counts[column[x] + src[row + x]]++;
          }
        }
        const o = (z * oy + y) * ox;
        for (let x = 0, c = 0; x < ox; x++, c += labels) {
          let best = 0;
          for (let v = 1; v < labels; v++) if (counts[c + v] > counts[c + best]) best = v;
          out[o + x] = best;
        }
      }
    }
  }

  /** The most frequent value (the smallest one on ties); sorts `values` in place. */
  export function mode(values: Float64Array): number {
    values.sort();
    let best = values[0];
    let bestCount = 0;
    for (let i = 0; i < values.length; ) {
      let j = i + 1;
      while (j < values.length && values[j] === values[i]) j++;
      if (j - i > bestCount) {
        bestCount = j - i;
        best = values[i];
      }
      i = j;
    }
    return best;
  }
}

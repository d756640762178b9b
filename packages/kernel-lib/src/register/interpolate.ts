/**
 * Trilinear sampling on flat C-order grids, the primitive under warping, field composition and
 * the Adam stage. Coordinates are voxel indices; outside the grid the border value repeats
 * (PyTorch's `padding_mode='border'`), so a warp never invents zeros or NaN at the edges.
 *
 * @example
 * const v = trilinear(data, [nz, ny, nx], 3.5, 2.25, 7);
 */
const { floor } = Math;

/** The value at fractional voxel (z, y, x) of `data` with shape [nz, ny, nx], border-clamped. */
export function trilinear(data: ArrayLike<number>, shape: readonly [number, number, number], z: number, y: number, x: number): number {
  const [nz, ny, nx] = shape;
  z = z < 0 ? 0 : z > nz - 1 ? nz - 1 : z;
  y = y < 0 ? 0 : y > ny - 1 ? ny - 1 : y;
  x = x < 0 ? 0 : x > nx - 1 ? nx - 1 : x;
  let z0 = floor(z);
  let y0 = floor(y);
  let x0 = floor(x);
  if (z0 === nz - 1 && nz > 1) z0--;
  if (y0 === ny - 1 && ny > 1) y0--;
  if (x0 === nx - 1 && nx > 1) x0--;
  const fz = z - z0;
  const fy = y - y0;
  const fx = x - x0;
  const sz = nz > 1 ? ny * nx : 0;
  const sy = ny > 1 ? nx : 0;
  const sx = nx > 1 ? 1 : 0;
  const i = (z0 * ny + y0) * nx + x0;
  const c00 = data[i] + fx * (data[i + sx] - data[i]);
  const c01 = data[i + sy] + fx * (data[i + sy + sx] - data[i + sy]);
  const c10 = data[i + sz] + fx * (data[i + sz + sx] - data[i + sz]);
  const c11 = data[i + sz + sy] + fx * (data[i + sz + sy + sx] - data[i + sz + sy]);
  const c0 = c00 + fy * (c01 - c00);
  return c0 + fz * (c10 + fy * (c11 - c10) - c0);
}

/** The value of the nearest voxel to (z, y, x), border-clamped (for labels). */
export function nearest(data: ArrayLike<number>, shape: readonly [number, number, number], z: number, y: number, x: number): number {
  const [nz, ny, nx] = shape;
  let iz = floor(z + 0.5);
  let iy = floor(y + 0.5);
  let ix = floor(x + 0.5);
  iz = iz < 0 ? 0 : iz >= nz ? nz - 1 : iz;
  iy = iy < 0 ? 0 : iy >= ny ? ny - 1 : iy;
  ix = ix < 0 ? 0 : ix >= nx ? nx - 1 : ix;
  return data[(iz * ny + iy) * nx + ix];
}

/**
 * `channels` stacked grids of shape `from` resampled trilinearly onto shape `to` with cell-centred
 * alignment (PyTorch `align_corners=False`): a coarse cell i covers fine voxels [f i, f i + f).
 * Values are multiplied by `scale` (e.g. to convert displacements between grid units). `factor`
 * (fine voxels per coarse cell) defaults to the ratio of the shapes; give it when pooling dropped voxels.
 */
export function upsample(
  data: Float32Array,
  channels: number,
  from: readonly [number, number, number],
  to: readonly [number, number, number],
  scale = 1,
  factor?: number
): Float32Array {
  const nFrom = from[0] * from[1] * from[2];
  const nTo = to[0] * to[1] * to[2];
  const out = new Float32Array(channels * nTo);
  const map = (n: number, a: number): number => (factor ? (n + 0.5) / factor : ((n + 0.5) * from[a]) / to[a]) - 0.5;
  for (let c = 0; c < channels; c++) {
    const src = data.subarray(c * nFrom, (c + 1) * nFrom);
    for (let z = 0, o = c * nTo; z < to[0]; z++) {
      const sz = map(z, 0);
      for (let y = 0; y < to[1]; y++) {
        const sy = map(y, 1);
        for (let x = 0; x < to[2]; x++) out[o++] = scale * trilinear(src, from, sz, sy, map(x, 2));
      }
    }
  }
  return out;
}

/** Average pooling by an integer factor per axis (PyTorch `avg_pool3d(k, stride=k)`: trailing voxels dropped). */
export function averagePool(data: Float32Array, channels: number, shape: readonly [number, number, number], factor: number): { data: Float32Array; shape: [number, number, number] } {
  const [nz, ny, nx] = shape;
  const out: [number, number, number] = [Math.max(1, floor(nz / factor)), Math.max(1, floor(ny / factor)), Math.max(1, floor(nx / factor))];
  const fz = Math.min(factor, nz);
  const fy = Math.min(factor, ny);
  const fx = Math.min(factor, nx);
  const nIn = nz * ny * nx;
  const nOut = out[0] * out[1] * out[2];
  const result = new Float32Array(channels * nOut);
  const norm = 1 / (fz * fy * fx);
  for (let c = 0; c < channels; c++) {
    const src = data.subarray(c * nIn, (c + 1) * nIn);
    for (let z = 0, o = c * nOut; z < out[0]; z++) {
      for (let y = 0; y < out[1]; y++) {
        for (let x = 0; x < out[2]; x++, o++) {
          let s = 0;
          for (let dz = 0; dz < fz; dz++) {
            for (let dy = 0; dy < fy; dy++) {
              const row = ((z * fz + dz) * ny + y * fy + dy) * nx + x * fx;
              for (let dx = 0; dx < fx; dx++) s += src[row + dx];
            }
          }
          result[o] = s * norm;
        }
      }
    }
  }
  return { data: result, shape: out };
}

/**
 * 3^3 box filter (mean over the neighbours inside the grid, PyTorch `avg_pool3d(3, stride=1,
 * padding=1, count_include_pad=False)`) of each of `channels` grids, in place. Averaging only
 * inside the grid keeps a constant field constant up to the border (zero padding would shrink a
 * rigid offset there). `adjoint: true` applies the transposed operator, which the Adam stage's
 * analytic gradient needs (the filter is not symmetric at the border).
 */
export function boxFilter3(data: Float32Array, channels: number, shape: readonly [number, number, number], options: { adjoint?: boolean } = {}): Float32Array {
  const [nz, ny, nx] = shape;
  const n = nz * ny * nx;
  const plane = ny * nx;
  const adjoint = options.adjoint === true;
  const tmp = new Float32Array(n);
  const count = (i: number, len: number): number => (len === 1 ? 1 : i === 0 || i === len - 1 ? 2 : 3);
  for (let c = 0; c < channels; c++) {
    const g = data.subarray(c * n, (c + 1) * n);
    // Forward: sum of valid neighbours / their count per axis. Adjoint: divide first, then sum.
    for (let r = 0; r < nz * ny; r++) {
      const o = r * nx;
      if (adjoint) for (let x = 0; x < nx; x++) g[o + x] /= count(x, nx);
      for (let x = 0; x < nx; x++) {
        const s = g[o + x] + (x > 0 ? g[o + x - 1] : 0) + (x < nx - 1 ? g[o + x + 1] : 0);
        tmp[o + x] = adjoint ? s : s / count(x, nx);
      }
    }
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        const o = (z * ny + y) * nx;
        const cy = count(y, ny);
        if (adjoint) for (let x = 0; x < nx; x++) tmp[o + x] /= cy;
      }
      for (let y = 0; y < ny; y++) {
        const o = (z * ny + y) * nx;
        const cy = adjoint ? 1 : count(y, ny);
        for (let x = 0; x < nx; x++) g[o + x] = (tmp[o + x] + (y > 0 ? tmp[o + x - nx] : 0) + (y < ny - 1 ? tmp[o + x + nx] : 0)) / cy;
      }
    }
    if (adjoint) for (let z = 0; z < nz; z++) for (let i = 0, cz = count(z, nz); i < plane; i++) g[z * plane + i] /= cz;
    for (let z = 0; z < nz; z++) {
      const o = z * plane;
      const cz = adjoint ? 1 : count(z, nz);
      for (let i = 0; i < plane; i++) tmp[o + i] = (g[o + i] + (z > 0 ? g[o + i - plane] : 0) + (z < nz - 1 ? g[o + i + plane] : 0)) / cz;
    }
    g.set(tmp);
  }
  return data;
}

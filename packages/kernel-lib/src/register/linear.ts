/**
 * Rigid and affine registration, intensity-based and multi-resolution: normalised cross-correlation
 * for one modality, MIND-SSC feature distance across modalities. Each level (coarse to fine, each
 * an average-pooled copy) fits the parameters by BFGS with central-difference gradients on a fixed random
 * subset of fixed voxels. Landmarks, when given, initialise the transform.
 *
 * @example
 * const { transform } = await registerLinear(fixed, moving, { model: 'rigid' });
 * const aligned = warpVolume(moving, transform, { reference: fixed });
 * const cross = await registerLinear(ct, mr, { model: 'affine', metric: 'mind' });
 */
import { RegistrationInputError } from '../errors';
import { resolveSignal, throwIfInterrupted } from '../runtime/interrupt';
import type { Vec3, Volume } from '../volume';
import { averagePool } from './interpolate';
import { mindSsc, MIND_CHANNELS } from './mind';
import { similarityAt, type SampledLevel } from './similarity';
import { AffineTransform, rotationMatrix } from './transform';

const { max, min, sqrt, floor } = Math;

/** What `registerLinear` returns. */
export interface LinearRegistrationResult {
  /** Fixed -> moving, µm. */
  transform: AffineTransform;
  /** Final similarity on the finest level: NCC in [-1, 1], or minus the mean squared MIND difference. */
  similarity: number;
  /** Seconds taken. */
  seconds: number;
}

/** Rigid or affine registration of `moving` onto `fixed`; returns a transform mapping fixed points (µm) to moving ones. */
export async function registerLinear(fixed: Volume, moving: Volume, options: registerLinear.IOptions = {}): Promise<LinearRegistrationResult> {
  const t0 = performance.now();
  const signal = resolveSignal(options.signal);
  const rigid = (options.model ?? 'rigid') === 'rigid';
  const metric = options.metric ?? 'ncc';
  let initial = options.initial ?? AffineTransform.identity();
  if (options.landmarks) initial = AffineTransform.fromLandmarks(options.landmarks.fixed, options.landmarks.moving, { rigid });
  // Parameters: rigid [angles z, y, x (rad), translation (µm)]; affine [linear - I (9), translation (µm)].
  const nParams = rigid ? 6 : 12;
  const center = fixed.shape.map((n, a) => fixed.origin[a] + ((n - 1) * fixed.spacing[a]) / 2) as unknown as Vec3;
  const radius = max(...fixed.shape.map((n, a) => (n * fixed.spacing[a]) / 2));
  const build = (q: Float64Array): AffineTransform => {
    const t: Vec3 = rigid ? [q[3], q[4], q[5]] : [q[9], q[10], q[11]];
    const linear = rigid ? rotationMatrix([q[0], q[1], q[2]]) : Float64Array.from({ length: 9 }, (_, i) => q[i] + (i % 4 === 0 ? 1 : 0));
    return initial.compose(AffineTransform.fromLinear(linear, t, center));
  };
  const factors = Private.levelFactors(fixed, options.levels ?? 3, options.maxVoxels ?? 64 ** 3);
  const q = new Float64Array(nParams);
  let similarity = NaN;
  for (let l = 0; l < factors.length; l++) {
    throwIfInterrupted(signal);
    const f = factors[l];
    const level = Private.level(fixed, moving, f, metric, options.samples ?? 20000);
    const vs = f * min(...fixed.spacing);
    // One unit of every scaled parameter moves the image edge by about one voxel of this level.
    const scale = Float64Array.from({ length: nParams }, (_, i) => (rigid ? (i < 3 ? vs / radius : vs) : i < 9 ? vs / radius : vs));
    const loss = (theta: Float64Array): number => {
      const p = Float64Array.from(q, (v, i) => v + scale[i] * theta[i]);
      return -similarityAt(level, build(p).matrix);
    };
    const theta = await Private.descend(loss, nParams, options.iterations ?? 100, signal);
    for (let i = 0; i < nParams; i++) q[i] += scale[i] * theta[i];
    similarity = -loss(new Float64Array(nParams));
    options.onProgress?.((l + 1) / factors.length, `level ${l + 1}/${factors.length} (x${f})`);
  }
  if (!Number.isFinite(similarity)) {
    throw new RegistrationInputError('fixed and moving images', 'do not overlap after alignment; check origins and spacings, or give landmarks');
  }
  return { transform: build(q), similarity, seconds: (performance.now() - t0) / 1000 };
}

/** Types of `registerLinear`. */
export namespace registerLinear {
  /** Options of `registerLinear`. */
  export interface IOptions {
    /** 'rigid' (6 parameters) or 'affine' (12); default 'rigid'. */
    model?: 'rigid' | 'affine';
    /** 'ncc' (one modality, default) or 'mind' (across modalities). */
    metric?: 'ncc' | 'mind';
    /** Resolution levels, each half the next (default 3). */
    levels?: number;
    /** Largest voxel count of the finest level; larger images are pooled first (default 64^3). */
    maxVoxels?: number;
    /** Fixed voxels sampled per level (default 20000). */
    samples?: number;
    /** Optimiser iterations per level (default 100). */
    iterations?: number;
    /** Corresponding points (µm, [z, y, x]) for the initial transform. */
    landmarks?: { fixed: readonly Vec3[]; moving: readonly Vec3[] };
    /** An initial transform (fixed -> moving, µm); landmarks take precedence. */
    initial?: AffineTransform;
    /** Default: the calling cell's interrupt signal. */
    signal?: AbortSignal;
    /** Progress in [0, 1] and the level's name. */
    onProgress?: (fraction: number, stage: string) => void;
  }
}

namespace Private {
  /** Pooling factors, coarse to fine (powers of two), keeping >= 8 voxels per axis on the coarsest. */
  export function levelFactors(fixed: Volume, levels: number, maxVoxels: number): number[] {
    let finest = 1;
    while (fixed.size / finest ** 3 > maxVoxels) finest *= 2;
    const out: number[] = [];
    for (let l = levels - 1; l >= 0; l--) {
      const f = finest * 2 ** l;
      if (min(...fixed.shape) / f >= 8 || l === 0) out.push(f);
    }
    return out;
  }

  /** One pyramid level: pooled moving image (or its MIND), and fixed samples with their values. */
  export function level(fixed: Volume, moving: Volume, f: number, metric: 'ncc' | 'mind', samples: number): SampledLevel {
    const pool = (v: Volume): { data: Float32Array; shape: [number, number, number]; spacing: Vec3; origin: Vec3 } => {
      const data = v.data instanceof Float32Array ? v.data : Float32Array.from(v.data);
      const p = f > 1 ? averagePool(data, 1, v.shape, f) : { data, shape: [...v.shape] as [number, number, number] };
      const spacing = v.spacing.map(s => s * f) as unknown as Vec3;
      const origin = v.origin.map((o, a) => o + ((f - 1) / 2) * v.spacing[a]) as unknown as Vec3;
      return { data: p.data, shape: p.shape, spacing, origin };
    };
    const pf = pool(fixed);
    const pm = pool(moving);
    const channels = metric === 'mind' ? MIND_CHANNELS : 1;
    const fixedValues = metric === 'mind' ? mindSsc(pf) : pf.data;
    const movingValues = metric === 'mind' ? mindSsc(pm) : Private.checkNotConstant(pm.data);
    if (metric === 'ncc') Private.checkNotConstant(pf.data);
    const [nz, ny, nx] = pf.shape;
    const n = nz * ny * nx;
    const count = min(samples, n);
    const points = new Float64Array(3 * count);
    const values = new Float32Array(channels * count);
    // A fixed pseudo-random subset (Park-Miller LCG, seed 1), the same at every evaluation.
    let state = 1;
    for (let k = 0; k < count; k++) {
      let i = k;
      if (count < n) {
        state = (state * 48271) % 2147483647;
        i = floor((state / 2147483647) * n);
      }
      const z = floor(i / (ny * nx));
      const y = floor(i / nx) % ny;
      const x = i % nx;
      points[3 * k] = pf.origin[0] + z * pf.spacing[0];
      points[3 * k + 1] = pf.origin[1] + y * pf.spacing[1];
      points[3 * k + 2] = pf.origin[2] + x * pf.spacing[2];
      for (let c = 0; c < channels; c++) values[c * count + k] = fixedValues[c * n + i];
    }
    return { metric, channels, points, values, moving: movingValues, shape: pm.shape, spacing: pm.spacing, origin: pm.origin };
  }

  export function checkNotConstant(data: Float32Array): Float32Array {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < data.length; i++) {
      if (data[i] < lo) lo = data[i];
      if (data[i] > hi) hi = data[i];
    }
    if (!(hi > lo)) throw new RegistrationInputError('image', `is constant (every voxel ${lo}); there is no structure to register`);
    return data;
  }

  /**
   * BFGS (Nocedal and Wright, Numerical Optimization, alg. 6.1) from 0 with central-difference
   * gradients and a backtracking Armijo line search; the first step is one unit long. Rotations about
   * the near-symmetric screw axis make the problem badly conditioned, which plain gradient descent
   * does not survive. Returns the best parameters.
   */
  export async function descend(loss: (theta: Float64Array) => number, n: number, iterations: number, signal: AbortSignal): Promise<Float64Array> {
    const h = 0.25;
    const gradient = (x: Float64Array): Float64Array =>
      Float64Array.from({ length: n }, (_, i) => {
        const a = x.slice();
        const b = x.slice();
        a[i] += h;
        b[i] -= h;
        const g = (loss(a) - loss(b)) / (2 * h);
        return Number.isFinite(g) ? g : 0;
      });
    const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, v, i) => s + v * b[i], 0);
    let x = new Float64Array(n);
    let f = loss(x);
    let g = gradient(x);
    const g0 = sqrt(dot(g, g));
    if (!(g0 > 0) || !Number.isFinite(f)) return x;
    let H = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 / g0 : 0));
    for (let it = 0; it < iterations; it++) {
      throwIfInterrupted(signal);
      let p = Float64Array.from({ length: n }, (_, i) => -H.subarray(i * n, (i + 1) * n).reduce((s, v, j) => s + v * g[j], 0));
      if (dot(p, g) >= 0) {
        H = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 / sqrt(dot(g, g)) : 0));
        p = Float64Array.from(g, v => -v / sqrt(dot(g, g)));
      }
      const len = sqrt(dot(p, p));
      if (len > 4) p = p.map(v => (v * 4) / len); // at most 4 voxels per step
      let t = 1;
      let x1 = x;
      let f1 = f;
      for (; t > 1e-3; t *= 0.5) {
        x1 = Float64Array.from(x, (v, i) => v + t * p[i]);
        f1 = loss(x1);
        if (f1 <= f + 1e-4 * t * dot(g, p)) break;
      }
      if (!(f1 < f)) break;
      const g1 = gradient(x1);
      const s = Float64Array.from(x1, (v, i) => v - x[i]);
      const y = Float64Array.from(g1, (v, i) => v - g[i]);
      const sy = dot(s, y);
      if (sy > 1e-12) {
        // H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T
        const rho = 1 / sy;
        const Hy = Float64Array.from({ length: n }, (_, i) => H.subarray(i * n, (i + 1) * n).reduce((acc, v, j) => acc + v * y[j], 0));
        const yHy = dot(y, Hy);
        const next = new Float64Array(n * n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            next[i * n + j] = H[i * n + j] - rho * (Hy[i] * s[j] + s[i] * Hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j];
          }
        }
        H = next;
      }
      const done = sqrt(dot(s, s)) < 1e-3;
      x = x1;
      f = f1;
      g = g1;
      if (done) break;
      if (it % 10 === 9) await new Promise(resolve => setImmediate(resolve));
    }
    return x;
  }
}

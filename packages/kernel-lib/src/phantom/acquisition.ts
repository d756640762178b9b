/**
 * Simulated SRµCT acquisition of an attenuation map: parallel-beam projections of each
 * axial slice, optional propagation phase contrast, residual detector gain errors (ring
 * artifacts), Poisson photon noise, flat-field and log correction, and filtered
 * back-projection. The result is the attenuation coefficient (1/cm) a beamline
 * reconstruction would give, with the blur, noise and artifacts that come with it.
 *
 * @example
 * const image = await simulateScan(mu, { seed: 1, angles: 96, flux: 4000, ringArtifacts: true });
 */
import { InterruptedError } from '../errors';
import { Rng } from '../numeric';
import { resolveSignal } from '../runtime/interrupt';
import { Volume } from '../volume';
import { RampFilter, RampWindow, backProjectSinogram } from './fbp';
import { forwardProject, parallelGeometry } from './radon';

// Local aliases: in jest's VM sandbox every lookup of the global `Math` costs ~100x a local one.
const { exp, log, max, round } = Math;

/** The settings a scan actually ran with (defaults resolved). */
export interface ScanSettings {
  angles: number;
  flux: number | null;
  ringArtifacts: number;
  phaseContrast: number;
  window: RampWindow;
  detectors: number;
}

/** Resolve the defaults of `options` for a slice of `width` pixels. */
export function scanSettings(options: Omit<simulateScan.IOptions, 'seed'>, width: number): ScanSettings {
  const angles = max(2, round(options.angles ?? width));
  const flux = options.flux ?? 10000;
  const ring = options.ringArtifacts === true ? 0.004 : options.ringArtifacts || 0;
  const phase = options.phaseContrast === true ? 0.8 : options.phaseContrast || 0;
  return {
    angles,
    flux: Number.isFinite(flux) ? flux : null,
    ringArtifacts: ring,
    phaseContrast: phase,
    window: options.window ?? 'shepp-logan',
    detectors: parallelGeometry(width, angles).detectors
  };
}

/** Scan and reconstruct an attenuation map (1/cm, float32); the result has the same shape and geometry. */
export async function simulateScan(mu: Volume<Float32Array>, options: simulateScan.IOptions): Promise<Volume<Float32Array>> {
  const signal = resolveSignal(options.signal);
  const [nz, ny, nx] = mu.shape;
  const n = max(ny, nx);
  const settings = scanSettings(options, n);
  const geometry = parallelGeometry(n, settings.angles);
  const nDet = geometry.detectors;
  const perSlice = settings.angles * nDet;
  const pixelCm = mu.spacing[2] * 1e-4;
  const total = 2 * nz;
  const sinograms = new Float32Array(nz * perSlice);
  const slice = new Float32Array(n * n);
  for (let z = 0; z < nz; z++) {
    await Private.checkpoint(signal, z);
    Private.padSlice(mu, z, n, slice);
    forwardProject(slice, geometry, sinograms.subarray(z * perSlice, (z + 1) * perSlice));
    options.onProgress?.(z + 1, total);
  }
  for (let i = 0; i < sinograms.length; i++) {
    sinograms[i] *= pixelCm; // dimensionless line integrals
  }
  Private.detect(sinograms, nz, settings, nDet, options.seed, (mu.spacing[2] / mu.spacing[0]) ** 2);

  const filter = new RampFilter(nDet, settings.window);
  const filtered = new Float32Array(perSlice);
  const image = new Float32Array(n * n);
  const out = Volume.zeros(mu.shape, 'float32', { spacing: mu.spacing, origin: mu.origin });
  for (let z = 0; z < nz; z++) {
    await Private.checkpoint(signal, z);
    const sino = sinograms.subarray(z * perSlice, (z + 1) * perSlice);
    for (let a = 0; a < settings.angles; a += 2) {
      filter.filterPair(sino, filtered, a * nDet, a + 1 < settings.angles ? (a + 1) * nDet : undefined);
    }
    backProjectSinogram(filtered, geometry, image);
    Private.cropSlice(image, n, out, z, 1 / pixelCm);
    options.onProgress?.(nz + z + 1, total);
  }
  return out;
}

/** Types of `simulateScan`. */
export namespace simulateScan {
  /** Options of `simulateScan`. */
  export interface IOptions {
    /** Seed of the photon noise and the detector's gain errors. */
    seed: number;
    /** Projections over 180° (default: the slice width, about 2/3 of the Nyquist count π/2·n; fewer is a fast path). */
    angles?: number;
    /**
     * Photons per detector pixel per projection reaching the sample (default 10000);
     * `Infinity` gives a noiseless scan.
     */
    flux?: number;
    /**
     * Residual per-pixel detector gain errors after flat-field correction, as a standard
     * deviation (true: 0.004); they become rings around the rotation axis. Default false.
     */
    ringArtifacts?: boolean | number;
    /**
     * Propagation-based phase contrast: the transport-of-intensity term I = I_abs (1 + γ ∇²p)
     * on each projection (γ in pixel², true: 0.8). It gives the bright/dark edge fringes of
     * in-line phase contrast. Default false.
     */
    phaseContrast?: boolean | number;
    /** Ramp filter window (default 'shepp-logan'). */
    window?: RampWindow;
    /** Aborts between slices. */
    signal?: AbortSignal;
    /** Called with (slices done, total) for projection and reconstruction together. */
    onProgress?: (done: number, total: number) => void;
  }
}

namespace Private {
  export async function checkpoint(signal: AbortSignal, z: number): Promise<void> {
    if (z % 8 === 0) {
      await new Promise(resolve => setImmediate(resolve)); // let an interrupt arrive
    }
    if (signal.aborted) {
      throw signal.reason instanceof Error ? signal.reason : new InterruptedError('Phantom acquisition');
    }
  }

  /** Slice z of `mu`, centred in an n x n square of air. */
  export function padSlice(mu: Volume<Float32Array>, z: number, n: number, slice: Float32Array): void {
    const [, ny, nx] = mu.shape;
    const oy = (n - ny) >> 1;
    const ox = (n - nx) >> 1;
    slice.fill(0);
    for (let y = 0; y < ny; y++) {
      const src = (z * ny + y) * nx;
      slice.set(mu.data.subarray(src, src + nx), (y + oy) * n + ox);
    }
  }

  export function cropSlice(image: Float32Array, n: number, out: Volume<Float32Array>, z: number, scale: number): void {
    const [, ny, nx] = out.shape;
    const oy = (n - ny) >> 1;
    const ox = (n - nx) >> 1;
    for (let y = 0; y < ny; y++) {
      const dst = (z * ny + y) * nx;
      for (let x = 0; x < nx; x++) {
        out.data[dst + x] = image[(y + oy) * n + ox + x] * scale;
      }
    }
  }

  /**
   * From line integrals to measured, flat-field- and log-corrected line integrals, in place:
   * phase-contrast fringes, gain errors, photon noise. `zWeight` is (Δx/Δz)², the weight of the
   * Laplacian's z term (detector rows are slices).
   */
  export function detect(sino: Float32Array, nz: number, s: ScanSettings, nDet: number, seed: number, zWeight: number): void {
    const perSlice = s.angles * nDet;
    const rng = new Rng(seed, Rng.stream('detector'));
    // Gain errors: a per-column part (full-height rings), a per-pixel part, and ~1 % of
    // columns with a much larger error (defective pixels, the strong rings).
    const gain = new Float32Array(nz * nDet).fill(1);
    if (s.ringArtifacts > 0) {
      const column = new Float32Array(nDet);
      for (let j = 0; j < nDet; j++) {
        column[j] = 0.7 * rng.normal() + (rng.uniform() < 0.01 ? 5 * (rng.uniform() < 0.5 ? -1 : 1) : 0);
      }
      for (let z = 0; z < nz; z++) {
        for (let j = 0; j < nDet; j++) {
          gain[z * nDet + j] = 1 + s.ringArtifacts * (column[j] + 0.5 * rng.normal());
        }
      }
    }
    const phase = s.phaseContrast;
    const withPhase = phase > 0 ? sino.slice() : sino; // the Laplacian needs the clean neighbours
    const noise = new Rng(seed, Rng.stream('photons'));
    for (let z = 0; z < nz; z++) {
      const below = (z > 0 ? z - 1 : z) * perSlice;
      const above = (z < nz - 1 ? z + 1 : z) * perSlice;
      for (let a = 0; a < s.angles; a++) {
        const row = z * perSlice + a * nDet;
        for (let j = 0; j < nDet; j++) {
          const i = row + j;
          const p = withPhase[i];
          let transmission = exp(-p);
          if (phase > 0) {
            const left = j > 0 ? withPhase[i - 1] : p;
            const right = j < nDet - 1 ? withPhase[i + 1] : p;
            const offset = a * nDet + j;
            const lap = left + right - 2 * p + zWeight * (withPhase[below + offset] + withPhase[above + offset] - 2 * p);
            // Line integrals are tiny per pixel; the fringe scales with their curvature in pixel units.
            transmission *= max(0.05, 1 + phase * lap * Private.PHASE_SCALE);
          }
          transmission *= gain[z * nDet + j];
          let measured = transmission;
          if (s.flux !== null) {
            measured = max(0.5, noise.poisson(s.flux * transmission)) / s.flux;
          }
          sino[i] = -log(measured);
        }
      }
    }
  }

  /**
   * δ/β of the phantom's materials at 38 keV is of order 10^3; a Laplacian of line integrals
   * (1/cm · cm) is scaled so that γ = 1 gives fringes of a few percent at a bone edge.
   */
  export const PHASE_SCALE = 20;
}

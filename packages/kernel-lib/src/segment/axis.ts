/**
 * Predicting one SUN axis of one (sub-)volume: slices cut in batches (fill NaN marks samples
 * outside the volume), normalised as the card says, tiled when larger than the model's tile,
 * run through the model in batches of `batchSize` tiles, blended, and back-projected onto grid
 * rows [r0, r1) of the caller's [C, rows, ny, nx] accumulator.
 *
 * Consecutive slice batches overlap by one slice (what backProject needs); that slice's
 * probabilities are kept, not recomputed. Buffers come from the run's pool and are reused
 * across batches, axes and slabs.
 *
 * @example
 * const run = new InferenceRun({ model, batchSize: 8, signal });
 * await predictAxis(run, volume, 'zx+', 0, volume.shape[0], target);
 */
import { throwIfInterrupted } from '../runtime';
import type { SegmentationModel } from '../models';
import { backProject, sampleSlices, SliceGeometry, type SunAxis, type Volume } from '../volume';
import { normaliseSlices } from './normalise';
import { TilePlan } from './tiling';

const { floor, max, min } = Math;

/** Shared state of one segmentation run: model, batch size, buffers, timing. */
export class InferenceRun {
  constructor(options: InferenceRun.IOptions) {
    this.model = options.model;
    this.batchSize = options.batchSize;
    this.signal = options.signal;
    this.onSlices = options.onSlices;
  }

  readonly model: SegmentationModel;
  /** Tiles per model call. */
  readonly batchSize: number;
  readonly signal: AbortSignal;
  /** Called with the number of slices just predicted. */
  readonly onSlices?: (count: number) => void;
  /** Milliseconds spent inside the model (ONNX Runtime's run). */
  inferenceMs = 0;
  /** Input shapes [n, h, w] of every model call, counted (to replay the same calls on bare ONNX Runtime). */
  readonly calls = new Map<string, number>();

  /** A Float32 buffer of at least `length` values for `role`, reused between calls (contents undefined). */
  buffer(role: string, length: number): Float32Array {
    let b = this._buffers.get(role);
    if (!b || b.length < length) {
      b = new Float32Array(length);
      this._buffers.set(role, b);
    }
    return b.subarray(0, length);
  }

  /** The tile plan of an h x w slice (cached). */
  plan(h: number, w: number): TilePlan {
    const key = `${h}x${w}`;
    let p = this._plans.get(key);
    if (!p) {
      const { tile, multiple } = this.model.card.input;
      p = new TilePlan({ height: h, width: w, tile, multiple });
      this._plans.set(key, p);
    }
    return p;
  }

  /** Runs the model on [n, 1, h, w], timing it. */
  async infer(input: Float32Array, shape: [number, number, number]): Promise<Float32Array> {
    throwIfInterrupted(this.signal);
    const key = shape.join('x');
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    const t0 = performance.now();
    const out = await this.model.predict(input, shape);
    this.inferenceMs += performance.now() - t0;
    return out;
  }

  private readonly _buffers = new Map<string, Float32Array>();
  private readonly _plans = new Map<string, TilePlan>();
}

export namespace InferenceRun {
  /** Options of the InferenceRun constructor. */
  export interface IOptions {
    model: SegmentationModel;
    batchSize: number;
    signal: AbortSignal;
    onSlices?: (count: number) => void;
  }
}

/** Number of slices of `axis` that `predictAxis` computes for grid rows [r0, r1) of a grid of `shape`. */
export function slicesFor(shape: readonly [number, number, number], axis: SunAxis, r0: number, r1: number): number {
  const [ka, kb] = new SliceGeometry({ shape, axis }).slicesForGridRows(r0, r1);
  return kb - ka;
}

/** Adds axis `axis`'s class probabilities for grid rows [r0, r1) of `volume` to `target` ([C, r1 - r0, ny, nx]). */
export async function predictAxis(run: InferenceRun, volume: Volume, axis: SunAxis, r0: number, r1: number, target: Float32Array): Promise<void> {
  const g = new SliceGeometry({ shape: volume.shape, axis });
  const [, h, w] = g.stackShape;
  const [ka, kb] = g.slicesForGridRows(r0, r1);
  const card = run.model.card;
  const { normalisation, fill } = card.input;
  const C = run.model.classes;
  const plan = run.plan(h, w);
  const T = plan.tiles.length;
  const plane = h * w;
  const slicesPerBatch = max(1, floor(run.batchSize / T));
  const input = run.buffer('input', slicesPerBatch * plane);
  const probs = run.buffer('probs', (slicesPerBatch + 1) * C * plane);
  const scratch = run.buffer('scratch', plane);
  const tilePixels = plan.tilePixels;
  const tiles = plan.direct ? input : run.buffer('tiles', min(run.batchSize, slicesPerBatch * T) * tilePixels);
  let cached = 0;
  for (let a = ka; a < kb; ) {
    throwIfInterrupted(run.signal);
    const b = min(kb, a + slicesPerBatch);
    const count = b - a;
    const slices = input.subarray(0, count * plane);
    sampleSlices(volume, g, { k0: a, k1: b, fill: NaN, out: slices });
    normaliseSlices(slices, count, plane, normalisation, fill, scratch);
    const first = cached * C * plane;
    if (plan.direct) {
      probs.set(await run.infer(slices, [count, h, w]), first);
    } else {
      probs.fill(0, first, first + count * C * plane);
      const total = count * T;
      for (let q = 0; q < total; q += run.batchSize) {
        const m = min(run.batchSize, total - q);
        for (let t = 0; t < m; t++) {
          plan.extract(slices, floor((q + t) / T) * plane, (q + t) % T, tiles, t * tilePixels, fill);
        }
        const out = await run.infer(tiles.subarray(0, m * tilePixels), [m, plan.tileHeight, plan.tileWidth]);
        for (let t = 0; t < m; t++) {
          const s = floor((q + t) / T);
          plan.blend(out, t * C * tilePixels, (q + t) % T, C, probs, first + s * C * plane);
        }
      }
      for (let s = 0; s < count; s++) plan.finish(probs, first + s * C * plane, C);
    }
    const held = cached + count;
    backProject(g, probs.subarray(0, held * C * plane), target, { channels: C, k0: a - cached, z0: r0, z1: r1 });
    if (b < kb) {
      // The next batch starts on this batch's last slice: keep its probabilities in front.
      probs.copyWithin(0, (held - 1) * C * plane, held * C * plane);
      cached = 1;
    }
    a = b;
    run.onSlices?.(count);
  }
}

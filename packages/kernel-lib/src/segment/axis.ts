/**
 * Predicting one SUN axis of one (sub-)volume: slices cut in batches (fill NaN marks samples
 * outside the volume), normalised as the card says, cut to each slice's in-volume window
 * (window.ts; whole slices with `windows: false`), tiled when larger than the model's tile,
 * run through the model in batches of `batchSize` tiles, blended, and back-projected onto grid
 * rows [r0, r1) of the caller's [C, rows, ny, nx] accumulator.
 *
 * Consecutive slice batches overlap by one slice (what backProject needs); that slice's
 * probabilities are kept, not recomputed. Buffers come from the run's pool (one set per batch in
 * flight) and are reused across batches, axes and slabs.
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
import { copyWindow, modelWindow, scatterWindow, type ModelWindow } from './window';

const { floor, max, min } = Math;

/** Pixels of context a window keeps beyond the volume by default. */
export const WINDOW_MARGIN = 0;

/** Shared state of one segmentation run: model, batch size, buffers, timing. */
export class InferenceRun {
  constructor(options: InferenceRun.IOptions) {
    this.model = options.model;
    this.batchSize = options.batchSize;
    this.signal = options.signal;
    this.onSlices = options.onSlices;
    this.windows = options.windows ?? true;
    this.windowMargin = options.windowMargin ?? WINDOW_MARGIN;
  }

  readonly model: SegmentationModel;
  /** Tiles per model call. */
  readonly batchSize: number;
  readonly signal: AbortSignal;
  /** Called with the number of slices just predicted. */
  readonly onSlices?: (count: number) => void;
  /** Whether the model runs on each batch's in-volume window (true) or on whole slices. */
  readonly windows: boolean;
  /** Pixels of context a window keeps beyond the volume. */
  readonly windowMargin: number;
  /** Pixels given to the model (tiles and windows, their padding included), summed over calls. */
  modelPixels = 0;
  /** Milliseconds ONNX Runtime spent running the model (its own time, not time queued behind other batches). */
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
    this.modelPixels += shape[0] * shape[1] * shape[2];
    const { probs, ms } = await this.model.predictTimed(input, shape);
    this.inferenceMs += ms;
    return probs;
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
    /** Run the model on each batch's in-volume window (default true); false: on whole slices, as before windows. */
    windows?: boolean;
    /** Pixels of context beyond the volume a window keeps (default WINDOW_MARGIN). */
    windowMargin?: number;
  }
}

/** Number of slices of `axis` that `predictAxis` computes for grid rows [r0, r1) of a grid of `shape`. */
export function slicesFor(shape: readonly [number, number, number], axis: SunAxis, r0: number, r1: number): number {
  const [ka, kb] = new SliceGeometry({ shape, axis }).slicesForGridRows(r0, r1);
  return kb - ka;
}

/**
 * Adds axis `axis`'s class probabilities for grid rows [r0, r1) of `volume` to `target` ([C, r1 - r0, ny, nx]).
 *
 * Batches are pipelined: batch i is cut, normalised and submitted to the model before the oldest batch in flight is
 * awaited and back-projected, with one batch more in flight than the model has session threads (at least two). With
 * session threads (the default), the main thread's work overlaps the model's and every session has a batch queued.
 * Each batch in flight has its own buffers (its lane); back-projection stays in slice order, so the sums, and the
 * labels, are the same bit for bit as one batch at a time on one session.
 */
export async function predictAxis(run: InferenceRun, volume: Volume, axis: SunAxis, r0: number, r1: number, target: Float32Array): Promise<void> {
  const g = new SliceGeometry({ shape: volume.shape, axis });
  const [, h, w] = g.stackShape;
  const [ka, kb] = g.slicesForGridRows(r0, r1);
  const C = run.model.classes;
  const plane = h * w;
  const batches = new BatchPlanner(run, g);
  // The slice a batch shares with the next (its last): back-projection needs it in front of the next batch.
  const carry = run.buffer('carry', C * plane);
  let carried = false;
  const finish = (batch: Private.Batch): void => {
    const { a, b, count, window, lane } = batch;
    // Slot 0 of a lane's probabilities holds the carried slice; the batch's own slices follow.
    const probs = run.buffer(`probs-${lane}`, (batches.maxSlices + 1) * C * plane);
    if (!window) probs.fill(0, C * plane, (count + 1) * C * plane); // no voxel of the volume reads these slices
    else if (!window.whole) scatterWindow(run.buffer(`window-probs-${lane}`, count * C * window.height * window.width), count, C, window, probs, C * plane, h, w);
    if (carried) probs.set(carry, 0);
    const from = carried ? 0 : C * plane;
    backProject(g, probs.subarray(from, (count + 1) * C * plane), target, { channels: C, k0: carried ? a - 1 : a, z0: r0, z1: r1 });
    carried = b < kb;
    if (carried) carry.set(probs.subarray(count * C * plane, (count + 1) * C * plane));
    run.onSlices?.(count);
  };
  // One batch more in flight than sessions: every session has a batch queued while this thread finishes the oldest.
  const lanes = Math.max(2, run.model.sessionThreads + 1);
  const inFlight: Private.Batch[] = [];
  for (let a = ka, i = 0; a < kb; i++) {
    throwIfInterrupted(run.signal);
    const { end: b, window } = batches.next(a, kb);
    const lane = i % lanes; // free: the batch that last used it was finished in an earlier turn
    const batch: Private.Batch = { a, b, count: b - a, window, lane, done: Private.submit(run, volume, g, a, b, window, lane, batches.maxSlices) };
    batch.done.catch(() => undefined); // awaited below; an earlier batch's error must not leave this one unhandled
    inFlight.push(batch);
    if (inFlight.length === lanes) {
      const oldest = inFlight.shift()!;
      await oldest.done;
      finish(oldest);
    }
    a = b;
  }
  for (const batch of inFlight) {
    await batch.done;
    finish(batch);
  }
}

/**
 * Model probabilities [count, C, H, W] at `out[offset..]` of `count` normalised slices [count, H, W] that `plan`
 * tiles: one model call when a slice is its own tile, else tiles in batches of the run's batch size, blended.
 */
async function predictSlices(run: InferenceRun, plan: TilePlan, slices: Float32Array, count: number, out: Float32Array, offset: number, lane: number): Promise<void> {
  const C = run.model.classes;
  const { fill } = run.model.card.input;
  const plane = plan.height * plan.width;
  if (plan.direct) {
    out.set(await run.infer(slices, [count, plan.height, plan.width]), offset);
    return;
  }
  const T = plan.tiles.length;
  const tilePixels = plan.tilePixels;
  const tiles = run.buffer(`tiles-${lane}`, min(run.batchSize, count * T) * tilePixels);
  out.fill(0, offset, offset + count * C * plane);
  const total = count * T;
  for (let q = 0; q < total; q += run.batchSize) {
    const m = min(run.batchSize, total - q);
    for (let t = 0; t < m; t++) {
      plan.extract(slices, floor((q + t) / T) * plane, (q + t) % T, tiles, t * tilePixels, fill);
    }
    const probs = await run.infer(tiles.subarray(0, m * tilePixels), [m, plan.tileHeight, plan.tileWidth]);
    for (let t = 0; t < m; t++) {
      const s = floor((q + t) / T);
      plan.blend(probs, t * C * tilePixels, (q + t) % T, C, out, offset + s * C * plane);
    }
  }
  for (let s = 0; s < count; s++) plan.finish(out, offset + s * C * plane, C);
}

/**
 * Groups consecutive slices into batches that share one window: as many as fit the run's batch size in model tiles.
 * Each slice's window is its own (never a union over a batch), so a slice gets the same model input whatever batch it
 * falls in: an array task, whose slab starts its batches elsewhere, computes what the in-process loop computes. The
 * number of slices a batch may hold is bounded so that the whole-slice buffers stay what they were without windows,
 * or at most a batch of tiles.
 */
class BatchPlanner {
  constructor(run: InferenceRun, geometry: SliceGeometry) {
    const [, h, w] = geometry.stackShape;
    this._run = run;
    this._geometry = geometry;
    const wholeTiles = run.plan(h, w).tiles.length;
    const tilePixels = run.model.card.input.tile[0] * run.model.card.input.tile[1];
    const wholeSlices = max(1, floor(run.batchSize / wholeTiles));
    this.maxSlices = run.windows ? min(run.batchSize, max(wholeSlices, floor((run.batchSize * tilePixels) / (h * w)))) : wholeSlices;
  }

  /** Slices a batch holds at most. */
  readonly maxSlices: number;

  /** The batch starting at slice `a` (ending by `limit`): its end and window (undefined: no slice meets the volume). */
  next(a: number, limit: number): { end: number; window?: ModelWindow } {
    const g = this._geometry;
    if (!this._run.windows) {
      const [, h, w] = g.stackShape;
      return { end: min(limit, a + this.maxSlices), window: { y: 0, x: 0, height: h, width: w, whole: true } };
    }
    const window = this._window(a, a + 1);
    const most = window ? min(this.maxSlices, max(1, floor(this._run.batchSize / this._tiles(window)))) : this.maxSlices;
    let end = a + 1;
    while (end < limit && end - a < most && sameWindow(this._window(end, end + 1), window)) end++;
    return { end, window };
  }

  private _window(k0: number, k1: number): ModelWindow | undefined {
    const { tile, multiple } = this._run.model.card.input;
    return modelWindow(this._geometry, k0, k1, { tile: [tile[0], tile[1]], multiple, margin: this._run.windowMargin, bucket: 2 * multiple });
  }

  private _tiles(window: ModelWindow): number {
    return this._run.plan(window.height, window.width).tiles.length;
  }

  private readonly _run: InferenceRun;
  private readonly _geometry: SliceGeometry;
}

/** Whether two windows (or two absences of one) are the same. */
function sameWindow(a: ModelWindow | undefined, b: ModelWindow | undefined): boolean {
  return a === b || (!!a && !!b && a.y === b.y && a.x === b.x && a.height === b.height && a.width === b.width);
}

namespace Private {
  /** A batch of slices [a, b) on its way through the model; `done` settles when its probabilities are in its lane. */
  export interface Batch {
    a: number;
    b: number;
    count: number;
    window?: ModelWindow;
    lane: number;
    done: Promise<void>;
  }

  /**
   * Cuts and normalises slices [a, b) into lane `lane`'s buffers now, and submits them to the model: the promise
   * settles when their probabilities are in the lane's buffers (whole slices: `probs-<lane>` from slot 1; a window:
   * `window-probs-<lane>`).
   */
  export function submit(run: InferenceRun, volume: Volume, g: SliceGeometry, a: number, b: number, window: ModelWindow | undefined, lane: number, maxSlices: number): Promise<void> {
    if (!window) return Promise.resolve();
    const [, h, w] = g.stackShape;
    const { normalisation, fill } = run.model.card.input;
    const C = run.model.classes;
    const plane = h * w;
    const count = b - a;
    const slices = run.buffer(`input-${lane}`, maxSlices * plane).subarray(0, count * plane);
    sampleSlices(volume, g, { k0: a, k1: b, fill: NaN, out: slices });
    normaliseSlices(slices, count, plane, normalisation, fill, run.buffer('scratch', plane));
    if (window.whole) return predictSlices(run, run.plan(h, w), slices, count, run.buffer(`probs-${lane}`, (maxSlices + 1) * C * plane), C * plane, lane);
    const { height, width } = window;
    const windowed = run.buffer(`window-${lane}`, count * height * width);
    copyWindow(slices, count, h, w, window, windowed, fill);
    return predictSlices(run, run.plan(height, width), windowed, count, run.buffer(`window-probs-${lane}`, count * C * height * width), 0, lane);
  }
}

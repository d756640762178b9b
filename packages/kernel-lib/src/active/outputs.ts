/**
 * What active learning needs from the segmentation model, for every voxel: the class probabilities (`probs`) and the
 * last decoder layer's features (`features`), from one pass of the 2D U-Net along one orthogonal axis. Slices are
 * normalised as the card says and tiled like the SUN pipeline does (segment/); outputs are stored plane by plane,
 * [C, z, y, x] and [F, z, y, x].
 *
 * @example
 * const model = await SegmentationModel.load('sun-implant');
 * const out = await predictOutputs(image, model, { axis: 'z' });
 * out.probs.length === 4 * image.size;   out.featureCount;   // 16
 */
import type { Tensor } from 'onnxruntime-node';

import { ActiveLearningError } from '../errors';
import { type OrthogonalAxis, voxelOf } from '../protocol';
import { resolveSignal, throwIfInterrupted } from '../runtime';
import { onnxRuntime, ortFloat32, type SegmentationModel } from '../models';
import { normaliseSlices, TilePlan } from '../segment';
import { sampleSlices, SliceGeometry, type Shape3, type Volume } from '../volume';
import { checkAxis } from './planes';

/** Per-voxel model outputs along one axis. */
export interface ModelOutputs {
  /** [z, y, x] of the volume. */
  shape: Shape3;
  /** The axis the U-Net ran along. */
  axis: OrthogonalAxis;
  /** Number of classes C. */
  classes: number;
  /** Class probabilities [C, z, y, x]. */
  probs: Float32Array;
  /** Number of feature channels F (0 without features). */
  featureCount: number;
  /** Features [F, z, y, x] (the card's `features` output), when asked for. */
  features?: Float32Array;
  /** Seconds of the whole pass, and inside ONNX Runtime. */
  seconds: number;
  inferenceSeconds: number;
}

/** Runs `model` on every slice of `volume` along `axis`; returns probabilities and (by default) features per voxel. */
export async function predictOutputs(volume: Volume, model: SegmentationModel, options: predictOutputs.IOptions = {}): Promise<ModelOutputs> {
  const started = performance.now();
  const axis = checkAxis(options.axis ?? 'z');
  const signal = resolveSignal(options.signal);
  const card = model.card;
  const wantFeatures = options.features !== false;
  if (wantFeatures && !card.outputs.features) {
    throw new ActiveLearningError('model', `"${card.name}" has no "features" output in its card (outputs.features); active learning needs it for coreset and the fast head`);
  }
  const names = wantFeatures ? [card.outputs.probs, card.outputs.features!] : [card.outputs.probs];
  const g = new SliceGeometry({ shape: volume.shape, axis });
  const [n, h, w] = g.stackShape;
  const plan = new TilePlan({ height: h, width: w, tile: card.input.tile, multiple: card.input.multiple });
  const V = volume.size;
  const C = model.classes;
  const batch = Math.max(1, options.batchSize ?? 8);
  const plane = h * w;
  const input = new Float32Array(batch * plane);
  const scratch = new Float32Array(plane);
  const tiles = new Float32Array(batch * plan.tilePixels);
  let probs = new Float32Array(0);
  let features: Float32Array | undefined;
  let F = 0;
  let inferenceMs = 0;
  const ort = onnxRuntime();
  const run = async (data: Float32Array, m: number): Promise<Float32Array[]> => {
    throwIfInterrupted(signal);
    const t0 = performance.now();
    const feeds = { [card.input.name]: new ort.Tensor('float32', ortFloat32(data), [m, 1, plan.tileHeight, plan.tileWidth]) };
    const result = await model.session.run(feeds, names);
    inferenceMs += performance.now() - t0;
    return names.map(name => (result[name] as Tensor).data as Float32Array);
  };
  // Slices are predicted one at a time through the tile batches, then scattered into the planar outputs.
  for (let k0 = 0; k0 < n; k0 += batch) {
    const k1 = Math.min(n, k0 + batch);
    const count = k1 - k0;
    const slices = input.subarray(0, count * plane);
    sampleSlices(volume, g, { k0, k1, fill: NaN, out: slices });
    normaliseSlices(slices, count, plane, card.input.normalisation, card.input.fill, scratch);
    // A slice that is its own tile goes through in one call per batch of slices.
    const direct = plan.direct ? await run(slices, count) : undefined;
    for (let s = 0; s < count; s++) {
      const T = plan.tiles.length;
      let sliceProbs: Float32Array;
      let sliceFeatures: Float32Array | undefined;
      if (direct) {
        [sliceProbs, sliceFeatures] = direct.map(o => {
          const ch = o.length / (count * plane);
          return o.subarray(s * ch * plane, (s + 1) * ch * plane);
        });
      } else {
        for (let t = 0; t < T; t++) plan.extract(slices, s * plane, t, tiles, t * plan.tilePixels, card.input.fill);
        const outs = await Private.runTiles(run, tiles, T, plan.tilePixels, batch);
        const channels = outs.map(o => o.length / (T * plan.tilePixels));
        const blended = outs.map((o, q) => {
          const b = new Float32Array(channels[q] * plane);
          for (let t = 0; t < T; t++) plan.blend(o, t * channels[q] * plan.tilePixels, t, channels[q], b, 0);
          plan.finish(b, 0, channels[q]);
          return b;
        });
        [sliceProbs, sliceFeatures] = blended;
      }
      if (probs.length === 0) {
        probs = new Float32Array(C * V);
        if (sliceFeatures) {
          F = sliceFeatures.length / plane;
          features = new Float32Array(F * V);
        }
      }
      Private.scatter(volume.shape, axis, k0 + s, sliceProbs, C, probs);
      if (sliceFeatures && features) Private.scatter(volume.shape, axis, k0 + s, sliceFeatures, F, features);
    }
  }
  return { shape: [...volume.shape] as unknown as Shape3, axis, classes: C, probs, featureCount: F, features, seconds: (performance.now() - started) / 1000, inferenceSeconds: inferenceMs / 1000 };
}

export namespace predictOutputs {
  /** Options of predictOutputs. */
  export interface IOptions {
    /** Orthogonal axis of the slices (default 'z'). */
    axis?: OrthogonalAxis;
    /** Slices per batch (default 8). */
    batchSize?: number;
    /** Also fetch the features (default true). */
    features?: boolean;
    /** Aborts between model calls (default: the calling cell's interrupt). */
    signal?: AbortSignal;
  }
}

namespace Private {
  /** Runs T tiles of one slice in model calls of at most `batch` tiles; returns each output [T, ch, th, tw]. */
  export async function runTiles(
    run: (data: Float32Array, m: number) => Promise<Float32Array[]>,
    tiles: Float32Array,
    T: number,
    tilePixels: number,
    batch: number
  ): Promise<Float32Array[]> {
    const parts: Float32Array[][] = [];
    for (let q = 0; q < T; q += batch) {
      const m = Math.min(batch, T - q);
      parts.push((await run(tiles.slice(q * tilePixels, (q + m) * tilePixels), m)).map(o => o.slice()));
    }
    return parts[0].map((_, o) => {
      const total = parts.reduce((s, p) => s + p[o].length, 0);
      const out = new Float32Array(total);
      let at = 0;
      for (const p of parts) {
        out.set(p[o], at);
        at += p[o].length;
      }
      return out;
    });
  }

  /** Copies a slice's [ch, h, w] values to the planar [ch, z, y, x] output at slice k along `axis`. */
  export function scatter(shape: Shape3, axis: OrthogonalAxis, k: number, values: Float32Array, channels: number, out: Float32Array): void {
    const V = shape[0] * shape[1] * shape[2];
    const [, ny, nx] = shape;
    const h = axis === 'z' ? ny : shape[0];
    const w = axis === 'x' ? ny : nx;
    const plane = h * w;
    for (let c = 0; c < channels; c++) {
      const src = c * plane;
      const dst = c * V;
      if (axis === 'x') {
        for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[dst + voxelOf(shape, axis, k, i, j)] = values[src + i * w + j];
      } else {
        // z and y: each slice row is a contiguous run of voxels.
        for (let i = 0; i < h; i++) out.set(values.subarray(src + i * w, src + (i + 1) * w), dst + voxelOf(shape, axis, k, i, 0));
      }
    }
  }
}

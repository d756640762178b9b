/**
 * `show()`: a volume (or image, labels and confidence) as an interactive viewer under the
 * cell. Layers go to the content-addressed cache next to the notebook and reach the browser
 * through the server's files; the output itself carries a small preview and the PNG slices.
 *
 * @example
 * const { image, labels } = await implantPhantom({ size: 64, seed: 1, stage: 8 });
 * const viewer = await show({ image, labels, confidence }, { title: 'Phantom, 8 weeks' });
 * viewer.setSlice({ z: 20 });
 * await viewer.addLayer(mask, { name: 'mask', kind: 'labels' });
 */
import { randomBytes } from 'crypto';

import { VolumeShapeError } from '../../errors';
import { VIEWER_TARGET } from '../../protocol';
import type { LabelClass, LayerKind, LayerSpec, Triple, ViewerLayout, ViewerLimits } from '../../protocol';
import type { Volume } from '../../volume';
import { publishDisplay } from '../output';
import { orthoSlicesPng } from '../slices';
import { LayerCache } from './cache';
import { ViewerHandle, registerHandle } from './handle';
import { describeLayer, describeOutput, LayerOptions, volumeBundle, volumeOutput } from './payload';
import { DEFAULT_PREVIEW_BYTES, embeddedPreview, needsOverview, OVERVIEW_LIMITS, overviewFactor, reduce, reductionFactor } from './preview';

/** The layers of `show`: an image, optional labels and confidence, and any further layers. */
export interface ShowLayers {
  image: Volume;
  labels?: Volume;
  confidence?: Volume;
  layers?: Array<LayerOptions & { volume: Volume }>;
}

/** Show volumes in the calling cell; returns the handle that talks to the viewer. */
export async function show(input: Volume | ShowLayers, options: show.IOptions = {}): Promise<ViewerHandle> {
  const layers = Private.layerList(input);
  const image = layers[0].volume;
  Private.checkShapes(layers);
  const cache = options.cache instanceof LayerCache ? options.cache : new LayerCache(options.cache);
  const budget = options.previewBytes ?? DEFAULT_PREVIEW_BYTES;
  const previewFactor = budget > 0 ? reductionFactor(layers.map(l => l.volume), budget, Infinity, 1) : 0;

  // One overview factor for all layers (same shape), so that the browser shows them on one grid.
  const limits = Private.limits(options.limits);
  const overview = needsOverview(image, limits) ? overviewFactor(image, limits) : 0;
  const specs: LayerSpec[] = [];
  const written: string[] = [];
  for (const layer of layers) {
    const spec = await Private.prepare(cache, layer, { previewFactor, overviewFactor: overview }, written);
    specs.push(spec);
  }
  await cache.prune(written);

  const slice = options.slice ?? (image.shape.map(n => n >> 1) as Triple);
  const viewId = randomBytes(8).toString('hex');
  const output = volumeOutput({
    title: options.title,
    layers: specs,
    view: { slice, layout: options.layout ?? 'multiplanar', ...(options.limits ? { limits: Private.given(options.limits) } : {}) },
    classes: options.classes,
    session: { viewId, target: VIEWER_TARGET }
  });
  const find = (kind: LayerKind) => layers.find(l => l.kind === kind)?.volume;
  const png = orthoSlicesPng(image, { labels: find('labels'), confidence: find('confidence'), index: slice, window: specs[0].range });
  const text = describeOutput(output);
  publishDisplay(volumeBundle(output, png, text), { metadata: { 'image/png': { alt: text } } });

  const handle = new ViewerHandle({
    viewId, shape: image.shape, spacing: image.spacing, origin: image.origin, slice, layout: output.view.layout,
    prepareLayer: async (volume, layer) => {
      const written: string[] = [];
      const spec = await Private.prepare(cache, { ...layer, volume, kind: layer.kind ?? 'image', name: layer.name ?? 'layer' }, { previewFactor: 0, overviewFactor: 0 }, written);
      await cache.prune(written);
      return spec;
    }
  });
  registerHandle(handle);
  return handle;
}

/** Types of `show`. */
export namespace show {
  /** Options of `show`. */
  export interface IOptions {
    /** Text shown with the output. */
    title?: string;
    /** Crosshair voxel [z, y, x] (default: the centre). */
    slice?: Triple;
    layout?: ViewerLayout;
    /** Label classes for colours and legend (default: bone, DL, RM). */
    classes?: Record<number, LabelClass>;
    /** Where layers are written (default: `.mdlma/cache` in the working folder, 4 GiB). */
    cache?: LayerCache | LayerCache.IOptions;
    /** Budget of the embedded preview in raw voxel bytes, all layers together (default 2 MiB; 0: none). */
    previewBytes?: number;
    /**
     * Largest layer the browser loads whole (default: what its WebGL allows). Bigger layers are
     * shown as an overview within these limits (and at most 256 per side, 2^24 voxels), with
     * full-resolution detail around the crosshair on demand.
     */
    limits?: Partial<ViewerLimits>;
  }
}

namespace Private {
  export type Layer = LayerOptions & { volume: Volume; kind: LayerKind; name: string };

  export function layerList(input: Volume | ShowLayers): Layer[] {
    if (!('image' in input) || !input.image) {
      return [{ volume: input as Volume, kind: 'image', name: 'image' }];
    }
    const list: Layer[] = [{ volume: input.image, kind: 'image', name: 'image' }];
    if (input.labels) list.push({ volume: input.labels, kind: 'labels', name: 'labels' });
    if (input.confidence) list.push({ volume: input.confidence, kind: 'confidence', name: 'confidence' });
    for (const extra of input.layers ?? []) {
      list.push({ ...extra, kind: extra.kind ?? 'image', name: extra.name ?? `layer ${list.length}` });
    }
    return list;
  }

  /** The caller's limits (those given, as positive integers). */
  export function given(limits: Partial<ViewerLimits>): Partial<ViewerLimits> {
    const valid = (n: number | undefined) => n !== undefined && Number.isFinite(n) && n >= 1;
    return Object.fromEntries(Object.entries(limits).filter(([key, n]) => (key === 'maxSide' || key === 'maxVoxels') && valid(n)).map(([key, n]) => [key, Math.floor(n as number)]));
  }

  /** The caller's limits within those of the overview every browser can show. */
  export function limits(limits: Partial<ViewerLimits> = {}): ViewerLimits {
    const mine = given(limits);
    return { maxSide: Math.min(mine.maxSide ?? Infinity, OVERVIEW_LIMITS.maxSide), maxVoxels: Math.min(mine.maxVoxels ?? Infinity, OVERVIEW_LIMITS.maxVoxels) };
  }

  export function checkShapes(layers: Layer[]): void {
    const shape = layers[0].volume.shape;
    for (const layer of layers.slice(1)) {
      if (layer.volume.shape.some((n, a) => n !== shape[a])) {
        throw new VolumeShapeError(`Layer "${layer.name}" has shape [${layer.volume.shape.join(', ')}], the image [${shape.join(', ')}]; resample it to the image grid first.`);
      }
    }
  }

  /** Cache the layer (and an overview when it is too big for a browser), embed its preview. */
  export async function prepare(
    cache: LayerCache, layer: Layer, { previewFactor, overviewFactor }: { previewFactor: number; overviewFactor: number }, written: string[]
  ): Promise<LayerSpec> {
    const entry = await cache.put(layer.volume);
    written.push(entry.path);
    let overview: LayerSpec['overview'];
    if (overviewFactor > 1) {
      const factor = overviewFactor;
      const small = reduce(layer.volume, layer.kind, factor);
      const smallEntry = await cache.put(small);
      written.push(smallEntry.path);
      overview = { src: { path: smallEntry.relativePath }, shape: [...small.shape] as Triple, factor };
    }
    const spec = describeLayer({ ...layer, src: { path: entry.relativePath }, overview });
    if (previewFactor > 0) spec.preview = embeddedPreview(layer.volume, layer.kind, previewFactor, spec.range);
    return spec;
  }
}

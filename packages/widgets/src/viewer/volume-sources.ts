/**
 * Where the viewer's layer bytes come from: the kernel's cached NIfTI files, served under
 * `<base_url>/mdlma/api/viewer-cache/` (Jupyter's files API refuses the hidden `.mdlma/`
 * folder), the cached overview when the full layer exceeds the browser's limits (with boxes of
 * the full layer around the crosshair, `?box=`, read by the server from the uncompressed file),
 * or the preview embedded in the output (shown first, and alone when the files are gone).
 *
 * @example
 * const plan = planSources(output.layers, { max3DTextureSize: 2048, maxVoxels: 2 ** 25 });
 * const layers = await loadLayers(output.layers, plan, { directory: 'study', settings });
 */
import { PathExt, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type { LayerSource, LayerSpec, Triple, ViewerLimits } from '@mdlma/kernel/protocol';

import type { ViewerLayer } from './types';

/** Which copy of the layers to show, and the note that says so when it is not the full one. */
export interface SourcePlan {
  level: 'full' | 'overview' | 'preview';
  note: string;
}

/**
 * Largest layer the browser loads whole. niivue keeps about 12 bytes of textures per voxel
 * (RGBA colours, gradients, overlays), and software WebGL needs seconds per 2^24 voxels, hence
 * a smaller budget there.
 */
export interface BrowserLimits {
  /** The context's MAX_3D_TEXTURE_SIZE (or less). */
  max3DTextureSize: number;
  /** Voxels one layer may have (default `DEFAULT_MAX_VOXELS`). */
  maxVoxels?: number;
}

/** Default voxel budgets of a layer: GPU, and software WebGL (SwiftShader: about 3 s per 2^25 voxels). */
export const DEFAULT_MAX_VOXELS = { hardware: 2 ** 27, software: 2 ** 25 };

/** The browser's limits narrowed by those the output asks for (`show(…, { limits })`). */
export function effectiveLimits(browser: BrowserLimits, asked: Partial<ViewerLimits> = {}): Required<BrowserLimits> {
  const positive = (n: number | undefined) => (typeof n === 'number' && n >= 1 ? n : Infinity);
  return {
    max3DTextureSize: Math.min(browser.max3DTextureSize, positive(asked.maxSide)),
    maxVoxels: Math.min(browser.maxVoxels ?? DEFAULT_MAX_VOXELS.hardware, positive(asked.maxVoxels))
  };
}

/** Whether a grid of this shape fits the limits. */
export function fitsLimits(shape: readonly number[], limits: Required<BrowserLimits>): boolean {
  return Math.max(...shape) <= limits.max3DTextureSize && shape.reduce((a, b) => a * b, 1) <= limits.maxVoxels;
}

/** Choose full layers when they fit the browser, else the overview, else the embedded preview. */
export function planSources(layers: LayerSpec[], browser: BrowserLimits, asked?: Partial<ViewerLimits>): SourcePlan {
  const limits = effectiveLimits(browser, asked);
  const hasPath = (src: LayerSource | undefined) => !!src && 'path' in src;
  if (layers.every(l => fitsLimits(l.shape, limits))) return { level: 'full', note: '' };
  const first = layers[0];
  const why = `${first.shape.join(' × ')} exceeds the viewer's limits here (${limits.max3DTextureSize} per side, ${Private.count(limits.maxVoxels)} voxels)`;
  if (layers.every(l => l.overview && hasPath(l.overview.src) && fitsLimits(l.overview.shape, limits))) {
    return { level: 'overview', note: `Overview at 1/${first.overview!.factor} resolution: ${why}.` };
  }
  return { level: 'preview', note: `Preview at 1/${first.preview?.factor ?? '?'} resolution: ${why}.` };
}

/** A box of the full volume: [start, stop) per axis z, y, x. */
export type Box = [[number, number], [number, number], [number, number]];

/** The box of at most `side` voxels per axis centred on `voxel`, moved inside the volume. */
export function boxAround(voxel: readonly number[], shape: readonly number[], side: number): Box {
  return shape.map((n, a) => {
    const size = Math.max(1, Math.min(n, Math.floor(side)));
    const start = Math.max(0, Math.min(n - size, Math.round(voxel[a] - size / 2)));
    return [start, start + size];
  }) as Box;
}

/** The full-resolution voxels of `box` of each layer's cached file, as viewer layers starting at the box's corner. */
export async function loadBox(layers: LayerSpec[], box: Box, options: LoadOptions): Promise<ViewerLayer[]> {
  const query = box.flat().join(',');
  return Promise.all(layers.map(async layer => {
    if (!('path' in layer.src)) throw new Error(`layer ${layer.name} has no cached file`);
    const response = await ServerConnection.makeRequest(`${cacheFileUrl(layer.src.path, options)}?box=${query}`, { method: 'GET' }, options.settings);
    if (!response.ok) throw new Error(`${layer.src.path} box ${query}: HTTP ${response.status}`);
    return { ...toViewerLayer(layer, await response.arrayBuffer(), 1), offset: box.map(([start]) => start) as Triple };
  }));
}

/** Options of `loadLayers`. */
export interface LoadOptions {
  /** The notebook's folder, relative to the server root (cache paths are relative to it). */
  directory: string;
  settings: ServerConnection.ISettings;
}

/** The embedded previews as viewer layers (no request: they are in the output). */
export async function loadPreviews(layers: LayerSpec[], options: LoadOptions): Promise<ViewerLayer[]> {
  return Promise.all(layers.map(async layer => toViewerLayer(layer, await readSource(layer.preview!.src, options), layer.preview!.factor)));
}

/** The layers' bytes for a plan; falls back to the embedded previews when a file cannot be read. */
export async function loadLayers(layers: LayerSpec[], plan: SourcePlan, options: LoadOptions): Promise<{ layers: ViewerLayer[]; level: SourcePlan['level'] }> {
  if (plan.level !== 'preview') {
    try {
      const loaded = await Promise.all(layers.map(async layer => {
        const src = plan.level === 'full' ? layer.src : layer.overview!.src;
        const factor = plan.level === 'full' ? 1 : layer.overview!.factor;
        return toViewerLayer(layer, await readSource(src, options), factor);
      }));
      return { layers: loaded, level: plan.level };
    } catch (error) {
      if (!layers.every(l => l.preview)) throw error;
    }
  }
  return { layers: await loadPreviews(layers, options), level: 'preview' };
}

/** The bytes of a layer source: a cached file, or base64 (gunzipped when compressed). */
export async function readSource(src: LayerSource, options: LoadOptions): Promise<ArrayBuffer> {
  if ('data' in src) {
    return Private.gunzipIfNeeded(Private.base64Bytes(src.data));
  }
  const response = await ServerConnection.makeRequest(cacheFileUrl(src.path, options), { method: 'GET' }, options.settings);
  if (!response.ok) {
    throw new Error(`${src.path}: HTTP ${response.status}`);
  }
  return Private.gunzipIfNeeded(new Uint8Array(await response.arrayBuffer()));
}

/** URL of a cached layer file, relative paths resolved against the notebook's folder, under the server's base URL. */
export function cacheFileUrl(path: string, options: LoadOptions): string {
  const full = PathExt.join(options.directory, path);
  if (full.startsWith('..')) throw new Error(`${path} lies outside the server root`);
  return URLExt.join(options.settings.baseUrl, 'mdlma', 'api', 'viewer-cache', URLExt.encodeParts(full));
}

/** A payload layer with its bytes, as the widget takes it. */
export function toViewerLayer(layer: LayerSpec, bytes: ArrayBuffer, factor: number): ViewerLayer {
  return {
    name: layer.name,
    kind: layer.kind,
    colormap: layer.colormap,
    opacity: layer.opacity,
    visible: layer.visible ?? true,
    range: layer.range,
    bytes,
    factor
  };
}

namespace Private {
  /** 33554432 as "2^25", other counts as they are. */
  export function count(n: number): string {
    const power = Math.log2(n);
    return Number.isInteger(power) && power > 10 ? `2^${power}` : String(n);
  }

  export function base64Bytes(text: string): Uint8Array {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  export async function gunzipIfNeeded(bytes: Uint8Array): Promise<ArrayBuffer> {
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    }
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new (globalThis as any).DecompressionStream('gzip'));
    return new Response(stream).arrayBuffer();
  }
}

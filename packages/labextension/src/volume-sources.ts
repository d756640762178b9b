/**
 * Where the viewer's layer bytes come from: the kernel's cached NIfTI files, served under
 * `<base_url>/mdlma/api/viewer-cache/` (Jupyter's files API refuses the hidden `.mdlma/`
 * folder), the cached overview when the full layer exceeds the browser's limits, or the
 * preview embedded in the output when the files are gone (exported or moved notebook).
 *
 * @example
 * const plan = planSources(output.layers, { max3DTextureSize: 2048 });
 * const layers = await loadLayers(output.layers, plan, { directory: 'study', settings });
 */
import { PathExt, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type { ViewerLayer } from '@mdlma/widgets';

/** The MIME type of volume outputs (kernel-lib display/viewer/payload.ts). */
export const VOLUME_MIME = 'application/vnd.mdlma.volume+json';

/** A layer of the payload, as far as the renderer reads it. */
export interface PayloadLayer {
  name: string;
  kind: ViewerLayer['kind'];
  src: { path: string } | { data: string };
  colormap: string;
  opacity: number;
  range: [number, number];
  visible?: boolean;
  shape: [number, number, number];
  dtype: string;
  spacing: [number, number, number];
  origin: [number, number, number];
  preview?: Reduced;
  overview?: Reduced;
}

/** A downsampled copy of a layer. */
export interface Reduced {
  src: { path: string } | { data: string };
  shape: [number, number, number];
  factor: number;
}

/** The volume output payload. */
export interface VolumePayload {
  version: number;
  title?: string;
  layers: PayloadLayer[];
  view: { slice: [number, number, number]; layout: string };
  classes?: Record<number, { name: string; color: string }>;
  session?: { viewId: string; target: string };
}

/** Which copy of the layers to show, and the note that says so when it is not the full one. */
export interface SourcePlan {
  level: 'full' | 'overview' | 'preview';
  note: string;
}

/** Limits of the browser's WebGL. */
export interface BrowserLimits {
  max3DTextureSize: number;
  /** Bytes one layer may take (default 1 GiB: textures of several layers under the ~2 GB buffer limit). */
  maxLayerBytes?: number;
}

/** Choose full layers when they fit the browser, else the overview, else the embedded preview. */
export function planSources(layers: PayloadLayer[], limits: BrowserLimits): SourcePlan {
  const maxBytes = limits.maxLayerBytes ?? 2 ** 30;
  const fits = (shape: number[], dtype: string) =>
    Math.max(...shape) <= limits.max3DTextureSize && shape.reduce((a, b) => a * b, 1) * Private.bytesPer(dtype) <= maxBytes;
  const hasPath = (src: PayloadLayer['src'] | undefined) => !!src && 'path' in src;
  if (layers.every(l => fits(l.shape, l.dtype))) return { level: 'full', note: '' };
  const first = layers[0];
  const why = `${first.shape.join(' × ')} exceeds this browser's limits (3D texture ${limits.max3DTextureSize} per side, ${Math.round(maxBytes / 2 ** 20)} MB per layer)`;
  if (layers.every(l => l.overview && hasPath(l.overview.src) && fits(l.overview.shape, l.dtype))) {
    return { level: 'overview', note: `Overview at 1/${first.overview!.factor} resolution: ${why}. Full resolution on demand is not available yet; use showSlices for full-resolution planes.` };
  }
  return { level: 'preview', note: `Preview at 1/${first.preview?.factor ?? '?'} resolution: ${why}.` };
}

/** Options of `loadLayers`. */
export interface LoadOptions {
  /** The notebook's folder, relative to the server root (cache paths are relative to it). */
  directory: string;
  settings: ServerConnection.ISettings;
}

/** The layers' bytes for a plan; falls back to the embedded previews when a file cannot be read. */
export async function loadLayers(layers: PayloadLayer[], plan: SourcePlan, options: LoadOptions): Promise<{ layers: ViewerLayer[]; level: SourcePlan['level'] }> {
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
  const previews = await Promise.all(layers.map(async layer => toViewerLayer(layer, await readSource(layer.preview!.src, options), layer.preview!.factor)));
  return { layers: previews, level: 'preview' };
}

/** The bytes of a layer source: a cached file, or base64 (gunzipped when compressed). */
export async function readSource(src: PayloadLayer['src'], options: LoadOptions): Promise<ArrayBuffer> {
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
export function toViewerLayer(layer: PayloadLayer, bytes: ArrayBuffer, factor: number): ViewerLayer {
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
  export function bytesPer(dtype: string): number {
    return dtype === 'uint8' ? 1 : dtype === 'float32' ? 4 : 2;
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

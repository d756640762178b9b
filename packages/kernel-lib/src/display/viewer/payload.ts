/**
 * The volume output of DESIGN.md, `application/vnd.mdlma.volume+json`: what the notebook
 * stores and the JupyterLab renderer reads. Layers point at NIfTI files (`src.path`, relative
 * to the notebook) or carry them (`src.data`, base64); each may also carry a small embedded
 * `preview` so that a notebook opened without its files or kernel still renders.
 *
 * @example
 * const layer = describeLayer({ name: 'labels', kind: 'labels', volume: labels, src: { path: entry.relativePath } });
 * const output = volumeOutput({ layers: [layer], view: { slice: [32, 32, 32], layout: 'multiplanar' } });
 * publishDisplay(volumeBundle(output, png, 'Phantom'));
 */
import type { DType, Shape3, Vec3, Volume } from '../../volume';
import type { MimeBundle } from '../output';

/** The MIME type of volume outputs. */
export const VOLUME_MIME = 'application/vnd.mdlma.volume+json';

/** Version of the payload written here; renderers accept this and older. */
export const VOLUME_OUTPUT_VERSION = 1;

/** The comm target the renderer opens to reach the kernel's handle. */
export const VIEWER_TARGET = 'mdlma.viewer';

/** What a layer shows: intensities, class labels, or a confidence map in [0, 1]. */
export type LayerKind = 'image' | 'labels' | 'confidence';

/** How the viewer arranges its panes: three planes and 3D, three planes, one plane, or 3D only. */
export type ViewerLayout = 'multiplanar' | 'planes' | 'axial' | 'coronal' | 'sagittal' | 'render';

/** Where a layer's NIfTI bytes are: a file relative to the notebook, or base64 in the output. */
export type LayerSource = { path: string } | { data: string };

/** A downsampled copy of a layer (embedded preview or cached overview). */
export interface ReducedLayer {
  /** Base64 NIfTI (gzip) for the embedded preview, or a file path for an overview. */
  src: LayerSource;
  /** Its shape [z, y, x]. */
  shape: Shape3;
  /** Binning factor against the full layer (1: the full layer itself). */
  factor: number;
}

/** One layer of a volume output. */
export interface LayerSpec {
  name: string;
  kind: LayerKind;
  src: LayerSource;
  /** niivue colormap name; labels use the class table, confidence a heat map of uncertainty. */
  colormap: string;
  opacity: number;
  /** Display window [low, high] (labels: the class values; confidence: [0, 1]). */
  range: [number, number];
  visible: boolean;
  /** Geometry of the full layer: shape [z, y, x], voxel type, spacing and origin in µm. */
  shape: Shape3;
  dtype: DType;
  spacing: Vec3;
  origin: Vec3;
  /** Embedded downsampled copy (a few MB for all layers together). */
  preview?: ReducedLayer;
  /** A cached downsampled copy for volumes above the browser's limits. */
  overview?: ReducedLayer;
}

/** What the viewer shows first. */
export interface ViewSpec {
  /** Crosshair voxel [z, y, x]. */
  slice: [number, number, number];
  layout: ViewerLayout;
  /** Largest layer the browser loads whole (the caller's limits; the browser's own apply too). */
  limits?: { maxSide?: number; maxVoxels?: number };
}

/** A label class: name and colour (#rrggbb). */
export interface LabelClass {
  name: string;
  color: string;
}

/** The whole payload. */
export interface VolumeOutput {
  version: number;
  title?: string;
  layers: LayerSpec[];
  view: ViewSpec;
  /** Label classes for the legend and the label colours (default: DESIGN.md's table). */
  classes: Record<number, LabelClass>;
  /** Present while a kernel handle exists: the renderer opens `target` with this `viewId`. */
  session?: { viewId: string; target: string };
}

/** The label classes of DESIGN.md with the project's colours. */
export const DEFAULT_CLASSES: Record<number, LabelClass> = {
  1: { name: 'bone', color: '#e8d9a0' },
  2: { name: 'degradation layer (DL)', color: '#d9534f' },
  3: { name: 'residual material (RM)', color: '#5b8bd9' }
};

/** A layer as the caller describes it (everything optional; defaults by kind). */
export interface LayerOptions {
  name?: string;
  kind?: LayerKind;
  colormap?: string;
  opacity?: number;
  range?: [number, number];
  visible?: boolean;
}

/** Options of `describeLayer`. */
export interface LayerInput {
  name: string;
  kind: LayerKind;
  volume: Volume;
  src: LayerSource;
  colormap?: string;
  opacity?: number;
  range?: [number, number];
  visible?: boolean;
  preview?: ReducedLayer;
  overview?: ReducedLayer;
}

/** A layer's description with the defaults of its kind filled in. */
export function describeLayer(input: LayerInput): LayerSpec {
  const defaults = Private.DEFAULTS[input.kind];
  const { volume } = input;
  const layer: LayerSpec = {
    name: input.name,
    kind: input.kind,
    src: input.src,
    colormap: input.colormap ?? defaults.colormap,
    opacity: input.opacity ?? defaults.opacity,
    range: input.range ?? (input.kind === 'image' ? intensityRange(volume) : input.kind === 'labels' ? [0, 3] : [0, 1]),
    visible: input.visible ?? true,
    shape: [...volume.shape] as unknown as Shape3,
    dtype: volume.dtype,
    spacing: [...volume.spacing] as unknown as Vec3,
    origin: [...volume.origin] as unknown as Vec3
  };
  if (input.preview) layer.preview = input.preview;
  if (input.overview) layer.overview = input.overview;
  return layer;
}

/** A complete payload (version and default classes added). */
export function volumeOutput(parts: Omit<VolumeOutput, 'version' | 'classes'> & { classes?: Record<number, LabelClass> }): VolumeOutput {
  return { version: VOLUME_OUTPUT_VERSION, ...parts, classes: parts.classes ?? DEFAULT_CLASSES };
}

/** The MIME bundle of a volume output: the JSON, the PNG fallback (base64) and a text line. */
export function volumeBundle(output: VolumeOutput, png: Uint8Array, text = describeOutput(output)): MimeBundle {
  return {
    [VOLUME_MIME]: output,
    'image/png': Buffer.from(png).toString('base64'),
    'text/plain': text
  };
}

/** One line describing a payload (text/plain). */
export function describeOutput(output: VolumeOutput): string {
  const first = output.layers[0];
  const geometry = first ? `${first.shape.join(' x ')} ${first.dtype}, ${first.spacing.join(' x ')} µm` : 'no layers';
  const names = output.layers.map(l => `${l.name} (${l.kind})`).join(', ');
  return `${output.title ? `${output.title}: ` : ''}volume viewer, ${geometry}; layers: ${names}`;
}

/** 1st and 99.9th percentile of a sample of the voxels: a display window robust to hot pixels. */
export function intensityRange(volume: Volume): [number, number] {
  const step = Math.max(1, Math.floor(volume.size / 200000));
  const values: number[] = [];
  for (let i = 0; i < volume.size; i += step) {
    const v = volume.data[i];
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const low = values[Math.floor(0.01 * (values.length - 1))] ?? 0;
  const high = values[Math.ceil(0.999 * (values.length - 1))] ?? 1;
  return [low, high > low ? high : low + 1];
}

namespace Private {
  export const DEFAULTS: Record<LayerKind, { colormap: string; opacity: number }> = {
    image: { colormap: 'gray', opacity: 1 },
    labels: { colormap: 'mdlma-labels', opacity: 0.5 },
    confidence: { colormap: 'mdlma-uncertainty', opacity: 0.5 }
  };
}

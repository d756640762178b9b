/**
 * The volume viewer's contract: the payload of `application/vnd.mdlma.volume+json` outputs, which `show()`
 * writes into the notebook and the renderer reads, and the messages of the `mdlma.viewer` comm between the
 * kernel's `ViewerHandle` and the renderer. Layers point at NIfTI files (`src.path`, relative to the
 * notebook) or carry them (`src.data`, base64); each may carry a small embedded `preview` so that a notebook
 * opened without its files or kernel still renders.
 *
 * @example
 * const output = model.data[VOLUME_MIME] as unknown as VolumeOutput;
 * const comm = kernel.createComm(output.session?.target ?? VIEWER_TARGET);
 * comm.open({ viewId: output.session!.viewId } satisfies ViewerOpenData);
 * comm.onMsg = msg => apply(msg.content.data as unknown as ViewerCommand);
 */

/** The MIME type of volume outputs. */
export const VOLUME_MIME = 'application/vnd.mdlma.volume+json';

/** Version of the payload written by this library; renderers accept this and older. */
export const VOLUME_OUTPUT_VERSION = 1;

/** The comm target the renderer opens to reach the kernel's handle. */
export const VIEWER_TARGET = 'mdlma.viewer';

/** Three numbers in [z, y, x] order: a shape, a voxel, a spacing or an origin in µm. */
export type Triple = [number, number, number];

/** A layer's voxel type on disk (the `Volume` dtypes). */
export type VoxelType = 'uint8' | 'uint16' | 'int16' | 'float32';

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
  shape: Triple;
  /** Binning factor against the full layer (1: the full layer itself). */
  factor: number;
}

/** Display settings of a layer: what the kernel (or the user) may change after the output is shown. */
export interface LayerSettings {
  visible?: boolean;
  opacity?: number;
  /** niivue colormap name. */
  colormap?: string;
  /** Display window [low, high]. */
  range?: [number, number];
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
  shape: Triple;
  dtype: VoxelType;
  spacing: Triple;
  origin: Triple;
  /** Embedded downsampled copy (a few MB for all layers together). */
  preview?: ReducedLayer;
  /** A cached downsampled copy for volumes above the browser's limits. */
  overview?: ReducedLayer;
}

/** Largest layer the browser loads whole: longest side and voxel count. */
export interface ViewerLimits {
  maxSide: number;
  maxVoxels: number;
}

/** What the viewer shows first. */
export interface ViewSpec {
  /** Crosshair voxel [z, y, x]. */
  slice: Triple;
  layout: ViewerLayout;
  /** Largest layer the browser loads whole (the caller's limits; the browser's own apply too). */
  limits?: Partial<ViewerLimits>;
}

/** A label class: name and colour (#rrggbb). */
export interface LabelClass {
  name: string;
  color: string;
}

/** The label classes of the project (0 is background) with their colours. */
export const DEFAULT_CLASSES: Record<number, LabelClass> = {
  1: { name: 'bone', color: '#e8d9a0' },
  2: { name: 'degradation layer (DL)', color: '#d9534f' },
  3: { name: 'residual material (RM)', color: '#5b8bd9' }
};

/** The whole payload of a volume output. */
export interface VolumeOutput {
  version: number;
  title?: string;
  layers: LayerSpec[];
  view: ViewSpec;
  /** Label classes for the legend and the label colours (default: `DEFAULT_CLASSES`). */
  classes: Record<number, LabelClass>;
  /** Present while a kernel handle exists: the renderer opens `target` with this `viewId`. */
  session?: { viewId: string; target: string };
}

/** The data of the renderer's `comm_open` on `VIEWER_TARGET`. */
export interface ViewerOpenData {
  viewId: string;
}

/** Where the user's crosshair is: voxel [z, y, x] of the full volume and its position in µm. */
export interface Crosshair {
  voxel: Triple;
  um: Triple;
}

/**
 * What the kernel's handle sends: on attach the `state` changed since `show()` (slice and layout only when
 * they moved, settings by layer name, layers added since), then each command as it is given.
 */
export type ViewerCommand =
  | { type: 'state'; slice?: Triple; layout?: ViewerLayout; layers: Record<string, LayerSettings>; added: LayerSpec[] }
  | { type: 'setSlice'; voxel: Triple }
  | { type: 'setLayer'; name: string; settings: LayerSettings }
  | { type: 'setLayout'; layout: ViewerLayout }
  | { type: 'addLayer'; layer: LayerSpec };

/** What the renderer sends when the user acts: the crosshair moved, or another layout was chosen. */
export type ViewerEvent = ({ type: 'location' } & Crosshair) | { type: 'layout'; layout: ViewerLayout };

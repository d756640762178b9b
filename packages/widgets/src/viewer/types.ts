/**
 * What the volume viewer shows, as the widget sees it: layers with their NIfTI bytes in hand
 * (the renderer fetched them) and the geometry of the full-resolution volume. Mirrors the
 * `application/vnd.mdlma.volume+json` payload of @mdlma/kernel (display/viewer/payload.ts)
 * without importing it: widgets stay free of Node modules.
 */

/** What a layer shows. */
export type LayerKind = 'image' | 'labels' | 'confidence';

/** Pane arrangement: three planes plus 3D, three planes, one plane, or 3D only. */
export type ViewerLayout = 'multiplanar' | 'planes' | 'axial' | 'coronal' | 'sagittal' | 'render';

/** A label class of the legend. */
export interface LabelClass {
  name: string;
  color: string;
}

/** Display settings of a layer. */
export interface LayerSettings {
  visible?: boolean;
  opacity?: number;
  colormap?: string;
  range?: [number, number];
}

/** A layer ready to show: settings, NIfTI bytes and how they relate to the full volume. */
export interface ViewerLayer {
  name: string;
  kind: LayerKind;
  colormap: string;
  opacity: number;
  visible: boolean;
  range: [number, number];
  /** NIfTI file contents (.nii or gzip). */
  bytes: ArrayBuffer;
  /** Binning factor of `bytes` against the full layer (1: full resolution). */
  factor: number;
  /** Full-resolution voxel [z, y, x] where `bytes` start (a detail box; default the origin). */
  offset?: [number, number, number];
}

/** Geometry of the full-resolution volume: shape [z, y, x], spacing and origin in µm. */
export interface VolumeGeometry {
  shape: [number, number, number];
  spacing: [number, number, number];
  origin: [number, number, number];
}

/** A layer's value under the crosshair or the pointer. */
export interface LayerValue {
  name: string;
  kind: LayerKind;
  value: number;
}

/** What the readout shows: full-resolution voxel [z, y, x], position in µm, each layer's value. */
export interface Readout {
  voxel: [number, number, number];
  um: [number, number, number];
  values: LayerValue[];
}

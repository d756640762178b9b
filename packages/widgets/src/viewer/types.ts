/**
 * What the volume viewer shows, as the widget sees it: layers with their NIfTI bytes in hand
 * (the renderer fetched them) and the geometry of the full-resolution volume. The payload they
 * come from is typed in `@mdlma/kernel/protocol` (`VolumeOutput`).
 */
import type { Crosshair, LayerKind, Triple } from '@mdlma/kernel/protocol';

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
  offset?: Triple;
}

/** Geometry of the full-resolution volume: shape [z, y, x], spacing and origin in µm. */
export interface VolumeGeometry {
  shape: Triple;
  spacing: Triple;
  origin: Triple;
}

/** A layer's value under the crosshair or the pointer. */
export interface LayerValue {
  name: string;
  kind: LayerKind;
  value: number;
}

/** What the readout shows: full-resolution voxel [z, y, x], position in µm, each layer's value. */
export interface Readout extends Crosshair {
  values: LayerValue[];
}

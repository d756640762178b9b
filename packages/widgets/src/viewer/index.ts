/**
 * The volume viewer widget and its pieces.
 *
 * @example
 * import { VolumeViewer } from '@mdlma/widgets';
 */
export { DEFAULT_CLASSES, hexToRgb, labelColormap, UNCERTAINTY_COLORMAP, uncertaintyColormap } from './colormaps';
export type { ColorTable } from './colormaps';
export { LayerControls, renderLegend } from './layer-controls';
export { NiivueStage } from './niivue-stage';
export { formatReadout, fullVoxel, positionUm, shownVoxel } from './readout';
export type { LabelClass, LayerKind, LayerSettings, LayerValue, Readout, ViewerLayer, ViewerLayout, VolumeGeometry } from './types';
export { VolumeViewer } from './volume-viewer';

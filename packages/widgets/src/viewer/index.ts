/**
 * The volume viewer: the `VolumeViewer` widget and its pieces, and the renderer of volume
 * outputs that feeds it (sources, full-resolution detail, the link to the kernel's handle).
 * The payload and comm messages are typed in `@mdlma/kernel/protocol`.
 *
 * @example
 * import { volumeRendererFactory } from '@mdlma/widgets';
 * rendermime.addFactory(volumeRendererFactory({ locate, settings }));
 */
export { hexToRgb, labelColormap, UNCERTAINTY_COLORMAP, uncertaintyColormap } from './colormaps';
export type { ColorTable } from './colormaps';
export { LayerControls, renderLegend } from './layer-controls';
export { NiivueStage } from './niivue-stage';
export { formatReadout, fullVoxel, positionUm, shownVoxel } from './readout';
export type { LayerValue, Readout, ViewerLayer, VolumeGeometry } from './types';
export { ViewerLink } from './viewer-link';
export { VolumeDetail } from './volume-detail';
export { PREVIEW_FIRST_VOXELS, VolumeRenderer, volumeRendererFactory } from './volume-renderer';
export type { NotebookLocation } from './volume-renderer';
export { boxAround, cacheFileUrl, DEFAULT_MAX_VOXELS, effectiveLimits, fitsLimits, planSources } from './volume-sources';
export type { Box, BrowserLimits, LoadOptions, SourcePlan } from './volume-sources';
export { VolumeViewer } from './volume-viewer';

/**
 * The volume viewer output: `show()` emits `application/vnd.mdlma.volume+json` (layers as
 * cached NIfTI files plus an embedded preview), `image/png` slices and text, and returns a
 * handle that talks to the JupyterLab viewer over the `mdlma.viewer` comm.
 *
 * @example
 * import { show } from '@mdlma/kernel';
 * const viewer = await show({ image, labels, confidence });
 * viewer.setSlice({ z: 40 });
 * viewer.setLayer('confidence', { visible: false });
 * viewer.crosshair;   // where the user clicked: { voxel: [z, y, x], um: [...] }
 */
export { DEFAULT_CACHE_LIMIT_BYTES, LayerCache } from './cache';
export type { CacheEntry } from './cache';
export { ViewerHandle } from './handle';
export { niftiBytes, niftiHeader } from './nifti-bytes';
export { describeLayer, describeOutput, intensityRange, volumeBundle, volumeOutput } from './payload';
export type { LayerInput, LayerOptions } from './payload';
export { DEFAULT_PREVIEW_BYTES, embeddedPreview, needsOverview, OVERVIEW_LIMITS, overviewFactor, reductionFactor } from './preview';
export { show } from './show';
export type { ShowLayers } from './show';

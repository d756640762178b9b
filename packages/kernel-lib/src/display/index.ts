/**
 * Notebook output: progress bars, tables and plots with static fallbacks.
 *
 * @example
 * import { table, plot, progressBar } from '@mdlma/kernel';
 */
export { escapeHtml, newDisplayId, publishDisplay, setDisplaySink } from './output';
export type { DisplaySink, MimeBundle } from './output';
export { plot, plotBundle, renderSvg, VEGALITE_MIME } from './plot';
export type { VegaLiteSpec } from './plot';
export { ProgressBar, progressBar } from './progress';
export { table, tableBundle } from './table';
export type { Row } from './table';
export { LABEL_COLORS, orthoSlicesPng, showSlices } from './slices';
export { imagesPng, showImages } from './images';
export type { ImagePanel } from './images';
export {
  DEFAULT_CACHE_LIMIT_BYTES, DEFAULT_PREVIEW_BYTES, describeLayer, describeOutput, embeddedPreview, intensityRange, LayerCache,
  needsOverview, niftiBytes, niftiHeader, OVERVIEW_LIMITS, overviewFactor, reductionFactor, show, ViewerHandle, volumeBundle,
  volumeOutput
} from './viewer';
export type { CacheEntry, LayerInput, LayerOptions, ShowLayers } from './viewer';

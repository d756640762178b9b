/**
 * The annotation panel and its pieces: the panel's Yjs replica, the round brush, the comm client.
 *
 * @example
 * import { AnnotationPanel, AnnotationClient } from '@mdlma/widgets';
 */
export { AnnotationDoc, sliceCount, sliceShape, UNLABELLED } from './annotation-doc';
export type { AnnotationOp, SliceAxis } from './annotation-doc';
export { AnnotationPanel } from './annotation-panel';
export type { AnnotationTool, SuggestedSlice } from './annotation-panel';
export { BRUSH_SIZES, runPixels, runsOf, stampPath } from './brush';
export type { StrokePoint } from './brush';
export { AnnotationClient } from './channel';
export type { AnnotationChannel, AnnotationMessage } from './channel';

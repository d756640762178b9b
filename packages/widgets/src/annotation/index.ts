/**
 * The annotation panel and its pieces: the panel's Yjs replica, the round brush, the fill, the niivue slice editor
 * and its drawing bitmap, the 2D canvas editor, the stage's fit to the panel, the comm client. The contract with the
 * kernel (messages, operations, planes, pixel runs) is `@mdlma/kernel/protocol`'s.
 *
 * @example
 * import { AnnotationPanel, AnnotationClient } from '@mdlma/widgets';
 */
export { AnnotationDoc } from './annotation-doc';
export { AnnotationPanel } from './annotation-panel';
export type { AnnotationTool } from './panel-view';
export type { SliceRenderer } from './slice-stage';
export { CanvasSliceEditor } from './canvas-slice';
export { fitSlice } from './slice-fit';
export { BRUSH_SIZES, forEachBrushPixel, stampPath } from './brush';
export { drawingFromLabels, editsFromDrawing, labelOfPen, niftiSlice, niivueIndex, penValueOf } from './drawing-bitmap';
export type { LabelEdit } from './drawing-bitmap';
export { floodFillMask, floodFillRuns } from './flood-fill';
export { NiivueSliceEditor } from './niivue-slice';
export type { EditorTool } from './niivue-slice';
export type { StrokePoint } from './brush';
export { AnnotationClient } from './channel';
export type { AnnotationChannel, AnnotationMessage } from './channel';

/**
 * The contracts between the kernel, the JupyterLab extension and its widgets: browser-safe (no Node
 * imports), published as `@mdlma/kernel/protocol`.
 *
 * @example
 * import { VOLUME_MIME, ANNOTATION_TARGET } from '@mdlma/kernel/protocol';
 */
export type { MessageHeader } from './jupyter';
// annotation
export { ANNOTATION_DOCUMENT, ANNOTATION_PROTOCOL, ANNOTATION_TARGET, UNLABELLED } from './annotation';
export type { AnnotatedSlice, AnnotationOp } from './annotation';
export type {
  AnnotationEnvelope, AnnotationErrorReply, AnnotationHello, AnnotationKernelMessage, AnnotationOpenData,
  AnnotationPanelMessage, AnnotationReplies, AnnotationReplyTo, AnnotationRequest, ExportLabelsRequest,
  GetSliceRequest, LabelExport, LabelsExportedReply, ModelUpdatedMessage, SliceLayer, SliceReply, StrokeAck,
  StrokeRequest, Suggestion, SuggestionsReply, SuggestRequest, UpdateModelRequest, YjsUpdateMessage
} from './annotation-messages';
export { ANNOTATION_PANEL_MIME } from './annotation-panel';
export type { AnnotationPanelPayload } from './annotation-panel';
export { axisIndex, ORTHOGONAL_AXES, sliceCount, sliceKey, sliceShape, voxelOf } from './planes';
export type { OrthogonalAxis } from './planes';
export { fillRuns, forEachRunPixel, runPixelCount, runsByValue, runsFromPixels, runsOfMask, runsWhere } from './run-length';
// viewer
export { ECHO_TARGET } from './echo';
export type { EchoReply } from './echo';
export { DEFAULT_CLASSES, VIEWER_TARGET, VOLUME_MIME, VOLUME_OUTPUT_VERSION } from './viewer';
export type {
  Crosshair, LabelClass, LayerKind, LayerSettings, LayerSource, LayerSpec, ReducedLayer, Triple, ViewerCommand, ViewerEvent,
  ViewerLayout, ViewerLimits, ViewerOpenData, ViewSpec, VolumeOutput, VoxelType
} from './viewer';
// cluster
export { checkParameter } from './job-parameters';
export type { ParameterSchema, ParametersSchema, ParameterValue } from './job-parameters';
export { jobNameProblem, optionProblem, pathProblem, textProblem } from './job-values';
export { TERMINAL_STATES } from './jobs';
export type { AppConnection, JobState, JobSubmission, SlurmJob, SlurmNode, SubmitOptions, SubmitResult } from './jobs';
export { SLURM_API_PATH } from './slurm-api';
export type {
  AppInfo, JobAction, JobActionResult, JobDetails, JobList, JobLog, JobOptions, JobTemplateInfo, RenderedJob, SlurmErrorBody,
  SubmitRequest, SubmittedJob, TemplateList
} from './slurm-api';

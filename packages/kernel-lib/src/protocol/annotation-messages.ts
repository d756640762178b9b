/**
 * The messages of the `mdlma.annotation` comm (`ANNOTATION_TARGET`), typed per direction. The panel opens the comm
 * with `AnnotationOpenData` and gets a `hello`; then every message is JSON with a `type` and binary payloads travel
 * as comm buffers. A request may carry a numeric `id`, which its reply echoes as `replyTo`.
 *
 * Panel -> kernel (`AnnotationPanelMessage`):
 * | type | fields | kernel does, replies |
 * |---|---|---|
 * | `yjs-update` | buffers[0] = a Yjs update of the panel's own document | applied to the kernel's replica; no reply |
 * | `stroke` | user, axis, slice, label (255 erases), runs or pixels, or buffers[0] = Uint32 LE runs | one operation (one undo step of that user); `ack` {op, annotatedSlices} |
 * | `get-slice` | axis, slice, image? | `slice` {shape, layers}; buffers = [annotations, prediction, confidence 0-255] as Uint8 [rows*cols], then with `image: true` the image slice as Float32 LE |
 * | `suggest` | k?, strategy?, axis? | `suggestions` {items} |
 * | `update` | | trains the head, re-predicts; `model-updated` {record} |
 * | `export-labels` | path? (.nii or .nii.gz, inside the kernel's working folder, never the session's source; default `<session>.labels.nii.gz`) | writes the annotations as a uint8 NIfTI label volume (255 = unlabelled); `labels-exported` {path, absolutePath, labelledVoxels, counts} |
 *
 * Kernel -> panel, unasked (`AnnotationKernelMessage`): `hello` (buffers[0] = the whole Yjs document), `yjs-update`
 * (buffers[0]) for every change that did not come from this comm's own `yjs-update`, so that replicas converge, and
 * `model-updated` after every `update`. Failures reply `error` {request, error (the typed error's name), message}.
 *
 * The panel edits its own replica (undo and redo are its Y.UndoManager's) and sends `yjs-update`; `stroke` is the
 * same edit made by the kernel for a script that has no replica (the active-learning tutorial's oracle).
 *
 * @example
 * const reply = await client.request({ type: 'get-slice', axis: 'z', slice: 20, image: true });
 * reply.data.layers;                  // ['annotations', 'prediction', 'confidence', 'image'], one buffer each
 */
import type { AnnotatedSlice } from './annotation';
import type { OrthogonalAxis } from './planes';

/** A message of the comm: JSON data plus binary buffers. */
export interface AnnotationEnvelope<T> {
  data: T;
  buffers: Uint8Array[];
}

/** What the panel sends when it opens the comm (default session: the kernel's latest). */
export interface AnnotationOpenData {
  session?: string;
  user?: string;
}

/** A slice the kernel suggests annotating next. */
export interface Suggestion {
  axis: OrthogonalAxis;
  index: number;
  /** The strategy's score of this slice (higher = more worth annotating). */
  score: number;
  /** 1 for the first pick of the batch. */
  rank: number;
  /** Why, in words (for the panel's queue). */
  reason: string;
}

/** What a label export wrote. */
export interface LabelExport {
  /** The path as asked for (or the default, relative to the working folder). */
  path: string;
  /** The same, absolute. */
  absolutePath: string;
  /** Voxels that carry a label. */
  labelledVoxels: number;
  /** Voxels per class 0..C-1. */
  counts: number[];
}

/** The layers of a `slice` reply, one buffer each, in this order (those the session has). */
export type SliceLayer = 'annotations' | 'prediction' | 'confidence' | 'image';

// Panel -> kernel

/** A request; its reply carries the `id` as `replyTo`. */
interface Request {
  id?: number;
}

/** A Yjs update of the sender's replica (buffers[0]); both directions, never answered. */
export interface YjsUpdateMessage extends Request {
  type: 'yjs-update';
}

/** One stroke, made into an operation by the kernel (runs, pixels, or buffers[0] = Uint32 LE runs). */
export interface StrokeRequest extends Request {
  type: 'stroke';
  user?: string;
  axis: OrthogonalAxis;
  slice: number;
  /** 0..C-1 paints, 255 erases. */
  label: number;
  runs?: number[];
  pixels?: number[];
  /** The operation's id (default: one the kernel makes). */
  opId?: string;
}

/** The layers of one slice (with `image: true` the image too). */
export interface GetSliceRequest extends Request {
  type: 'get-slice';
  axis: OrthogonalAxis;
  slice: number;
  image?: boolean;
}

/** The k slices most worth annotating next (default 4). */
export interface SuggestRequest extends Request {
  type: 'suggest';
  k?: number;
  /** One of the kernel's acquisition strategies (default: the session's). */
  strategy?: string;
  axis?: OrthogonalAxis;
}

/** Train the fast head on the annotations and re-predict. */
export interface UpdateModelRequest extends Request {
  type: 'update';
}

/** Write the annotations as a NIfTI label volume in the kernel's working folder. */
export interface ExportLabelsRequest extends Request {
  type: 'export-labels';
  path?: string;
}

/** Requests that get a reply. */
export type AnnotationRequest = StrokeRequest | GetSliceRequest | SuggestRequest | UpdateModelRequest | ExportLabelsRequest;

/** Every message the panel sends. */
export type AnnotationPanelMessage = YjsUpdateMessage | AnnotationRequest;

// Kernel -> panel

/** A reply to a request that carried an `id`. */
interface Reply {
  replyTo?: number;
}

/** The first message on a new comm: the session, and the whole Yjs document as buffers[0]. */
export interface AnnotationHello {
  type: 'hello';
  protocol: string;
  session: string;
  shape: number[];
  classes: string[];
  /** The session's axis, where the panel starts. */
  axis: OrthogonalAxis;
  annotatedSlices: AnnotatedSlice[];
}

/** A stroke became operation `op`. */
export interface StrokeAck extends Reply {
  type: 'ack';
  request: 'stroke';
  op: string;
  annotatedSlices: AnnotatedSlice[];
}

/** A slice's layers, one buffer each (Uint8 [rows*cols]; the image Float32 LE). */
export interface SliceReply extends Reply {
  type: 'slice';
  axis: OrthogonalAxis;
  slice: number;
  /** [rows, cols]. */
  shape: [number, number];
  layers: SliceLayer[];
}

/** The suggested slices. */
export interface SuggestionsReply extends Reply {
  type: 'suggestions';
  items: Suggestion[];
}

/** The model was updated: the round's record (kernel-lib active/loop.ts `RoundRecord`; the panel reads `round`). */
export interface ModelUpdatedMessage extends Reply {
  type: 'model-updated';
  record: { round: number };
}

/** The label volume was written. */
export interface LabelsExportedReply extends Reply, LabelExport {
  type: 'labels-exported';
}

/** A request failed (or the comm was opened for a session the kernel does not have). */
export interface AnnotationErrorReply extends Reply {
  type: 'error';
  /** The type of the failed request (`open` when opening failed). */
  request: string | null;
  /** The typed error's name (e.g. ActiveLearningError). */
  error: string;
  message: string;
}

/** The reply to each request type (an `AnnotationErrorReply` instead when it fails). */
export interface AnnotationReplies {
  stroke: StrokeAck;
  'get-slice': SliceReply;
  suggest: SuggestionsReply;
  update: ModelUpdatedMessage;
  'export-labels': LabelsExportedReply;
}

/** The reply to a message of type T (none to a `yjs-update`). */
export type AnnotationReplyTo<T extends AnnotationPanelMessage> = T extends AnnotationRequest ? AnnotationReplies[T['type']] : never;

/** Every message the kernel sends. */
export type AnnotationKernelMessage = AnnotationHello | YjsUpdateMessage | AnnotationReplies[keyof AnnotationReplies] | AnnotationErrorReply;

/**
 * The `mdlma.annotation` comm (DESIGN.md, "Comms"): how the annotation panel talks to an active-learning session in
 * the kernel. The panel opens a comm with `{session?: name, user?}` (default: the latest session) and gets a `hello`
 * with the volume's shape, the classes and the whole Yjs document (buffers[0]) to start its replica. Then every
 * message is JSON with a `type` (and an optional `id`, echoed as `replyTo`); binary payloads travel as buffers.
 *
 * Slices are grid planes: axis `z` is [rows y, cols x], `y` is [z, x], `x` is [z, y]; pixel p = row * cols + col;
 * runs are [start, length, ...] of pixels. The Yjs document holds one `Y.Array` named `ops` of plain objects
 * {id, user, axis, slice, label, runs: number[], time}, replayed in array order (label 255 erases).
 *
 * Panel -> kernel:
 * | type | fields | kernel does, replies |
 * |---|---|---|
 * | `stroke` | user, axis, slice, label (255 erases), runs or pixels (JSON), or buffers[0] = Uint32 LE runs | one operation, one undo step; `ack` {op, annotatedSlices} |
 * | `set-slice` | user, axis, slice; buffers[0] = Uint8 [rows*cols] labels (255 = leave) | `ack` |
 * | `accept-prediction` | user, axis, slice | the slice's predicted labels as annotation; `ack` |
 * | `undo`, `redo` | user | that user's last edit; `ack` {done} |
 * | `yjs-update` | buffers[0] = a Yjs update from the panel's own document | applied to the replica; no reply |
 * | `get-slice` | axis, slice, image? | `slice` {shape, layers}; buffers = [annotations, prediction, confidence 0-255] as Uint8 [rows*cols], then with `image: true` the image slice as Float32 LE |
 * | `suggest` | k, strategy?, axis? | `suggestions` {items: [{axis, index, score, rank, reason}]} |
 * | `update` | | trains the head, re-predicts; `model-updated` {record} |
 * | `state` | | `state` {annotatedSlices, history}; buffers[0] = the Yjs document |
 * | `export-labels` | path? (.nii or .nii.gz, relative to the kernel's working folder and inside it, never the session's `source`; default `<session>.labels.nii.gz`) | writes the annotations as a uint8 NIfTI label volume (255 = unlabelled); `labels-exported` {path, absolutePath, labelledVoxels, counts: voxels per class} |
 *
 * Kernel -> panel, unasked: `yjs-update` (buffers[0]) for every change that did not come from this comm's own
 * `yjs-update` (the kernel, another user's comm, and the operations the kernel made for this comm's `stroke`,
 * `set-slice`, `accept-prediction`, `undo`, `redo`: sent before their `ack`), so replicas converge;
 * `model-updated` {record} after every `update` (refresh the overlays). Failures reply `error` {request, error (the
 * typed error's name), message}.
 *
 * Two ways to edit, never both for one edit: send `stroke` messages and let the kernel's document be the source (the
 * panel's replica follows through `yjs-update`), or edit the panel's own Y.Doc (with its own Y.UndoManager) and send
 * its updates as `yjs-update`. Either way the kernel's replica holds the stroke as soon as the message arrives.
 *
 * @example
 * registerAnnotationSession(al);          // activeLearning() does this
 * // in the panel: kernel.createComm('mdlma.annotation').open({ session: 'scan-42', user: 'ana' })
 */
import { ActiveLearningError } from '../errors';
import { confineToFolder, guardOutputs } from '../io';
import { comms, type Comm, type CommData, type CommMessage, type CommRegistry } from '../runtime';
import type { Suggestion, AcquisitionStrategy } from './acquisition';
import type { AnnotationStore } from './annotations';
import { defaultLabelsPath, exportAnnotationLabels, type LabelExport } from './label-export';
import { checkAxis, checkSlice, sliceShape, voxelOf, type OrthogonalAxis } from './planes';
import type { Shape3 } from '../volume';

/** The comm target name. */
export const ANNOTATION_TARGET = 'mdlma.annotation';

/** The protocol version sent in `hello`. */
export const ANNOTATION_PROTOCOL = 'mdlma.annotation/1';

/** What the comm needs from a session; ActiveLearning implements it, a bare store with name and shape does too. */
export interface AnnotationSession {
  readonly name: string;
  readonly shape: Shape3;
  readonly classes: number;
  readonly classNames?: string[];
  readonly axis?: OrthogonalAxis;
  readonly store: AnnotationStore;
  /** The file the volume was read from, if any: `export-labels` never writes over it. */
  readonly source?: string;
  suggest?(k: number, options?: { strategy?: AcquisitionStrategy; axis?: OrthogonalAxis }): Suggestion[];
  update?(): Promise<{ round: number }>;
  predictionSlice?(axis: OrthogonalAxis, index: number): { shape: [number, number]; labels: Uint8Array; confidence: Uint8Array };
  imageSlice?(axis: OrthogonalAxis, index: number): Float32Array;
  onUpdate?(listener: (record: { round: number }) => void): () => void;
  /** Writes the annotations as a NIfTI label volume (ActiveLearning: with the image's spacing); without it, unit spacing. */
  exportLabels?(path?: string): Promise<LabelExport>;
  readonly history?: unknown[];
}

/** A reply: JSON data plus buffers. */
export interface AnnotationReply {
  data: CommData;
  buffers: Uint8Array[];
}

/** Makes `session` reachable by the panel (by its name; the latest one is the default) and registers the target. */
export function registerAnnotationSession(session: AnnotationSession, registry: CommRegistry = comms): void {
  Private.sessions.set(session.name, session);
  Private.latest = session.name;
  registerAnnotationTarget(registry);
}

/** The registered session of that name (default: the latest). */
export function annotationSession(name?: string): AnnotationSession | undefined {
  return Private.sessions.get(name ?? Private.latest ?? '');
}

/** Registers the `mdlma.annotation` target on `registry` (idempotent). */
export function registerAnnotationTarget(registry: CommRegistry = comms): void {
  if (registry.hasTarget(ANNOTATION_TARGET)) return;
  registry.registerTarget(ANNOTATION_TARGET, (comm, open) => {
    const name = typeof open.data.session === 'string' ? open.data.session : undefined;
    const session = annotationSession(name);
    if (!session) {
      comm.send({ type: 'error', request: 'open', error: 'ActiveLearningError', message: `no active-learning session${name ? ` named "${name}"` : ''} in the kernel; run activeLearning({ ..., name }) first` });
      comm.close();
      return;
    }
    attachAnnotationComm(comm, session);
  });
}

/** Serves `session` on an open comm: hello, requests, and unasked updates until the comm closes. */
export function attachAnnotationComm(comm: Comm, session: AnnotationSession): void {
  comm.send(
    {
      type: 'hello',
      protocol: ANNOTATION_PROTOCOL,
      session: session.name,
      shape: [...session.shape],
      classes: session.classNames ?? Array.from({ length: session.classes }, (_, c) => `class ${c}`),
      axis: session.axis ?? 'z',
      annotatedSlices: session.store.annotatedSlices()
    },
    [session.store.encodeState()]
  );
  const offStore = session.store.onUpdate((update, origin) => {
    if (origin !== comm && !comm.isClosed) comm.send({ type: 'yjs-update' }, [update]);
  });
  const offModel = session.onUpdate?.(record => !comm.isClosed && comm.send({ type: 'model-updated', record: record as unknown as CommData }));
  comm.onMsg(async msg => {
    const replies = await handleAnnotationMessage(session, msg, comm);
    // The panel may have closed while the request was in flight: nobody is left to answer.
    for (const reply of replies) if (!comm.isClosed) comm.send(reply.data, reply.buffers);
  });
  comm.onClose(() => {
    offStore();
    offModel?.();
  });
}

/** Handles one panel message for `session` (`origin` marks Yjs updates it applies); returns the replies. */
export async function handleAnnotationMessage(session: AnnotationSession, msg: CommMessage, origin: unknown = 'comm'): Promise<AnnotationReply[]> {
  const d = msg.data as Record<string, any>;
  const replyTo = d.id === undefined ? {} : { replyTo: d.id };
  const store = session.store;
  const ack = (extra: CommData = {}): AnnotationReply[] => [{ data: { type: 'ack', request: d.type, ...replyTo, annotatedSlices: store.annotatedSlices() as unknown as CommData[], ...extra }, buffers: [] }];
  try {
    switch (d.type) {
      case 'stroke': {
        const runs = msg.buffers[0] ? Array.from(Private.uint32(msg.buffers[0])) : d.runs;
        const op = store.paint({ user: d.user, axis: d.axis, slice: d.slice, label: d.label, runs, pixels: d.pixels, id: typeof d.opId === 'string' ? d.opId : undefined });
        return ack({ op: op.id });
      }
      case 'set-slice': {
        if (!msg.buffers[0]) throw new ActiveLearningError('set-slice', 'needs the slice labels as buffers[0] (Uint8, rows x cols)');
        store.setSlice(d.axis, d.slice, msg.buffers[0], d.user);
        return ack();
      }
      case 'accept-prediction': {
        if (!session.predictionSlice) throw new ActiveLearningError('accept-prediction', 'needs a session with a model (activeLearning)');
        store.setSlice(d.axis, d.slice, session.predictionSlice(d.axis, d.slice).labels, d.user);
        return ack();
      }
      case 'undo':
      case 'redo': {
        if (typeof d.user !== 'string') throw new ActiveLearningError(d.type, 'needs the user whose edit to undo or redo');
        return ack({ done: d.type === 'undo' ? store.undo(d.user) : store.redo(d.user) });
      }
      case 'yjs-update': {
        if (!msg.buffers[0]) throw new ActiveLearningError('yjs-update', 'needs the update as buffers[0]');
        store.applyUpdate(msg.buffers[0], origin);
        return [];
      }
      case 'get-slice': {
        const annotations = Private.annotationSlice(store, d.axis, d.slice);
        const prediction = session.predictionSlice?.(d.axis, d.slice);
        const buffers = [annotations.labels, ...(prediction ? [prediction.labels, prediction.confidence] : [])];
        const layers = prediction ? ['annotations', 'prediction', 'confidence'] : ['annotations'];
        const image = d.image === true ? session.imageSlice?.(d.axis, d.slice) : undefined;
        if (image) {
          buffers.push(new Uint8Array(image.buffer, image.byteOffset, image.byteLength));
          layers.push('image');
        }
        return [{ data: { type: 'slice', ...replyTo, axis: d.axis, slice: d.slice, shape: annotations.shape, layers }, buffers }];
      }
      case 'suggest': {
        if (!session.suggest) throw new ActiveLearningError('suggest', 'needs a session with a model (activeLearning)');
        const items = session.suggest(d.k ?? 4, { strategy: d.strategy, axis: d.axis });
        return [{ data: { type: 'suggestions', ...replyTo, items: items as unknown as CommData[] }, buffers: [] }];
      }
      case 'update': {
        if (!session.update) throw new ActiveLearningError('update', 'needs a session with a model (activeLearning)');
        const record = await session.update();
        // Sessions with onUpdate listeners already told every open comm; others get the record here.
        return session.onUpdate ? [] : [{ data: { type: 'model-updated', ...replyTo, record: record as unknown as CommData }, buffers: [] }];
      }
      case 'state':
        return [{ data: { type: 'state', ...replyTo, annotatedSlices: store.annotatedSlices() as unknown as CommData[], history: (session.history ?? []) as CommData[] }, buffers: [store.encodeState()] }];
      case 'export-labels': {
        if (d.path !== undefined && typeof d.path !== 'string') throw new ActiveLearningError('export-labels', `path must be a file name, got ${JSON.stringify(d.path)}`);
        const path = d.path || defaultLabelsPath(session.name);
        // The browser names the file: it may write only inside the kernel's working folder, and never over the volume.
        await confineToFolder(process.cwd(), path, 'export-labels path');
        await guardOutputs({ 'export-labels path': path }, { "the session's source": session.source });
        const written = session.exportLabels ? await session.exportLabels(path) : await exportAnnotationLabels(store, path);
        return [{ data: { type: 'labels-exported', ...replyTo, ...(written as unknown as CommData) }, buffers: [] }];
      }
      default:
        throw new ActiveLearningError('message type', `${JSON.stringify(d.type)} is not one of stroke, set-slice, accept-prediction, undo, redo, yjs-update, get-slice, suggest, update, state, export-labels`);
    }
  } catch (error) {
    const e = error as Error;
    return [{ data: { type: 'error', request: d.type ?? null, ...replyTo, error: e.name, message: e.message }, buffers: [] }];
  }
}

namespace Private {
  export const sessions = new Map<string, AnnotationSession>();
  export let latest: string | undefined;

  /** A Uint32 little-endian view of a buffer (copied when unaligned). */
  export function uint32(bytes: Uint8Array): Uint32Array {
    if (bytes.length % 4) throw new ActiveLearningError('stroke', `runs buffer has ${bytes.length} bytes, not a multiple of 4 (Uint32 LE)`);
    const copy = bytes.byteOffset % 4 ? bytes.slice() : bytes;
    return new Uint32Array(copy.buffer, copy.byteOffset, copy.length / 4);
  }

  export function annotationSlice(store: AnnotationStore, axis: OrthogonalAxis, slice: number): { shape: [number, number]; labels: Uint8Array } {
    checkAxis(axis);
    checkSlice(store.shape, axis, slice);
    const [h, w] = sliceShape(store.shape, axis);
    const all = store.labels();
    const labels = new Uint8Array(h * w);
    for (let i = 0, p = 0; i < h; i++) for (let j = 0; j < w; j++, p++) labels[p] = all[voxelOf(store.shape, axis, slice, i, j)];
    return { shape: [h, w], labels };
  }
}

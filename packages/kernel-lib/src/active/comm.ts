/**
 * The kernel's side of the `mdlma.annotation` comm: it serves an active-learning session to the annotation panel. The
 * messages (types, fields, buffers, replies) are protocol/annotation-messages.ts; the Yjs document they keep in step
 * is protocol/annotation.ts. The panel opens a comm with `{session?, user?}` (default: the latest session) and gets a
 * `hello` with the volume's shape, the classes and the whole document (buffers[0]) to start its replica; from then on
 * every change of the kernel's replica that did not come from this comm's own `yjs-update` (the kernel, another
 * user's comm, the operation the kernel made for this comm's `stroke`, sent before its `ack`) goes to the panel as a
 * `yjs-update`, so that replicas converge, and every model update as `model-updated`.
 *
 * Two ways to edit, never both for one edit: the panel edits its own Y.Doc (with its own Y.UndoManager) and sends its
 * updates as `yjs-update`; a script with no replica sends `stroke` and the kernel's document is the source. Either
 * way the kernel's replica holds the stroke as soon as the message arrives.
 *
 * @example
 * registerAnnotationSession(al);          // activeLearning() does this
 * // in the panel: kernel.createComm(ANNOTATION_TARGET).open({ session: 'scan-42', user: 'ana' })
 * await handleAnnotationMessage(al, { data: { type: 'stroke', user: 'oracle', axis: 'z', slice: 3, label: 1, runs: [0, 5] }, buffers: [] });
 */
import { ActiveLearningError } from '../errors';
import { confineToFolder, guardOutputs } from '../io';
import {
  ANNOTATION_PROTOCOL, ANNOTATION_TARGET, type AnnotationEnvelope, type AnnotationKernelMessage,
  type AnnotationOpenData, type AnnotationPanelMessage, type AnnotationReplyTo, type AnnotationErrorReply, type AnnotationHello,
  type LabelExport, type OrthogonalAxis, type SliceLayer, sliceShape, type Suggestion, voxelOf
} from '../protocol';
import { comms, type Comm, type CommData, type CommRegistry } from '../runtime';
import type { Shape3 } from '../volume';
import type { AcquisitionStrategy } from './acquisition';
import type { AnnotationStore } from './annotations';
import { defaultLabelsPath, exportAnnotationLabels } from './label-export';
import { checkAxis, checkSlice } from './planes';

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
}

/** A message the kernel sends, with its buffers. */
export type AnnotationReply = AnnotationEnvelope<AnnotationKernelMessage>;

/** A panel message as `handleAnnotationMessage` takes it (a comm message's `metadata` is ignored). */
export interface AnnotationInput<T extends AnnotationPanelMessage = AnnotationPanelMessage> extends AnnotationEnvelope<T> {
  metadata?: Record<string, unknown>;
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

/** The session's class names (`class 0`, `class 1`, ... where it has none). */
export function sessionClassNames(session: AnnotationSession): string[] {
  return session.classNames ?? Array.from({ length: session.classes }, (_, c) => `class ${c}`);
}

/** Registers the `mdlma.annotation` target on `registry` (idempotent). */
export function registerAnnotationTarget(registry: CommRegistry = comms): void {
  if (registry.hasTarget(ANNOTATION_TARGET)) return;
  registry.registerTarget(ANNOTATION_TARGET, (comm, open) => {
    const { session: name } = open.data as AnnotationOpenData;
    const session = annotationSession(typeof name === 'string' ? name : undefined);
    if (!session) {
      const message = `no active-learning session${typeof name === 'string' ? ` named "${name}"` : ''} in the kernel; run activeLearning({ ..., name }) first`;
      Private.send(comm, { data: { type: 'error', request: 'open', error: 'ActiveLearningError', message }, buffers: [] });
      comm.close();
      return;
    }
    attachAnnotationComm(comm, session);
  });
}

/** Serves `session` on an open comm: hello, requests, and unasked updates until the comm closes. */
export function attachAnnotationComm(comm: Comm, session: AnnotationSession): void {
  const hello: AnnotationHello = {
    type: 'hello',
    protocol: ANNOTATION_PROTOCOL,
    session: session.name,
    shape: [...session.shape],
    classes: sessionClassNames(session),
    axis: session.axis ?? 'z',
    annotatedSlices: session.store.annotatedSlices()
  };
  Private.send(comm, { data: hello, buffers: [session.store.encodeState()] });
  const offStore = session.store.onUpdate((update, origin) => {
    if (origin !== comm && !comm.isClosed) Private.send(comm, { data: { type: 'yjs-update' }, buffers: [update] });
  });
  const offModel = session.onUpdate?.(record => !comm.isClosed && Private.send(comm, { data: { type: 'model-updated', record }, buffers: [] }));
  comm.onMsg(async msg => {
    // The comm's JSON is the panel's: every field is checked where it is used (the store checks strokes).
    const replies = await handleAnnotationMessage(session, msg as unknown as AnnotationInput, comm);
    // The panel may have closed while the request was in flight: nobody is left to answer.
    for (const reply of replies) if (!comm.isClosed) Private.send(comm, reply);
  });
  comm.onClose(() => {
    offStore();
    offModel?.();
  });
}

/**
 * Handles one panel message for `session` (`origin` marks Yjs updates it applies); returns the replies, typed by the
 * request (an `error` instead when it fails).
 */
export async function handleAnnotationMessage<T extends AnnotationPanelMessage>(
  session: AnnotationSession,
  msg: AnnotationInput<T>,
  origin: unknown = 'comm'
): Promise<AnnotationEnvelope<AnnotationReplyTo<T> | AnnotationErrorReply>[]> {
  const d: AnnotationPanelMessage = msg.data;
  try {
    return (await Private.handle(session, d, msg.buffers, origin)) as AnnotationEnvelope<AnnotationReplyTo<T>>[];
  } catch (error) {
    const e = error as Error;
    const request = (d as { type?: string }).type ?? null;
    return [{ data: { type: 'error', request, ...Private.replyTo(d), error: e.name, message: e.message }, buffers: [] }];
  }
}

namespace Private {
  export const sessions = new Map<string, AnnotationSession>();
  export let latest: string | undefined;

  /** The panel message types, as the error for an unknown one lists them. */
  const MESSAGE_TYPES: readonly AnnotationPanelMessage['type'][] = ['stroke', 'yjs-update', 'get-slice', 'suggest', 'update', 'export-labels'];

  /** Sends a kernel message (its JSON is plain data). */
  export function send(comm: Comm, reply: AnnotationReply): void {
    comm.send(reply.data as unknown as CommData, reply.buffers);
  }

  /** The `replyTo` of a request that carried an id. */
  export function replyTo(d: AnnotationPanelMessage): { replyTo?: number } {
    return d.id === undefined ? {} : { replyTo: d.id };
  }

  /** What one panel message does; throws typed errors that the caller turns into an `error` reply. */
  export async function handle(session: AnnotationSession, d: AnnotationPanelMessage, buffers: Uint8Array[], origin: unknown): Promise<AnnotationReply[]> {
    const store = session.store;
    const reply = (data: AnnotationKernelMessage, replyBuffers: Uint8Array[] = []): AnnotationReply[] => [{ data: { ...data, ...replyTo(d) }, buffers: replyBuffers }];
    switch (d.type) {
      case 'stroke': {
        const runs = buffers[0] ? Array.from(uint32(buffers[0])) : d.runs;
        const op = store.paint({ user: d.user, axis: d.axis, slice: d.slice, label: d.label, runs, pixels: d.pixels, id: typeof d.opId === 'string' ? d.opId : undefined });
        return reply({ type: 'ack', request: 'stroke', annotatedSlices: store.annotatedSlices(), op: op.id });
      }
      case 'yjs-update': {
        if (!buffers[0]) throw new ActiveLearningError('yjs-update', 'needs the update as buffers[0]');
        store.applyUpdate(buffers[0], origin);
        return [];
      }
      case 'get-slice': {
        const annotations = annotationSlice(store, d.axis, d.slice);
        const prediction = session.predictionSlice?.(d.axis, d.slice);
        const layerBuffers = [annotations.labels, ...(prediction ? [prediction.labels, prediction.confidence] : [])];
        const layers: SliceLayer[] = prediction ? ['annotations', 'prediction', 'confidence'] : ['annotations'];
        const image = d.image === true ? session.imageSlice?.(d.axis, d.slice) : undefined;
        if (image) {
          layerBuffers.push(new Uint8Array(image.buffer, image.byteOffset, image.byteLength));
          layers.push('image');
        }
        return reply({ type: 'slice', axis: d.axis, slice: d.slice, shape: annotations.shape, layers }, layerBuffers);
      }
      case 'suggest': {
        if (!session.suggest) throw new ActiveLearningError('suggest', 'needs a session with a model (activeLearning)');
        return reply({ type: 'suggestions', items: session.suggest(d.k ?? 4, { strategy: d.strategy as AcquisitionStrategy | undefined, axis: d.axis }) });
      }
      case 'update': {
        if (!session.update) throw new ActiveLearningError('update', 'needs a session with a model (activeLearning)');
        const record = await session.update();
        // Sessions with onUpdate listeners already told every open comm; others get the record here.
        return session.onUpdate ? [] : reply({ type: 'model-updated', record });
      }
      case 'export-labels': {
        if (d.path !== undefined && typeof d.path !== 'string') throw new ActiveLearningError('export-labels', `path must be a file name, got ${JSON.stringify(d.path)}`);
        const path = d.path || defaultLabelsPath(session.name);
        // The browser names the file: it may write only inside the kernel's working folder, and never over the volume.
        await confineToFolder(process.cwd(), path, 'export-labels path');
        await guardOutputs({ 'export-labels path': path }, { "the session's source": session.source });
        const written = session.exportLabels ? await session.exportLabels(path) : await exportAnnotationLabels(store, path);
        return reply({ type: 'labels-exported', ...written });
      }
      default:
        throw new ActiveLearningError('message type', `${JSON.stringify((d as { type?: unknown }).type)} is not one of ${MESSAGE_TYPES.join(', ')}`);
    }
  }

  /** A Uint32 little-endian view of a buffer (copied when unaligned). */
  function uint32(bytes: Uint8Array): Uint32Array {
    if (bytes.length % 4) throw new ActiveLearningError('stroke', `runs buffer has ${bytes.length} bytes, not a multiple of 4 (Uint32 LE)`);
    const copy = bytes.byteOffset % 4 ? bytes.slice() : bytes;
    return new Uint32Array(copy.buffer, copy.byteOffset, copy.length / 4);
  }

  function annotationSlice(store: AnnotationStore, axis: OrthogonalAxis, slice: number): { shape: [number, number]; labels: Uint8Array } {
    checkAxis(axis);
    checkSlice(store.shape, axis, slice);
    const [h, w] = sliceShape(store.shape, axis);
    const all = store.labels();
    const labels = new Uint8Array(h * w);
    for (let i = 0, p = 0; i < h; i++) for (let j = 0; j < w; j++, p++) labels[p] = all[voxelOf(store.shape, axis, slice, i, j)];
    return { shape: [h, w], labels };
  }
}

/**
 * The panel's replica of the annotation document (its shape is the protocol's, `@mdlma/kernel/protocol`
 * annotation.ts; the kernel's replica is kernel-lib active/annotations.ts): a Yjs doc whose `ops` array holds edit
 * operations {id, user, axis, slice, label, runs, time} replayed in Yjs order (label 255 erases), and whose `done` map
 * marks slices the expert finished. The panel edits this doc directly; a `Y.UndoManager` that tracks only this
 * panel's own edits gives undo AND redo (each stroke one step), and every local change goes to the kernel as a Yjs
 * update, batched for `delayMs` (default 250 ms, so a stroke is in the kernel well within a second). Updates from the kernel or other users are applied with a remote origin: they
 * are neither undone by this user nor sent back.
 *
 * @example
 * const doc = new AnnotationDoc({ shape: [48, 48, 48], user: 'ana', state: helloBuffer, send: u => comm.send({ type: 'yjs-update' }, [u]) });
 * doc.paint('z', 20, 2, [100, 5]);
 * doc.undo();  doc.redo();
 * doc.sliceLabels('z', 20);          // Uint8Array rows*cols, 255 where unlabelled
 */
import { ANNOTATION_DOCUMENT, fillRuns, runsByValue, sliceKey, sliceShape, UNLABELLED, type AnnotationOp, type OrthogonalAxis } from '@mdlma/kernel/protocol';
import * as Y from 'yjs';

/** The panel's replica of the annotation document. */
export class AnnotationDoc {
  constructor(options: AnnotationDoc.IOptions) {
    this.shape = [...options.shape];
    this.user = options.user;
    this._send = options.send;
    this._delayMs = options.delayMs ?? 250;
    this.doc = new Y.Doc();
    this.ops = this.doc.getArray<AnnotationOp>(ANNOTATION_DOCUMENT.ops);
    this.done = this.doc.getMap<boolean>(ANNOTATION_DOCUMENT.done);
    if (options.state?.length) Y.applyUpdate(this.doc, options.state, REMOTE);
    // captureTimeout 0: every stroke (one transaction) is its own undo step.
    this.undoManager = new Y.UndoManager([this.ops, this.done], { trackedOrigins: new Set([LOCAL]), captureTimeout: 0 });
    this.doc.on('update', this._onDocUpdate);
  }

  /** [z, y, x]. */
  readonly shape: number[];
  /** The user this replica edits for (stored in each operation). */
  readonly user: string;
  /** The Yjs document. */
  readonly doc: Y.Doc;
  /** Its edit operations. */
  readonly ops: Y.Array<AnnotationOp>;
  /** Slices marked done (key `axis:slice`). */
  readonly done: Y.Map<boolean>;
  /** Undo/redo of this replica's own edits. */
  readonly undoManager: Y.UndoManager;

  /** Paints (label 0..C-1) or erases (255) the pixels `runs` of one slice: one operation, one undo step. */
  paint(axis: OrthogonalAxis, slice: number, label: number, runs: readonly number[]): AnnotationOp | undefined {
    if (!runs.length) return undefined;
    const op = this._op(axis, slice, label, runs);
    this.doc.transact(() => this.ops.push([op]), LOCAL);
    return op;
  }

  /** Several labels' pixels of one slice (e.g. what a niivue stroke changed), in one transaction: one undo step. */
  paintEdits(axis: OrthogonalAxis, slice: number, edits: ReadonlyArray<{ label: number; runs: readonly number[] }>): number {
    const ops = edits.filter(e => e.runs.length).map(e => this._op(axis, slice, e.label, e.runs));
    if (ops.length) this.doc.transact(() => this.ops.push(ops), LOCAL);
    return ops.length;
  }

  /**
   * Sets a whole slice from a label image (rows x cols; 255 leaves a pixel as it is), e.g. the model's prediction
   * to correct: one operation per label present, all in one undo step.
   */
  paintSlice(axis: OrthogonalAxis, slice: number, labels2d: ArrayLike<number>): number {
    const byLabel = runsByValue(labels2d.length, p => (labels2d[p] === UNLABELLED ? undefined : labels2d[p]));
    const ops = [...byLabel].map(([label, runs]) => this._op(axis, slice, label, runs));
    if (ops.length) this.doc.transact(() => this.ops.push(ops), LOCAL);
    return ops.length;
  }

  /** Marks a slice done or not (an undoable edit too). */
  setDone(axis: OrthogonalAxis, slice: number, done: boolean): void {
    this.doc.transact(() => (done ? this.done.set(sliceKey(axis, slice), true) : this.done.delete(sliceKey(axis, slice))), LOCAL);
  }

  /** Whether a slice is marked done. */
  isDone(axis: OrthogonalAxis, slice: number): boolean {
    return this.done.get(sliceKey(axis, slice)) === true;
  }

  /** Undoes this user's last edit; false when there is none. */
  undo(): boolean {
    return this.undoManager.undo() !== null;
  }

  /** Redoes this user's last undone edit; false when there is none. */
  redo(): boolean {
    return this.undoManager.redo() !== null;
  }

  get canUndo(): boolean {
    return this.undoManager.canUndo();
  }

  get canRedo(): boolean {
    return this.undoManager.canRedo();
  }

  /** Applies an update from the kernel or another user (not undoable here, not sent back). */
  applyRemote(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, REMOTE);
  }

  /** The whole document as one update. */
  encodeState(): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc);
  }

  /** Labels of one slice (rows x cols, row-major; 255 where unlabelled): the slice's operations replayed in order. */
  sliceLabels(axis: OrthogonalAxis, slice: number): Uint8Array {
    const [rows, cols] = sliceShape(this.shape, axis);
    const out = new Uint8Array(rows * cols).fill(UNLABELLED);
    for (const op of this.ops.toArray()) if (op.axis === axis && op.slice === slice) fillRuns(out, op.runs, op.label);
    return out;
  }

  /** Labelled pixel counts of every slice that has any, by key `axis:slice`. */
  annotatedCounts(): Map<string, number> {
    const slices = new Map(this.ops.toArray().map(op => [sliceKey(op.axis, op.slice), op] as const));
    const counts = new Map<string, number>();
    for (const [key, { axis, slice }] of slices) {
      const n = this.sliceLabels(axis, slice).reduce((sum, v) => sum + (v === UNLABELLED ? 0 : 1), 0);
      if (n) counts.set(key, n);
    }
    return counts;
  }

  /** Calls `listener` after every change (local, undo/redo or remote); returns a function that stops it. */
  onChange(listener: () => void): () => void {
    const handler = () => listener();
    this.doc.on('afterTransaction', handler);
    return () => this.doc.off('afterTransaction', handler);
  }

  /** Local changes not yet sent. */
  get pending(): number {
    return this._outbox.length;
  }

  /** Sends the local changes now, as one merged update. */
  flush(): void {
    if (this._timer !== undefined) clearTimeout(this._timer);
    this._timer = undefined;
    if (!this._outbox.length) return;
    const update = this._outbox.length === 1 ? this._outbox[0] : Y.mergeUpdates(this._outbox);
    this._outbox = [];
    this._send(update);
  }

  /** Sends what is pending and stops. */
  dispose(): void {
    this.flush();
    this.doc.off('update', this._onDocUpdate);
    this.undoManager.destroy();
    this.doc.destroy();
  }

  private _op(axis: OrthogonalAxis, slice: number, label: number, runs: readonly number[]): AnnotationOp {
    return { id: `${this.user}-${this.doc.clientID.toString(36)}-${(this._counter++).toString(36)}`, user: this.user, axis, slice, label, runs: [...runs], time: Date.now() };
  }

  private readonly _onDocUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === REMOTE) return;
    this._outbox.push(update);
    if (this._timer === undefined) this._timer = setTimeout(() => this.flush(), this._delayMs);
  };

  private readonly _send: (update: Uint8Array) => void;
  private readonly _delayMs: number;
  private _outbox: Uint8Array[] = [];
  private _timer?: ReturnType<typeof setTimeout>;
  private _counter = 0;
}

export namespace AnnotationDoc {
  export interface IOptions {
    shape: readonly number[];
    user: string;
    /** The kernel's document (the `hello` message's buffer). */
    state?: Uint8Array;
    /** Sends a local update to the kernel (`yjs-update` over the comm). */
    send: (update: Uint8Array) => void;
    /** Batching delay of outgoing updates in ms (default 250). */
    delayMs?: number;
  }
}

/** Transaction origins: this panel's edits (tracked by the UndoManager, sent) and everything else. */
const LOCAL = Symbol('mdlma-annotation-local');
const REMOTE = Symbol('mdlma-annotation-remote');

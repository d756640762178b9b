/**
 * The annotation model (DESIGN.md, "Annotations"): a Yjs document whose `ops` array holds edit operations
 * {id, user, axis, slice, label, runs}, replayed in Yjs order onto a label volume (255 = unlabelled; label 255 in an
 * operation erases). Undo and redo are per user (`Y.UndoManager` with the user's origin). The kernel's store is one
 * replica: the `mdlma.annotation` comm feeds it strokes or raw Yjs updates, and `persist` appends every update to
 * `<name>.annot.yjs` (length-prefixed Yjs updates) as it happens, so that a crash loses nothing already received.
 *
 * The document's shape, `AnnotationOp`, `UNLABELLED` and the pixel runs are the protocol's (protocol/annotation.ts,
 * protocol/run-length.ts), shared with the panel's replica.
 *
 * @example
 * const store = new AnnotationStore({ shape: [64, 64, 64], classes: 4 });
 * store.paint({ user: 'ana', axis: 'z', slice: 10, label: 3, runs: [130, 5] });
 * store.undo('ana');  store.redo('ana');
 * store.labels();                 // Uint8Array, 255 where nobody annotated
 * store.annotatedSlices();        // [{ axis: 'z', index: 10, voxels: 5 }]
 */
import { appendFileSync, existsSync, readFileSync } from 'fs';

import { ActiveLearningError } from '../errors';
import { writeFileAtomicallySync } from '../files';
import {
  type AnnotatedSlice, ANNOTATION_DOCUMENT, type AnnotationOp, forEachRunPixel, type OrthogonalAxis, runsByValue,
  runsFromPixels, runsOfMask, sliceKey, sliceShape, UNLABELLED, voxelOf
} from '../protocol';
import type { Shape3 } from '../volume';
import { checkAxis, checkSlice } from './planes';
import { Y, type YArray, type YDoc, type YUndoManager } from './yjs';

/** A stroke as the panel (or a script) sends it: `runs`, or `pixels` (indices in the slice), or a `mask`. */
export interface StrokeInput {
  user?: string;
  axis: OrthogonalAxis;
  slice: number;
  label: number;
  runs?: ArrayLike<number>;
  pixels?: ArrayLike<number>;
  /** Slice-sized mask; nonzero pixels are painted. */
  mask?: ArrayLike<number>;
  id?: string;
}

/** A Yjs replica of a volume's annotations; see the module header. */
export class AnnotationStore {
  constructor(options: AnnotationStore.IOptions) {
    this.shape = [...options.shape] as unknown as Shape3;
    this.classes = options.classes;
    this.doc = options.doc ?? new Y.Doc();
    this.ops = this.doc.getArray<AnnotationOp>(ANNOTATION_DOCUMENT.ops);
    this.ops.observe(() => (this._dirty = true));
    if (options.persist) this.persist(options.persist);
  }

  /** Restores a store from a `.annot.yjs` log (and keeps appending to it when `persist` is true). */
  static load(path: string, options: Omit<AnnotationStore.IOptions, 'doc' | 'persist'> & { persist?: boolean }): AnnotationStore {
    const store = new AnnotationStore({ shape: options.shape, classes: options.classes });
    for (const update of Private.readLog(path)) Y.applyUpdate(store.doc, update, 'load');
    if (options.persist) store.persist(path, false);
    return store;
  }

  /** [z, y, x] of the annotated volume. */
  readonly shape: Shape3;
  /** Classes C (labels 0..C-1). */
  readonly classes: number;
  /** The Yjs document. */
  readonly doc: YDoc;
  /** Its edit operations, in Yjs order. */
  readonly ops: YArray<AnnotationOp>;
  /** The `.annot.yjs` log updates are appended to, if any. */
  get persistPath(): string | undefined {
    return this._persistPath;
  }

  /** Adds a stroke as one operation (one undo step of its user); returns the operation. */
  paint(stroke: StrokeInput): AnnotationOp {
    const op = this._toOp(stroke);
    this._undoManager(op.user); // created before the edit, so that it tracks it
    this.doc.transact(() => this.ops.push([op]), Private.origin(op.user));
    return op;
  }

  /**
   * Sets a whole slice from a label image (the slice's [rows, cols], row-major; 255 leaves a pixel as it is): one
   * operation per label present, all in one undo step.
   */
  setSlice(axis: OrthogonalAxis, slice: number, labels2d: ArrayLike<number>, user = 'kernel'): AnnotationOp[] {
    checkAxis(axis);
    checkSlice(this.shape, axis, slice);
    const [h, w] = sliceShape(this.shape, axis);
    if (labels2d.length !== h * w) {
      throw new ActiveLearningError('labels2d', `has ${labels2d.length} pixels; slice ${slice} along ${axis} is ${h} x ${w} = ${h * w}`);
    }
    const byLabel = runsByValue(labels2d.length, p => labels2d[p]);
    const ops: AnnotationOp[] = [];
    for (let label = 0; label < this.classes; label++) {
      const runs = byLabel.get(label);
      if (runs) ops.push(this._toOp({ user, axis, slice, label, runs }));
    }
    for (let p = 0; p < labels2d.length; p++) {
      const v = labels2d[p];
      if (v !== UNLABELLED && !(Number.isInteger(v) && v >= 0 && v < this.classes)) {
        throw new ActiveLearningError('labels2d', `holds ${v}; use 0..${this.classes - 1}, or 255 for unlabelled`);
      }
    }
    this._undoManager(user);
    if (ops.length) this.doc.transact(() => this.ops.push(ops), Private.origin(user));
    return ops;
  }

  /** Undoes `user`'s last edit (false when there is none). */
  undo(user: string): boolean {
    return this._undoManager(user).undo() !== null;
  }

  /** Redoes `user`'s last undone edit (false when there is none). */
  redo(user: string): boolean {
    return this._undoManager(user).redo() !== null;
  }

  /** Applies a Yjs update from another replica (the panel's document, a collaborator). */
  applyUpdate(update: Uint8Array, origin: unknown = 'remote'): void {
    Y.applyUpdate(this.doc, update, origin);
  }

  /** The whole document as one Yjs update (for a new replica). */
  encodeState(): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc);
  }

  /** Calls `listener` with every update of the document and its origin; returns a function that stops it. */
  onUpdate(listener: (update: Uint8Array, origin: unknown) => void): () => void {
    this.doc.on('update', listener);
    return () => this.doc.off('update', listener);
  }

  /** The label volume (C-order [z, y, x]): every operation replayed in document order; 255 where unlabelled. */
  labels(): Uint8Array {
    if (this._dirty || !this._cache) {
      const out = this._cache ?? new Uint8Array(this.shape[0] * this.shape[1] * this.shape[2]);
      out.fill(UNLABELLED);
      for (const op of this.ops.toArray()) this._apply(op, out);
      this._cache = out;
      this._dirty = false;
    }
    return this._cache;
  }

  /** Slices that hold at least one labelled voxel after replay, per axis, with their labelled voxel counts. */
  annotatedSlices(): AnnotatedSlice[] {
    const labels = this.labels();
    const seen = new Map<string, AnnotatedSlice>();
    for (const op of this.ops.toArray()) {
      const key = sliceKey(op.axis, op.slice);
      if (seen.has(key)) continue;
      const [h, w] = sliceShape(this.shape, op.axis);
      let voxels = 0;
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) if (labels[voxelOf(this.shape, op.axis, op.slice, i, j)] !== UNLABELLED) voxels++;
      seen.set(key, { axis: op.axis, index: op.slice, voxels });
    }
    return [...seen.values()].filter(s => s.voxels > 0);
  }

  /** Writes the document as one compacted update to `path` (atomically); later updates append to it if persisting. */
  save(path: string): void {
    writeFileAtomicallySync(path, Private.record(this.encodeState()), { createFolder: true });
  }

  /** Starts appending every update to `path` (written first with the current state unless `writeState` is false). */
  persist(path: string, writeState = true): void {
    if (this._persistPath) return;
    if (writeState || !existsSync(path)) this.save(path);
    this._persistPath = path;
    this.onUpdate(update => appendFileSync(path, Private.record(update)));
  }

  /** Checks a stroke and turns it into an operation. */
  private _toOp(stroke: StrokeInput): AnnotationOp {
    const axis = checkAxis(stroke.axis);
    checkSlice(this.shape, axis, stroke.slice);
    const { label } = stroke;
    if (!(Number.isInteger(label) && ((label >= 0 && label < this.classes) || label === UNLABELLED))) {
      throw new ActiveLearningError('label', `must be 0..${this.classes - 1} (or 255 to erase), got ${JSON.stringify(label)}`);
    }
    const [h, w] = sliceShape(this.shape, axis);
    const pixels = h * w;
    let runs: number[];
    if (stroke.runs) runs = Array.from(stroke.runs);
    else if (stroke.pixels) runs = runsFromPixels(stroke.pixels);
    else if (stroke.mask) {
      if (stroke.mask.length !== pixels) throw new ActiveLearningError('mask', `has ${stroke.mask.length} pixels; the slice has ${pixels}`);
      runs = runsOfMask(stroke.mask);
    } else throw new ActiveLearningError('stroke', 'needs runs, pixels or a mask');
    if (runs.length % 2) throw new ActiveLearningError('runs', 'must be [start, length, ...] pairs');
    for (let r = 0; r < runs.length; r += 2) {
      const [s, n] = [runs[r], runs[r + 1]];
      if (!Number.isInteger(s) || !Number.isInteger(n) || s < 0 || n < 1 || s + n > pixels) {
        throw new ActiveLearningError('runs', `[${s}, ${n}] leaves slice ${stroke.slice} along ${axis} (${h} x ${w} pixels)`);
      }
    }
    return { id: stroke.id ?? `${Date.now().toString(36)}-${(this._counter++).toString(36)}-${this.doc.clientID}`, user: stroke.user ?? 'kernel', axis, slice: stroke.slice, label, runs, time: Date.now() };
  }

  private _apply(op: AnnotationOp, out: Uint8Array): void {
    const [, w] = sliceShape(this.shape, op.axis);
    forEachRunPixel(op.runs, p => (out[voxelOf(this.shape, op.axis, op.slice, Math.floor(p / w), p % w)] = op.label));
  }

  private _undoManager(user: string): YUndoManager {
    let m = this._undoManagers.get(user);
    if (!m) {
      // captureTimeout 0: every stroke is its own undo step.
      m = new Y.UndoManager(this.ops, { trackedOrigins: new Set([Private.origin(user)]), captureTimeout: 0 });
      this._undoManagers.set(user, m);
    }
    return m;
  }

  private _cache?: Uint8Array;
  private _dirty = true;
  private _counter = 0;
  private _persistPath?: string;
  private readonly _undoManagers = new Map<string, YUndoManager>();
}

export namespace AnnotationStore {
  /** Options of the AnnotationStore constructor. */
  export interface IOptions {
    shape: Shape3;
    classes: number;
    /** An existing Yjs document to use (default: a new one). */
    doc?: YDoc;
    /** Append every update to this `.annot.yjs` file (written first with the current state). */
    persist?: string;
  }
}

namespace Private {
  /** The transaction origin of a user's edits (what their UndoManager tracks); interned so identity matches. */
  export function origin(user: string): string {
    return `user:${user}`;
  }

  /** One log record: uint32 little-endian length, then the update. */
  export function record(update: Uint8Array): Uint8Array {
    const out = new Uint8Array(4 + update.length);
    new DataView(out.buffer).setUint32(0, update.length, true);
    out.set(update, 4);
    return out;
  }

  export function readLog(path: string): Uint8Array[] {
    if (!existsSync(path)) throw new ActiveLearningError('annotations', `file ${path} does not exist`);
    const bytes = readFileSync(path);
    const updates: Uint8Array[] = [];
    for (let at = 0; at + 4 <= bytes.length; ) {
      const n = bytes.readUInt32LE(at);
      // A record cut short by a crash is the last one: keep everything before it.
      if (at + 4 + n > bytes.length) break;
      updates.push(new Uint8Array(bytes.subarray(at + 4, at + 4 + n)));
      at += 4 + n;
    }
    return updates;
  }
}

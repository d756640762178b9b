/**
 * The part of Yjs (https://github.com/yjs/yjs) the annotation store uses, typed here: yjs's own typings describe its
 * ES module, which this CommonJS package cannot import statically with TypeScript 5.0; `require` picks yjs's
 * CommonJS build (dist/yjs.cjs), the same one the kernel's cells get.
 *
 * @example
 * const doc = new Y.Doc();
 * doc.getArray<number>('ops').push([1]);
 * Y.encodeStateAsUpdate(doc);
 */

/** A Yjs document. */
export interface YDoc {
  readonly clientID: number;
  getArray<T>(name: string): YArray<T>;
  transact(f: () => void, origin?: unknown): void;
  on(event: 'update', listener: (update: Uint8Array, origin: unknown) => void): void;
  off(event: 'update', listener: (update: Uint8Array, origin: unknown) => void): void;
  destroy(): void;
}

/** A shared array. */
export interface YArray<T> {
  readonly length: number;
  push(content: T[]): void;
  delete(index: number, length?: number): void;
  toArray(): T[];
  observe(listener: () => void): void;
}

/** Undo/redo of the transactions whose origin it tracks. */
export interface YUndoManager {
  undo(): unknown;
  redo(): unknown;
}

/** The Yjs module. */
export interface Yjs {
  Doc: new () => YDoc;
  UndoManager: new (scope: YArray<any>, options: { trackedOrigins: Set<unknown>; captureTimeout: number }) => YUndoManager;
  applyUpdate(doc: YDoc, update: Uint8Array, origin?: unknown): void;
  encodeStateAsUpdate(doc: YDoc): Uint8Array;
}

/** yjs, loaded once per process. */
export const Y: Yjs = require('yjs');

/**
 * The annotation document that the kernel's store (kernel-lib active/annotations.ts) and every panel's replica
 * (widgets annotation/annotation-doc.ts) share through Yjs: a `Y.Array` named `ops` of edit operations, replayed in
 * array order onto a label volume (`UNLABELLED` where nobody annotated; an operation with that label erases), and a
 * `Y.Map` named `done` of the slices the expert finished (key `sliceKey(axis, slice)`, value true). The panel and
 * the kernel exchange it over the comm named `ANNOTATION_TARGET` (annotation-messages.ts).
 *
 * @example
 * const ops = doc.getArray<AnnotationOp>(ANNOTATION_DOCUMENT.ops);
 * ops.push([{ id: 'ana-1', user: 'ana', axis: 'z', slice: 20, label: 2, runs: [130, 5], time: Date.now() }]);
 */
import type { OrthogonalAxis } from './planes';

/** The comm target the annotation panel opens to reach an active-learning session in the kernel. */
export const ANNOTATION_TARGET = 'mdlma.annotation';

/** The protocol version the kernel's `hello` and the panel output carry. */
export const ANNOTATION_PROTOCOL = 'mdlma.annotation/1';

/** Label value of voxels nobody annotated (and of an operation that erases). */
export const UNLABELLED = 255;

/** Names of the shared types in the Yjs document. */
export const ANNOTATION_DOCUMENT = { ops: 'ops', done: 'done' } as const;

/** One edit operation as stored in the document. */
export interface AnnotationOp {
  id: string;
  /** Who made it (each user undoes only their own). */
  user: string;
  axis: OrthogonalAxis;
  slice: number;
  /** 0..C-1 paints, `UNLABELLED` erases. */
  label: number;
  /** The pixels it sets, as runs in the slice (run-length.ts). */
  runs: number[];
  /** Milliseconds since 1970, when the edit was made. */
  time: number;
}

/** An annotated slice and how many of its voxels carry a label. */
export interface AnnotatedSlice {
  axis: OrthogonalAxis;
  index: number;
  voxels: number;
}

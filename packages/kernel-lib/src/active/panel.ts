/**
 * Opening the annotation panel from a cell: `openAnnotationPanel(al)` makes the session reachable over the
 * `mdlma.annotation` comm, starts persisting its annotations as `<name>.annot.yjs` in the kernel's working folder (the
 * notebook's folder under Jupyter; an existing file is loaded first, so a new kernel continues where the last one
 * stopped), and displays an `ANNOTATION_PANEL_MIME` output (protocol/annotation-panel.ts). MDLMA Lab's labextension
 * renders that output as a button and opens the panel beside the notebook, which then opens the comm itself. Why an
 * output and not a kernel-opened comm: outputs are the one kernel-to-front-end route that every front end already
 * routes to the right notebook, and the panel's comm is then opened by the side that owns the widget.
 *
 * @example
 * const al = await activeLearning({ volume, model: 'sun-implant', name: 'scan-42' });
 * openAnnotationPanel(al);           // panel beside the notebook; strokes reach al.store within a second
 */
import { existsSync } from 'fs';
import { resolve } from 'path';

import { ActiveLearningError } from '../errors';
import { escapeHtml, publishDisplay } from '../display';
import { ANNOTATION_PANEL_MIME, ANNOTATION_PROTOCOL, type AnnotationPanelPayload } from '../protocol';
import { AnnotationStore } from './annotations';
import { registerAnnotationSession, sessionClassNames, type AnnotationSession } from './comm';

/**
 * Registers `session`, persists its annotations, and displays the output that opens the panel. Returns nothing, so
 * that a cell ending with it shows only the panel's output; `annotationPanelPayload` gives what the output carries.
 */
export function openAnnotationPanel(session: AnnotationSession, options: openAnnotationPanel.IOptions = {}): void {
  const payload = annotationPanelPayload(session, options);
  registerAnnotationSession(session);
  if (payload.file !== undefined) Private.persist(session.store, resolve(payload.file));
  const text = `Annotation panel for "${session.name}" (${payload.shape.join(' x ')} voxels${payload.file ? `, saved to ${payload.file}` : ''}); it opens beside the notebook in JupyterLab with MDLMA Lab.`;
  publishDisplay({
    [ANNOTATION_PANEL_MIME]: payload,
    'text/html': `<p>${escapeHtml(text)}</p>`,
    'text/plain': text
  });
}

/** Types of `openAnnotationPanel`. */
export namespace openAnnotationPanel {
  /** Options of `openAnnotationPanel`. */
  export interface IOptions {
    /** Persist to this file (default `<name>.annot.yjs` in the working folder; false: do not persist). */
    file?: string | false;
    /** Suggested slices in the queue (default 6). */
    suggestions?: number;
  }
}

/** What the output of `openAnnotationPanel` carries for `session` (checks the options). */
export function annotationPanelPayload(session: AnnotationSession, options: openAnnotationPanel.IOptions = {}): AnnotationPanelPayload {
  const k = options.suggestions ?? 6;
  if (!Number.isInteger(k) || k < 1) throw new ActiveLearningError('suggestions', `must be a positive whole number, got ${JSON.stringify(k)}`);
  const file = options.file === false ? undefined : options.file ?? `${session.name}.annot.yjs`;
  return {
    protocol: ANNOTATION_PROTOCOL,
    session: session.name,
    shape: [...session.shape],
    classes: sessionClassNames(session),
    ...(file !== undefined ? { file } : {}),
    suggestions: k
  };
}

namespace Private {
  /** Loads an earlier log into the store (Yjs merges, so loading twice is harmless), then appends to it. */
  export function persist(store: AnnotationStore, path: string): void {
    if (store.persistPath) return;
    if (existsSync(path)) {
      const earlier = AnnotationStore.load(path, { shape: store.shape, classes: store.classes });
      store.applyUpdate(earlier.encodeState(), 'load');
    }
    store.persist(path);
  }
}

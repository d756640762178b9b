/**
 * The output that opens the annotation panel: `openAnnotationPanel(al)` in a cell (kernel-lib active/panel.ts)
 * displays `ANNOTATION_PANEL_MIME` with an `AnnotationPanelPayload`; the labextension renders it as a button and opens
 * the panel beside the notebook, which then opens the `mdlma.annotation` comm itself.
 *
 * @example
 * rendermime.addFactory({ mimeTypes: [ANNOTATION_PANEL_MIME], ... });
 * const payload = model.data[ANNOTATION_PANEL_MIME] as unknown as AnnotationPanelPayload;
 */

/** The MIME type of the output the labextension turns into the annotation panel. */
export const ANNOTATION_PANEL_MIME = 'application/vnd.mdlma.annotation+json';

/** What the output carries (the panel asks the kernel for everything else over the comm). */
export interface AnnotationPanelPayload {
  /** `ANNOTATION_PROTOCOL` of the kernel that wrote it. */
  protocol: string;
  /** The session the panel opens the comm for. */
  session: string;
  /** [z, y, x] of the annotated volume. */
  shape: number[];
  /** Class names, label 0 first. */
  classes: string[];
  /** The persisted annotation log, relative to the kernel's working folder (absent when not persisted). */
  file?: string;
  /** How many suggestions the panel's queue asks for. */
  suggestions: number;
}

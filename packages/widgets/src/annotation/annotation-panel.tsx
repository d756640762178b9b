/**
 * The annotation panel (issue 6): the queue of suggested slices with their scores, a slice editor with a round brush
 * of adjustable size, an eraser, a fill tool, the label palette of the model card's classes, undo and redo (the
 * document's Y.UndoManager), "accept prediction" to correct from, prediction and confidence overlays with opacity,
 * slices marked done, and "Export NIfTI" (the kernel writes the annotations as `<session>.labels.nii.gz`).
 *
 * The slice editor is niivue (niivue-slice.ts) where WebGL2 is available: the slice as a one-slice volume, the
 * prediction and confidence as overlays, the slice's annotations as niivue's drawing, painted with niivue's pen given
 * our round brush; a finished stroke becomes one document operation. Without WebGL2 (or if niivue fails to start) it
 * is a plain 2D canvas in the slice's own pixels (canvas-slice.ts), which stamps strokes itself; the canvas's
 * `data-renderer` says which. Either way every edit (stroke, fill, accepted prediction) goes into the panel's Yjs
 * replica (AnnotationDoc) as one undo step, which sends it to the kernel within its batching delay.
 *
 * Fill: a click floods the 4-connected region of the clicked pixel's annotation value (unlabelled counts as a value)
 * on the current slice with the current label (flood-fill.ts).
 *
 * The panel is a `ReactWidget`: its controls (toolbar, palette, queue, navigation, status) are React components
 * (panel-view.tsx) rendered from the panel's state after every change; its keys are panel-keys.ts. The stage
 * (slice-stage.ts: the canvas and its editor) is an element of its own that the view's canvas area hosts; it fills
 * that space at the slice's aspect and follows the panel's resizes; the pointer is mapped through the canvas's box in
 * both editors, so painting stays exact at any size. The panel's node carries its state as `data-*` attributes
 * (state, session, tool, label, brush size, axis, slice, annotated voxels, exported file), set at once on each change.
 * niivue's own key handlers are switched off, and its undo is never used: undo and redo are the document's, per user.
 *
 * @example
 * const panel = new AnnotationPanel({ client: new AnnotationClient(channel), user: 'ana', suggestions: 6 });
 * app.shell.add(panel, 'main', { mode: 'split-right' });     // then open the comm: the kernel's hello starts it
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { runPixelCount, sliceCount, sliceShape, type LabelExport, type OrthogonalAxis, type Suggestion } from '@mdlma/kernel/protocol';
import * as React from 'react';

import { AnnotationDoc } from './annotation-doc';
import { BRUSH_SIZES, type StrokePoint } from './brush';
import type { CanvasSliceView } from './canvas-slice';
import type { AnnotationClient, AnnotationMessage } from './channel';
import { floodFillRuns } from './flood-fill';
import { handlePanelKey, type PanelKeyActions } from './panel-keys';
import { PanelView, type AnnotationTool, type PanelControlActions, type PanelViewState } from './panel-view';
import { sliceData, type SliceData } from './slice-image';
import { SliceStage, type SliceRenderer } from './slice-stage';

export type { AnnotationTool } from './panel-view';
export type { SliceRenderer } from './slice-stage';

/** The annotation panel. */
export class AnnotationPanel extends ReactWidget {
  constructor(private readonly options: AnnotationPanel.IOptions) {
    super();
    this.addClass('mdlma-AnnotationPanel');
    this.title.label = 'Annotate';
    this.title.closable = true;
    this.node.tabIndex = 0;
    this.node.dataset.state = 'connecting';
    this.stage = new SliceStage({
      renderer: options.renderer,
      onReady: () => {
        if (this.stage.renderer === 'niivue') void this.showInEditor().then(() => this.renderAll());
        else this.renderAll();
      },
      // A finished niivue stroke counts only on the slice the panel shows (one document operation, one undo step).
      onEdits: (axis, slice, edits) => {
        if (axis === this.axis && slice === this.slice) this._doc?.paintEdits(axis, slice, edits);
      },
      onStroke: stroke => {
        this._doc?.paint(stroke.axis, stroke.slice, stroke.label, stroke.runs);
        this.renderCanvas();
      },
      onFill: point => {
        if (this.stage.shows(this.axis, this.slice)) this.fillAt(point);
      }
    });
    this.node.addEventListener('keydown', e => handlePanelKey(e, this.actions));
    options.client.onUnasked = msg => this.onKernelMessage(msg);
    options.client.onClose = () => this.setStatus('The kernel closed the annotation comm (kernel restarted or stopped).', 'closed');
    this.changed();
  }

  /** The panel's replica of the annotation document (after the kernel's hello). */
  get doc(): AnnotationDoc | undefined {
    return this._doc;
  }

  /** Whether the comm to the kernel is still open (false after a kernel restart or a kernel without the session). */
  get connected(): boolean {
    return !this.options.client.closed;
  }

  /** The slice shown: [axis, index]. */
  get current(): [OrthogonalAxis, number] {
    return [this.axis, this.slice];
  }

  /** The suggested slices in the queue. */
  get queue(): readonly Suggestion[] {
    return this._queue;
  }

  /** What the slice editor draws with (undefined until it is chosen, after the kernel's hello). */
  get renderer(): SliceRenderer | undefined {
    return this.stage.renderer;
  }

  /** Chooses the brush, the eraser or the fill tool. */
  setTool(tool: AnnotationTool): void {
    this.tool = tool;
    this.changed();
  }

  /** Chooses the label the brush and the fill paint (from the eraser, back to the brush). */
  setLabel(label: number): void {
    if (label >= 0 && label < this.classes.length) this.label = label;
    if (this.tool === 'eraser') this.tool = 'brush';
    this.changed();
  }

  /** Sets the brush diameter in pixels. */
  setBrushSize(size: number): void {
    this.brushSize = Math.min(BRUSH_SIZES.max, Math.max(BRUSH_SIZES.min, Math.round(size)));
    this.changed();
  }

  /** Shows another slice (its image, prediction and confidence come from the kernel). */
  async goTo(axis: OrthogonalAxis, slice: number): Promise<void> {
    if (!this.shape) return;
    const n = sliceCount(this.shape, axis);
    slice = Math.min(n - 1, Math.max(0, slice));
    this.axis = axis;
    this.slice = slice;
    this.sliceData = undefined;
    this.fitStage();
    this.renderAll();
    const reply = await this.options.client.request({ type: 'get-slice', axis, slice, image: true }).catch(error => this.fail(error));
    if (!reply || this.axis !== axis || this.slice !== slice) return;
    this.sliceData = sliceData(reply);
    await this.showInEditor();
    this.renderAll();
  }

  /** Floods the 4-connected region of the pixel [row, col]'s annotation value on the current slice with the current label (one undo step); returns the pixels filled. */
  fillAt(point: StrokePoint): number {
    if (!this._doc || !this.shape) return 0;
    const [rows, cols] = sliceShape(this.shape, this.axis);
    const runs = floodFillRuns(this._doc.sliceLabels(this.axis, this.slice), rows, cols, point, this.label);
    this._doc.paint(this.axis, this.slice, this.label, runs);
    return runPixelCount(runs);
  }

  /** Asks the kernel to write the annotations as a NIfTI label volume (default `<session>.labels.nii.gz` beside the notebook); shows the path. */
  async exportLabels(path?: string): Promise<LabelExport | undefined> {
    if (!this._doc) return undefined;
    // Edits still batched go first: the comm keeps the order, so the kernel exports them too.
    this._doc.flush();
    this.setStatus('Writing the annotations as NIfTI…', 'busy');
    const reply = await this.options.client.request({ type: 'export-labels', ...(path ? { path } : {}) }).catch(error => this.fail(error));
    if (!reply) return undefined;
    const out = reply.data;
    const perClass = out.counts.map((n, label) => `${this.classes[label] ?? `class ${label}`} ${n}`).join(', ');
    this.node.dataset.exported = out.path;
    this.setStatus(`Labels written to ${out.absolutePath} (${out.labelledVoxels} labelled voxels: ${perClass}; 255 = unlabelled).`);
    return out;
  }

  /** Undoes this user's last edit. */
  undo(): boolean {
    const done = this._doc?.undo() ?? false;
    this.changed();
    return done;
  }

  /** Redoes this user's last undone edit. */
  redo(): boolean {
    const done = this._doc?.redo() ?? false;
    this.changed();
    return done;
  }

  /** Takes the model's prediction of the current slice as its annotation (one undo step), to be corrected. */
  acceptPrediction(): void {
    if (this._doc && this.sliceData?.prediction) this._doc.paintSlice(this.axis, this.slice, this.sliceData.prediction);
  }

  /** Marks the current slice done or not. */
  toggleDone(): void {
    this._doc?.setDone(this.axis, this.slice, !this._doc.isDone(this.axis, this.slice));
  }

  /** Asks the kernel for new suggestions. */
  async refreshSuggestions(): Promise<void> {
    const reply = await this.options.client.request({ type: 'suggest', k: this.options.suggestions ?? 6 }).catch(error => this.fail(error));
    if (!reply) return;
    this._queue = reply.data.items;
    this.changed();
  }

  /** Asks the kernel to train the fast head on the annotations and re-predict; overlays refresh when it is done. */
  updateModel(): void {
    this._doc?.flush();
    this.setStatus('Training the head and re-predicting…', 'busy');
    this.options.client.post({ type: 'update' });
  }

  /** Sends pending edits now (before the page goes away). */
  flush(): void {
    this._doc?.flush();
  }

  dispose(): void {
    if (this.isDisposed) return;
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    this.areaObserver?.disconnect();
    this.stage.dispose();
    this._doc?.dispose();
    this.options.client.close();
    super.dispose();
  }

  protected render(): React.ReactElement {
    return <PanelView state={this.viewState()} actions={this.actions} mountStage={this.mountStage} />;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    window.addEventListener('beforeunload', this.onBeforeUnload);
    this.fitStage();
    this.startEditor();
  }

  protected onBeforeDetach(msg: Message): void {
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    super.onBeforeDetach(msg);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this.fitStage();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.fitStage();
  }

  protected onActivateRequest(): void {
    this.node.focus();
  }

  private readonly onBeforeUnload = () => this.flush();

  /**
   * The view's canvas area entered the page (or left it: null): the stage goes there, and follows every change of the
   * space left to it (panel resizes, the toolbar or status wrapping anew); that space does not depend on the stage's
   * size (see annotation.css), so this cannot loop.
   */
  private readonly mountStage = (area: HTMLDivElement | null): void => {
    this.areaObserver?.disconnect();
    if (!area) return;
    this.stage.mount(area);
    if (typeof ResizeObserver !== 'undefined') {
      this.areaObserver ??= new ResizeObserver(() => this.fitStage());
      this.areaObserver.observe(area);
    }
    this.fitStage();
    this.startEditor();
  };

  /** The panel's methods, as the controls (panel-view.tsx) and the keys (panel-keys.ts) call them. */
  private readonly actions: PanelControlActions & PanelKeyActions = {
    setTool: tool => this.setTool(tool),
    setLabel: label => this.setLabel(label),
    setBrushSize: size => this.setBrushSize(size),
    stepBrushSize: step => this.setBrushSize(this.brushSize + step),
    undo: () => this.undo(),
    redo: () => this.redo(),
    acceptPrediction: () => this.acceptPrediction(),
    toggleDone: () => this.toggleDone(),
    updateModel: () => this.updateModel(),
    exportLabels: () => void this.exportLabels(),
    goTo: (axis, slice) => void this.goTo(axis, slice),
    stepSlice: step => void this.goTo(this.axis, this.slice + step),
    stepQueue: step => this.stepQueue(step),
    setOpacity: (overlay, opacity) => {
      if (overlay === 'prediction') this.predictionOpacity = opacity;
      else this.confidenceOpacity = opacity;
      this.stage.setOpacity(this.predictionOpacity, this.confidenceOpacity);
      this.changed();
      if (this.stage.renderer !== 'niivue') this.renderCanvas();
    }
  };

  private onKernelMessage(msg: AnnotationMessage): void {
    const d = msg.data;
    switch (d.type) {
      case 'hello': {
        this.shape = d.shape;
        this.classes = d.classes;
        this.axis = d.axis ?? 'z';
        this.slice = Math.floor(sliceCount(this.shape, this.axis) / 2);
        this.title.label = `Annotate: ${d.session}`;
        this._doc?.dispose();
        this._doc = new AnnotationDoc({
          shape: this.shape,
          user: this.options.user,
          state: msg.buffers[0],
          delayMs: this.options.delayMs,
          send: update => {
            this.options.client.post({ type: 'yjs-update' }, [update]);
            this.node.dataset.sync = 'synced';
          }
        });
        this._doc.onChange(() => {
          if (this._doc?.pending) this.node.dataset.sync = 'pending';
          this.renderAll();
        });
        this.node.dataset.state = 'ready';
        this.node.dataset.session = d.session;
        this.setStatus(`Session "${d.session}", ${this.shape.join(' × ')} voxels, you are ${this.options.user}.`);
        this.counts = this._doc.annotatedCounts();
        this.changed();
        this.fitStage();
        this.startEditor();
        void this.refreshSuggestions().then(() => {
          const first = this._queue[0];
          return first ? this.goTo(first.axis, first.index) : this.goTo(this.axis, this.slice);
        });
        break;
      }
      case 'yjs-update':
        if (msg.buffers[0]) this._doc?.applyRemote(msg.buffers[0]);
        break;
      case 'model-updated':
        this.setStatus(`Model updated (round ${d.record?.round ?? '?'}).`);
        void this.refreshSuggestions();
        void this.goTo(this.axis, this.slice);
        break;
      case 'error':
        this.setStatus(`${d.error}: ${d.message}`, 'error');
        break;
    }
  }

  private fail(error: Error): undefined {
    this.setStatus(error.message, 'error');
    return undefined;
  }

  private setStatus(text: string, kind?: string): void {
    this.status = { text, kind: kind ?? 'info' };
    if (kind === 'closed') this.node.dataset.state = 'closed';
    this.update();
  }

  /** Chooses the slice editor (slice-stage.ts) once the stage is in the page and the classes are known. */
  private startEditor(): void {
    if (!this.isAttached || !this.shape || !this.stage.mounted) return;
    this.fitStage();
    this.stage.start(this.classes.length);
  }

  /** Loads the current slice into niivue (when it is the editor): image, overlays, and the labels as its drawing. */
  private async showInEditor(): Promise<void> {
    if (!this.shape || !this.sliceData || this.stage.renderer !== 'niivue') return;
    this.fitStage();
    const view = this.view();
    if (!(await this.stage.load(view))) return;
    if (this.axis !== view.axis || this.slice !== view.slice || this.sliceData !== view.data) return;
    // Labels may have changed while the layers loaded.
    this.stage.render(this.view());
  }

  /** Fits the stage to the space the panel leaves it, at the current slice's aspect. */
  private fitStage(): void {
    if (!this.shape) return;
    const [rows, cols] = sliceShape(this.shape, this.axis);
    this.stage.fit(rows, cols);
  }

  private stepQueue(step: number): void {
    if (!this._queue.length) return;
    const at = this._queue.findIndex(s => s.axis === this.axis && s.index === this.slice);
    const next = this._queue[(at + step + this._queue.length) % this._queue.length];
    void this.goTo(next.axis, next.index);
  }

  /** Shows a change of the document or of the slice shown: the counts, the controls and the canvas. */
  private renderAll(): void {
    this.counts = this._doc?.annotatedCounts();
    this.changed();
    this.renderCanvas();
  }

  /**
   * Shows a change of the panel's state: the stage's tool and the node's `data-*` attributes at once, the controls
   * (React) at the next update.
   */
  private changed(): void {
    this.stage.setTool(this.tool, this.label, this.brushSize);
    const data = this.node.dataset;
    data.tool = this.tool;
    data.label = String(this.label);
    data.brushSize = String(this.brushSize);
    data.axis = this.axis;
    data.slice = String(this.slice);
    if (this.counts) data.annotatedVoxels = String([...this.counts.values()].reduce((a, b) => a + b, 0));
    this.update();
  }

  /** The state the controls show. */
  private viewState(): PanelViewState {
    const doc = this._doc;
    return {
      tool: this.tool,
      label: this.label,
      brushSize: this.brushSize,
      canUndo: !!doc?.canUndo,
      canRedo: !!doc?.canRedo,
      done: doc?.isDone(this.axis, this.slice) ?? false,
      axis: this.axis,
      slice: this.slice,
      sliceCount: this.shape ? sliceCount(this.shape, this.axis) : undefined,
      classes: this.classes,
      predictionOpacity: this.predictionOpacity,
      confidenceOpacity: this.confidenceOpacity,
      queue: this._queue,
      counts: this.counts,
      doneCount: doc ? doc.done.size : 0,
      isDone: (axis, slice) => doc?.isDone(axis, slice) ?? false,
      status: this.status
    };
  }

  private renderCanvas(): void {
    if (this.shape) this.stage.render(this.view());
  }

  /** The current slice as the stage shows it. */
  private view(): CanvasSliceView {
    const [rows, cols] = sliceShape(this.shape!, this.axis);
    return {
      axis: this.axis,
      slice: this.slice,
      rows,
      cols,
      data: this.sliceData,
      labels: this._doc?.sliceLabels(this.axis, this.slice),
      predictionOpacity: this.predictionOpacity,
      confidenceOpacity: this.confidenceOpacity
    };
  }

  /** The slice canvas, its size and its editor. */
  private readonly stage: SliceStage;
  private areaObserver?: ResizeObserver;
  private _doc?: AnnotationDoc;
  private _queue: Suggestion[] = [];
  /** Annotated pixels per slice (`axis:slice`), after the kernel's hello. */
  private counts?: Map<string, number>;
  private shape?: number[];
  private classes: string[] = [];
  private axis: OrthogonalAxis = 'z';
  private slice = 0;
  private sliceData?: SliceData;
  private tool: AnnotationTool = 'brush';
  private label = 1;
  private brushSize = 5;
  private predictionOpacity = 0.3;
  private confidenceOpacity = 0;
  private status = { text: 'Waiting for the kernel…', kind: 'info' };
}

export namespace AnnotationPanel {
  /** Options of the annotation panel. */
  export interface IOptions {
    /** The comm client; the panel handles its unasked messages (hello first). */
    client: AnnotationClient;
    /** Who edits (stored in each operation; undo/redo are this user's). */
    user: string;
    /** Length of the suggestion queue (default 6). */
    suggestions?: number;
    /** Batching delay of edits sent to the kernel, ms (default 250). */
    delayMs?: number;
    /** The slice editor: 'auto' (default: niivue where WebGL2 is available, else the 2D canvas), or one of them. */
    renderer?: 'auto' | SliceRenderer;
  }
}

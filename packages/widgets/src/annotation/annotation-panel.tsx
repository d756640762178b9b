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
  constructor(private readonly _options: AnnotationPanel.IOptions) {
    super();
    this.addClass('mdlma-AnnotationPanel');
    this.title.label = 'Annotate';
    this.title.closable = true;
    this.node.tabIndex = 0;
    this.node.dataset.state = 'connecting';
    this._stage = new SliceStage({
      renderer: _options.renderer,
      onReady: () => {
        if (this._stage.renderer === 'niivue') void this._showInEditor().then(() => this._renderAll());
        else this._renderAll();
      },
      // A finished niivue stroke counts only on the slice the panel shows (one document operation, one undo step).
      onEdits: (axis, slice, edits) => {
        if (axis === this._axis && slice === this._slice) this._doc?.paintEdits(axis, slice, edits);
      },
      onStroke: stroke => {
        this._doc?.paint(stroke.axis, stroke.slice, stroke.label, stroke.runs);
        this._renderCanvas();
      },
      onFill: point => {
        if (this._stage.shows(this._axis, this._slice)) this.fillAt(point);
      }
    });
    this.node.addEventListener('keydown', e => handlePanelKey(e, this._actions));
    _options.client.onUnasked = msg => this._onKernelMessage(msg);
    _options.client.onClose = () => this._setStatus('The kernel closed the annotation comm (kernel restarted or stopped).', 'closed');
    this._changed();
  }

  /** The panel's replica of the annotation document (after the kernel's hello). */
  get doc(): AnnotationDoc | undefined {
    return this._doc;
  }

  /** Whether the comm to the kernel is still open (false after a kernel restart or a kernel without the session). */
  get connected(): boolean {
    return !this._options.client.closed;
  }

  /** The slice shown: [axis, index]. */
  get current(): [OrthogonalAxis, number] {
    return [this._axis, this._slice];
  }

  /** The suggested slices in the queue. */
  get queue(): readonly Suggestion[] {
    return this._queue;
  }

  /** What the slice editor draws with (undefined until it is chosen, after the kernel's hello). */
  get renderer(): SliceRenderer | undefined {
    return this._stage.renderer;
  }

  /** Chooses the brush, the eraser or the fill tool. */
  setTool(tool: AnnotationTool): void {
    this._tool = tool;
    this._changed();
  }

  /** Chooses the label the brush and the fill paint (from the eraser, back to the brush). */
  setLabel(label: number): void {
    if (label >= 0 && label < this._classes.length) this._label = label;
    if (this._tool === 'eraser') this._tool = 'brush';
    this._changed();
  }

  /** Sets the brush diameter in pixels. */
  setBrushSize(size: number): void {
    this._brushSize = Math.min(BRUSH_SIZES.max, Math.max(BRUSH_SIZES.min, Math.round(size)));
    this._changed();
  }

  /** Shows another slice (its image, prediction and confidence come from the kernel). */
  async goTo(axis: OrthogonalAxis, slice: number): Promise<void> {
    if (!this._shape) return;
    const n = sliceCount(this._shape, axis);
    slice = Math.min(n - 1, Math.max(0, slice));
    this._axis = axis;
    this._slice = slice;
    this._sliceData = undefined;
    this._fitStage();
    this._renderAll();
    const reply = await this._options.client.request({ type: 'get-slice', axis, slice, image: true }).catch(error => this._fail(error));
    if (!reply || this._axis !== axis || this._slice !== slice) return;
    this._sliceData = sliceData(reply);
    await this._showInEditor();
    this._renderAll();
  }

  /** Floods the 4-connected region of the pixel [row, col]'s annotation value on the current slice with the current label (one undo step); returns the pixels filled. */
  fillAt(point: StrokePoint): number {
    if (!this._doc || !this._shape) return 0;
    const [rows, cols] = sliceShape(this._shape, this._axis);
    const runs = floodFillRuns(this._doc.sliceLabels(this._axis, this._slice), rows, cols, point, this._label);
    this._doc.paint(this._axis, this._slice, this._label, runs);
    return runPixelCount(runs);
  }

  /** Asks the kernel to write the annotations as a NIfTI label volume (default `<session>.labels.nii.gz` beside the notebook); shows the path. */
  async exportLabels(path?: string): Promise<LabelExport | undefined> {
    if (!this._doc) return undefined;
    // Edits still batched go first: the comm keeps the order, so the kernel exports them too.
    this._doc.flush();
    this._setStatus('Writing the annotations as NIfTI…', 'busy');
    const reply = await this._options.client.request({ type: 'export-labels', ...(path ? { path } : {}) }).catch(error => this._fail(error));
    if (!reply) return undefined;
    const out = reply.data;
    const perClass = out.counts.map((n, label) => `${this._classes[label] ?? `class ${label}`} ${n}`).join(', ');
    this.node.dataset.exported = out.path;
    this._setStatus(`Labels written to ${out.absolutePath} (${out.labelledVoxels} labelled voxels: ${perClass}; 255 = unlabelled).`);
    return out;
  }

  /** Undoes this user's last edit. */
  undo(): boolean {
    const done = this._doc?.undo() ?? false;
    this._changed();
    return done;
  }

  /** Redoes this user's last undone edit. */
  redo(): boolean {
    const done = this._doc?.redo() ?? false;
    this._changed();
    return done;
  }

  /** Takes the model's prediction of the current slice as its annotation (one undo step), to be corrected. */
  acceptPrediction(): void {
    if (this._doc && this._sliceData?.prediction) this._doc.paintSlice(this._axis, this._slice, this._sliceData.prediction);
  }

  /** Marks the current slice done or not. */
  toggleDone(): void {
    this._doc?.setDone(this._axis, this._slice, !this._doc.isDone(this._axis, this._slice));
  }

  /** Asks the kernel for new suggestions. */
  async refreshSuggestions(): Promise<void> {
    const reply = await this._options.client.request({ type: 'suggest', k: this._options.suggestions ?? 6 }).catch(error => this._fail(error));
    if (!reply) return;
    this._queue = reply.data.items;
    this._changed();
  }

  /** Asks the kernel to train the fast head on the annotations and re-predict; overlays refresh when it is done. */
  updateModel(): void {
    this._doc?.flush();
    this._setStatus('Training the head and re-predicting…', 'busy');
    this._options.client.post({ type: 'update' });
  }

  /** Sends pending edits now (before the page goes away). */
  flush(): void {
    this._doc?.flush();
  }

  dispose(): void {
    if (this.isDisposed) return;
    window.removeEventListener('beforeunload', this._onBeforeUnload);
    this._areaObserver?.disconnect();
    this._stage.dispose();
    this._doc?.dispose();
    this._options.client.close();
    super.dispose();
  }

  protected render(): React.ReactElement {
    return <PanelView state={this._viewState()} actions={this._actions} mountStage={this._mountStage} />;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    window.addEventListener('beforeunload', this._onBeforeUnload);
    this._fitStage();
    this._startEditor();
  }

  protected onBeforeDetach(msg: Message): void {
    window.removeEventListener('beforeunload', this._onBeforeUnload);
    super.onBeforeDetach(msg);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._fitStage();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._fitStage();
  }

  protected onActivateRequest(): void {
    this.node.focus();
  }

  private readonly _onBeforeUnload = () => this.flush();

  /**
   * The view's canvas area entered the page (or left it: null): the stage goes there, and follows every change of the
   * space left to it (panel resizes, the toolbar or status wrapping anew); that space does not depend on the stage's
   * size (see annotation.css), so this cannot loop.
   */
  private readonly _mountStage = (area: HTMLDivElement | null): void => {
    this._areaObserver?.disconnect();
    if (!area) return;
    this._stage.mount(area);
    if (typeof ResizeObserver !== 'undefined') {
      this._areaObserver ??= new ResizeObserver(() => this._fitStage());
      this._areaObserver.observe(area);
    }
    this._fitStage();
    this._startEditor();
  };

  /** The panel's methods, as the controls (panel-view.tsx) and the keys (panel-keys.ts) call them. */
  private readonly _actions: PanelControlActions & PanelKeyActions = {
    setTool: tool => this.setTool(tool),
    setLabel: label => this.setLabel(label),
    setBrushSize: size => this.setBrushSize(size),
    stepBrushSize: step => this.setBrushSize(this._brushSize + step),
    undo: () => this.undo(),
    redo: () => this.redo(),
    acceptPrediction: () => this.acceptPrediction(),
    toggleDone: () => this.toggleDone(),
    updateModel: () => this.updateModel(),
    exportLabels: () => void this.exportLabels(),
    goTo: (axis, slice) => void this.goTo(axis, slice),
    stepSlice: step => void this.goTo(this._axis, this._slice + step),
    stepQueue: step => this._stepQueue(step),
    setOpacity: (overlay, opacity) => {
      if (overlay === 'prediction') this._predictionOpacity = opacity;
      else this._confidenceOpacity = opacity;
      this._stage.setOpacity(this._predictionOpacity, this._confidenceOpacity);
      this._changed();
      if (this._stage.renderer !== 'niivue') this._renderCanvas();
    }
  };

  private _onKernelMessage(msg: AnnotationMessage): void {
    const d = msg.data;
    switch (d.type) {
      case 'hello': {
        this._shape = d.shape;
        this._classes = d.classes;
        this._axis = d.axis ?? 'z';
        this._slice = Math.floor(sliceCount(this._shape, this._axis) / 2);
        this.title.label = `Annotate: ${d.session}`;
        this._doc?.dispose();
        this._doc = new AnnotationDoc({
          shape: this._shape,
          user: this._options.user,
          state: msg.buffers[0],
          delayMs: this._options.delayMs,
          send: update => {
            this._options.client.post({ type: 'yjs-update' }, [update]);
            this.node.dataset.sync = 'synced';
          }
        });
        this._doc.onChange(() => {
          if (this._doc?.pending) this.node.dataset.sync = 'pending';
          this._renderAll();
        });
        this.node.dataset.state = 'ready';
        this.node.dataset.session = d.session;
        this._setStatus(`Session "${d.session}", ${this._shape.join(' × ')} voxels, you are ${this._options.user}.`);
        this._counts = this._doc.annotatedCounts();
        this._changed();
        this._fitStage();
        this._startEditor();
        void this.refreshSuggestions().then(() => {
          const first = this._queue[0];
          return first ? this.goTo(first.axis, first.index) : this.goTo(this._axis, this._slice);
        });
        break;
      }
      case 'yjs-update':
        if (msg.buffers[0]) this._doc?.applyRemote(msg.buffers[0]);
        break;
      case 'model-updated':
        this._setStatus(`Model updated (round ${d.record?.round ?? '?'}).`);
        void this.refreshSuggestions();
        void this.goTo(this._axis, this._slice);
        break;
      case 'error':
        this._setStatus(`${d.error}: ${d.message}`, 'error');
        break;
    }
  }

  private _fail(error: Error): undefined {
    this._setStatus(error.message, 'error');
    return undefined;
  }

  private _setStatus(text: string, kind?: string): void {
    this._status = { text, kind: kind ?? 'info' };
    if (kind === 'closed') this.node.dataset.state = 'closed';
    this.update();
  }

  /** Chooses the slice editor (slice-stage.ts) once the stage is in the page and the classes are known. */
  private _startEditor(): void {
    if (!this.isAttached || !this._shape || !this._stage.mounted) return;
    this._fitStage();
    this._stage.start(this._classes.length);
  }

  /** Loads the current slice into niivue (when it is the editor): image, overlays, and the labels as its drawing. */
  private async _showInEditor(): Promise<void> {
    if (!this._shape || !this._sliceData || this._stage.renderer !== 'niivue') return;
    this._fitStage();
    const view = this._view();
    if (!(await this._stage.load(view))) return;
    if (this._axis !== view.axis || this._slice !== view.slice || this._sliceData !== view.data) return;
    // Labels may have changed while the layers loaded.
    this._stage.render(this._view());
  }

  /** Fits the stage to the space the panel leaves it, at the current slice's aspect. */
  private _fitStage(): void {
    if (!this._shape) return;
    const [rows, cols] = sliceShape(this._shape, this._axis);
    this._stage.fit(rows, cols);
  }

  private _stepQueue(step: number): void {
    if (!this._queue.length) return;
    const at = this._queue.findIndex(s => s.axis === this._axis && s.index === this._slice);
    const next = this._queue[(at + step + this._queue.length) % this._queue.length];
    void this.goTo(next.axis, next.index);
  }

  /** Shows a change of the document or of the slice shown: the counts, the controls and the canvas. */
  private _renderAll(): void {
    this._counts = this._doc?.annotatedCounts();
    this._changed();
    this._renderCanvas();
  }

  /**
   * Shows a change of the panel's state: the stage's tool and the node's `data-*` attributes at once, the controls
   * (React) at the next update.
   */
  private _changed(): void {
    this._stage.setTool(this._tool, this._label, this._brushSize);
    const data = this.node.dataset;
    data.tool = this._tool;
    data.label = String(this._label);
    data.brushSize = String(this._brushSize);
    data.axis = this._axis;
    data.slice = String(this._slice);
    if (this._counts) data.annotatedVoxels = String([...this._counts.values()].reduce((a, b) => a + b, 0));
    this.update();
  }

  /** The state the controls show. */
  private _viewState(): PanelViewState {
    const doc = this._doc;
    return {
      tool: this._tool,
      label: this._label,
      brushSize: this._brushSize,
      canUndo: !!doc?.canUndo,
      canRedo: !!doc?.canRedo,
      done: doc?.isDone(this._axis, this._slice) ?? false,
      axis: this._axis,
      slice: this._slice,
      sliceCount: this._shape ? sliceCount(this._shape, this._axis) : undefined,
      classes: this._classes,
      predictionOpacity: this._predictionOpacity,
      confidenceOpacity: this._confidenceOpacity,
      queue: this._queue,
      counts: this._counts,
      doneCount: doc ? doc.done.size : 0,
      isDone: (axis, slice) => doc?.isDone(axis, slice) ?? false,
      status: this._status
    };
  }

  private _renderCanvas(): void {
    if (this._shape) this._stage.render(this._view());
  }

  /** The current slice as the stage shows it. */
  private _view(): CanvasSliceView {
    const [rows, cols] = sliceShape(this._shape!, this._axis);
    return {
      axis: this._axis,
      slice: this._slice,
      rows,
      cols,
      data: this._sliceData,
      labels: this._doc?.sliceLabels(this._axis, this._slice),
      predictionOpacity: this._predictionOpacity,
      confidenceOpacity: this._confidenceOpacity
    };
  }

  /** The slice canvas, its size and its editor. */
  private readonly _stage: SliceStage;
  private _areaObserver?: ResizeObserver;
  private _doc?: AnnotationDoc;
  private _queue: Suggestion[] = [];
  /** Annotated pixels per slice (`axis:slice`), after the kernel's hello. */
  private _counts?: Map<string, number>;
  private _shape?: number[];
  private _classes: string[] = [];
  private _axis: OrthogonalAxis = 'z';
  private _slice = 0;
  private _sliceData?: SliceData;
  private _tool: AnnotationTool = 'brush';
  private _label = 1;
  private _brushSize = 5;
  private _predictionOpacity = 0.3;
  private _confidenceOpacity = 0;
  private _status = { text: 'Waiting for the kernel…', kind: 'info' };
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

/**
 * The annotation panel (issue 6): the queue of suggested slices with their scores, a slice canvas with a round brush
 * of adjustable size, an eraser, the label palette of the model card's classes, undo and redo (the document's
 * Y.UndoManager), "accept prediction" to correct from, prediction and confidence overlays with opacity, and slices
 * marked done. Painting is on a plain 2D canvas in the slice's own pixels: a stroke is known exactly when the pointer
 * lifts, as the run-length pixels the annotation document stores. Every edit goes into the panel's Yjs replica
 * (AnnotationDoc), which sends it to the kernel within its batching delay.
 *
 * Keys (panel focused): b brush, e eraser, 0-9 label, [ ] brush size, Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y redo,
 * n / p next / previous suggestion, Up / Down next / previous slice, a accept prediction, d mark done.
 *
 * @example
 * const panel = new AnnotationPanel({ client: new AnnotationClient(channel), user: 'ana', suggestions: 6 });
 * app.shell.add(panel, 'main', { mode: 'split-right' });     // then open the comm: the kernel's hello starts it
 */
import { Widget } from '@lumino/widgets';

import { AnnotationDoc, sliceCount, sliceKey, sliceShape, UNLABELLED, type SliceAxis } from './annotation-doc';
import { BRUSH_SIZES, runsOf, stampPath, type StrokePoint } from './brush';
import type { AnnotationClient, AnnotationMessage } from './channel';
import { colorOf, composeSlice, rgbOf, sliceData, type SliceData } from './slice-image';

/** A suggested slice, as the kernel's `suggest` returns it. */
export interface SuggestedSlice {
  axis: SliceAxis;
  index: number;
  score: number;
  rank: number;
  reason: string;
}

/** The brush or the eraser. */
export type AnnotationTool = 'brush' | 'eraser';

/** The annotation panel. */
export class AnnotationPanel extends Widget {
  constructor(private readonly options: AnnotationPanel.IOptions) {
    super();
    this.addClass('mdlma-AnnotationPanel');
    this.title.label = 'Annotate';
    this.title.closable = true;
    this.node.tabIndex = 0;
    this.node.dataset.state = 'connecting';
    this.node.innerHTML = Private.TEMPLATE;
    this.canvas = this.part('canvas') as HTMLCanvasElement;
    this.wireControls();
    options.client.onUnasked = msg => this.onKernelMessage(msg);
    options.client.onClose = () => this.setStatus('The kernel closed the annotation comm (kernel restarted or stopped).', 'closed');
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
  get current(): [SliceAxis, number] {
    return [this.axis, this.slice];
  }

  /** The suggested slices in the queue. */
  get queue(): readonly SuggestedSlice[] {
    return this._queue;
  }

  /** Chooses the brush or the eraser. */
  setTool(tool: AnnotationTool): void {
    this.tool = tool;
    this.renderControls();
  }

  /** Chooses the label the brush paints. */
  setLabel(label: number): void {
    if (label >= 0 && label < this.classes.length) this.label = label;
    this.tool = 'brush';
    this.renderControls();
  }

  /** Sets the brush diameter in pixels. */
  setBrushSize(size: number): void {
    this.brushSize = Math.min(BRUSH_SIZES.max, Math.max(BRUSH_SIZES.min, Math.round(size)));
    this.renderControls();
  }

  /** Shows another slice (its image, prediction and confidence come from the kernel). */
  async goTo(axis: SliceAxis, slice: number): Promise<void> {
    if (!this.shape) return;
    const n = sliceCount(this.shape, axis);
    slice = Math.min(n - 1, Math.max(0, slice));
    this.axis = axis;
    this.slice = slice;
    this.sliceData = undefined;
    this.renderAll();
    const reply = await this.options.client.request({ type: 'get-slice', axis, slice, image: true }).catch(error => this.fail(error));
    if (!reply || this.axis !== axis || this.slice !== slice) return;
    this.sliceData = sliceData(reply);
    this.renderAll();
  }

  /** Undoes this user's last edit. */
  undo(): boolean {
    const done = this._doc?.undo() ?? false;
    this.renderControls();
    return done;
  }

  /** Redoes this user's last undone edit. */
  redo(): boolean {
    const done = this._doc?.redo() ?? false;
    this.renderControls();
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
    this._queue = reply.data.items as SuggestedSlice[];
    this.renderQueue();
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
    this._doc?.dispose();
    this.options.client.close();
    super.dispose();
  }

  protected onAfterAttach(): void {
    window.addEventListener('beforeunload', this.onBeforeUnload);
  }

  protected onBeforeDetach(): void {
    window.removeEventListener('beforeunload', this.onBeforeUnload);
  }

  protected onActivateRequest(): void {
    this.node.focus();
  }

  private readonly onBeforeUnload = () => this.flush();

  private onKernelMessage(msg: AnnotationMessage): void {
    const d = msg.data;
    switch (d.type) {
      case 'hello': {
        this.shape = d.shape as number[];
        this.classes = d.classes as string[];
        this.axis = (d.axis as SliceAxis) ?? 'z';
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
        this.node.dataset.session = String(d.session);
        this.setStatus(`Session "${d.session}", ${this.shape.join(' × ')} voxels, you are ${this.options.user}.`);
        this.renderPalette();
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

  private setStatus(text: string, state?: string): void {
    const status = this.part('status');
    status.textContent = text;
    status.dataset.kind = state ?? 'info';
    if (state === 'closed') this.node.dataset.state = 'closed';
  }

  private part(name: string): HTMLElement {
    return this.node.querySelector(`[data-part="${name}"]`) as HTMLElement;
  }

  private wireControls(): void {
    const on = (name: string, event: string, f: (e: Event) => void) => this.part(name).addEventListener(event, f);
    on('brush', 'click', () => this.setTool('brush'));
    on('eraser', 'click', () => this.setTool('eraser'));
    on('size', 'input', e => this.setBrushSize(Number((e.target as HTMLInputElement).value)));
    on('undo', 'click', () => this.undo());
    on('redo', 'click', () => this.redo());
    on('accept', 'click', () => this.acceptPrediction());
    on('done', 'click', () => this.toggleDone());
    on('update', 'click', () => this.updateModel());
    on('prev-slice', 'click', () => void this.goTo(this.axis, this.slice - 1));
    on('next-slice', 'click', () => void this.goTo(this.axis, this.slice + 1));
    on('prediction-opacity', 'input', e => ((this.predictionOpacity = Number((e.target as HTMLInputElement).value)), this.renderCanvas()));
    on('confidence-opacity', 'input', e => ((this.confidenceOpacity = Number((e.target as HTMLInputElement).value)), this.renderCanvas()));
    on('palette', 'click', e => {
      const label = (e.target as HTMLElement).closest<HTMLElement>('[data-label]')?.dataset.label;
      if (label !== undefined) this.setLabel(Number(label));
    });
    on('queue', 'click', e => {
      const item = (e.target as HTMLElement).closest<HTMLElement>('[data-slice]');
      if (item) void this.goTo(item.dataset.axis as SliceAxis, Number(item.dataset.slice));
    });
    this.canvas.addEventListener('pointerdown', e => this.strokeStart(e));
    this.canvas.addEventListener('pointermove', e => this.strokeMove(e));
    this.canvas.addEventListener('pointerup', e => this.strokeEnd(e));
    this.canvas.addEventListener('pointercancel', e => this.strokeEnd(e));
    this.node.addEventListener('keydown', e => this.onKey(e));
  }

  private onKey(e: KeyboardEvent): void {
    if ((e.target as HTMLElement).tagName === 'INPUT' && (e.target as HTMLInputElement).type !== 'range') return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    let handled = true;
    if (mod && key === 'z' && !e.shiftKey) this.undo();
    else if (mod && ((key === 'z' && e.shiftKey) || key === 'y')) this.redo();
    else if (mod || e.altKey) handled = false;
    else if (key === 'b') this.setTool('brush');
    else if (key === 'e') this.setTool('eraser');
    else if (/^[0-9]$/.test(key)) this.setLabel(Number(key));
    else if (key === '[') this.setBrushSize(this.brushSize - 1);
    else if (key === ']') this.setBrushSize(this.brushSize + 1);
    else if (key === 'n' || key === 'p') this.stepQueue(key === 'n' ? 1 : -1);
    else if (key === 'arrowup') void this.goTo(this.axis, this.slice + 1);
    else if (key === 'arrowdown') void this.goTo(this.axis, this.slice - 1);
    else if (key === 'a') this.acceptPrediction();
    else if (key === 'd') this.toggleDone();
    else handled = false;
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  }

  private stepQueue(step: number): void {
    if (!this._queue.length) return;
    const at = this._queue.findIndex(s => s.axis === this.axis && s.index === this.slice);
    const next = this._queue[(at + step + this._queue.length) % this._queue.length];
    void this.goTo(next.axis, next.index);
  }

  private pixelAt(e: PointerEvent): StrokePoint {
    const rect = this.canvas.getBoundingClientRect();
    return [((e.clientY - rect.top) / rect.height) * this.canvas.height, ((e.clientX - rect.left) / rect.width) * this.canvas.width];
  }

  private strokeStart(e: PointerEvent): void {
    if (!this._doc || !this.shape || e.button !== 0) return;
    const [rows, cols] = sliceShape(this.shape, this.axis);
    this.canvas.setPointerCapture?.(e.pointerId);
    this.stroke = { axis: this.axis, slice: this.slice, mask: new Uint8Array(rows * cols), last: this.pixelAt(e) };
    stampPath(this.stroke.mask, rows, cols, [this.stroke.last], this.brushSize);
    this.renderCanvas();
  }

  private strokeMove(e: PointerEvent): void {
    if (!this.stroke || !this.shape) return;
    const [rows, cols] = sliceShape(this.shape, this.stroke.axis);
    const point = this.pixelAt(e);
    stampPath(this.stroke.mask, rows, cols, [this.stroke.last, point], this.brushSize);
    this.stroke.last = point;
    if (!this.frame) this.frame = requestAnimationFrame(() => ((this.frame = 0), this.renderCanvas()));
  }

  private strokeEnd(e: PointerEvent): void {
    const stroke = this.stroke;
    if (!stroke) return;
    this.strokeMove(e);
    this.stroke = undefined;
    this._doc?.paint(stroke.axis, stroke.slice, this.tool === 'eraser' ? UNLABELLED : this.label, runsOf(stroke.mask));
    this.renderCanvas();
  }

  private renderAll(): void {
    this.renderControls();
    this.renderQueue();
    this.renderCanvas();
  }

  private renderPalette(): void {
    const palette = this.part('palette');
    palette.replaceChildren(
      ...this.classes.map((name, label) => {
        const button = document.createElement('button');
        button.dataset.label = String(label);
        button.title = `${name} (key ${label})`;
        button.innerHTML = `<span class="mdlma-AnnotationPanel-swatch"></span>`;
        (button.firstChild as HTMLElement).style.background = colorOf(label);
        button.append(` ${name}`);
        return button;
      })
    );
    this.renderControls();
  }

  private renderControls(): void {
    this.part('brush').classList.toggle('mdlma-mod-active', this.tool === 'brush');
    this.part('eraser').classList.toggle('mdlma-mod-active', this.tool === 'eraser');
    for (const b of this.part('palette').querySelectorAll<HTMLElement>('[data-label]')) b.classList.toggle('mdlma-mod-active', Number(b.dataset.label) === this.label);
    (this.part('size') as HTMLInputElement).value = String(this.brushSize);
    this.part('size-value').textContent = `${this.brushSize} px`;
    (this.part('undo') as HTMLButtonElement).disabled = !this._doc?.canUndo;
    (this.part('redo') as HTMLButtonElement).disabled = !this._doc?.canRedo;
    this.node.dataset.tool = this.tool;
    this.node.dataset.label = String(this.label);
    this.node.dataset.brushSize = String(this.brushSize);
    const done = this._doc?.isDone(this.axis, this.slice) ?? false;
    this.part('done').classList.toggle('mdlma-mod-active', done);
    this.part('done').textContent = done ? 'Done ✓' : 'Mark done';
    const n = this.shape ? sliceCount(this.shape, this.axis) : 0;
    this.part('slice').textContent = this.shape ? `${this.axis} = ${this.slice} / ${n - 1}` : '';
    this.node.dataset.axis = this.axis;
    this.node.dataset.slice = String(this.slice);
  }

  private renderQueue(): void {
    const counts = this._doc?.annotatedCounts() ?? new Map<string, number>();
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const done = this._doc ? this._doc.done.size : 0;
    this.part('summary').textContent = `${total} voxels annotated on ${counts.size} slice${counts.size === 1 ? '' : 's'}, ${done} marked done`;
    this.node.dataset.annotatedVoxels = String(total);
    const list = this.part('queue');
    list.replaceChildren(
      ...this._queue.map(s => {
        const li = document.createElement('li');
        li.dataset.axis = s.axis;
        li.dataset.slice = String(s.index);
        const key = sliceKey(s.axis, s.index);
        const done = this._doc?.isDone(s.axis, s.index) ?? false;
        li.dataset.done = String(done);
        li.dataset.voxels = String(counts.get(key) ?? 0);
        li.classList.toggle('mdlma-mod-current', s.axis === this.axis && s.index === this.slice);
        li.title = s.reason;
        li.innerHTML = `<span class="mdlma-AnnotationPanel-slice"></span><span class="mdlma-AnnotationPanel-score"></span><span class="mdlma-AnnotationPanel-badge"></span>`;
        const [slice, score, badge] = Array.from(li.children) as HTMLElement[];
        slice.textContent = `${s.rank}. ${s.axis} ${s.index}`;
        score.textContent = s.score.toFixed(3);
        badge.textContent = done ? '✓ done' : counts.get(key) ? `${counts.get(key)} px` : '';
        return li;
      })
    );
  }

  private renderCanvas(): void {
    if (!this.shape) return;
    const [rows, cols] = sliceShape(this.shape, this.axis);
    if (this.canvas.width !== cols || this.canvas.height !== rows) {
      this.canvas.width = cols;
      this.canvas.height = rows;
      // Whole-number zoom so that slice pixels stay square and crisp.
      const zoom = Math.max(1, Math.floor(Math.min(512 / cols, 512 / rows)));
      this.canvas.style.width = `${cols * zoom}px`;
      this.canvas.style.height = `${rows * zoom}px`;
    }
    this.canvas.dataset.loaded = String(!!this.sliceData);
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const stroke = this.stroke?.axis === this.axis && this.stroke.slice === this.slice ? this.stroke.mask : undefined;
    const image = ctx.createImageData(cols, rows);
    composeSlice(image.data, {
      data: this.sliceData,
      labels: this._doc?.sliceLabels(this.axis, this.slice),
      stroke,
      strokeColor: this.tool === 'eraser' ? [20, 20, 20] : rgbOf(this.label),
      predictionOpacity: this.predictionOpacity,
      confidenceOpacity: this.confidenceOpacity
    });
    ctx.putImageData(image, 0, 0);
  }

  private readonly canvas: HTMLCanvasElement;
  private _doc?: AnnotationDoc;
  private _queue: SuggestedSlice[] = [];
  private shape?: number[];
  private classes: string[] = [];
  private axis: SliceAxis = 'z';
  private slice = 0;
  private sliceData?: SliceData;
  private tool: AnnotationTool = 'brush';
  private label = 1;
  private brushSize = 5;
  private predictionOpacity = 0.3;
  private confidenceOpacity = 0;
  private stroke?: { axis: SliceAxis; slice: number; mask: Uint8Array; last: StrokePoint };
  private frame = 0;
}

export namespace AnnotationPanel {
  export interface IOptions {
    /** The comm client; the panel handles its unasked messages (hello first). */
    client: AnnotationClient;
    /** Who edits (stored in each operation; undo/redo are this user's). */
    user: string;
    /** Length of the suggestion queue (default 6). */
    suggestions?: number;
    /** Batching delay of edits sent to the kernel, ms (default 250). */
    delayMs?: number;
  }
}

namespace Private {
  export const TEMPLATE = `
<div class="mdlma-AnnotationPanel-toolbar">
  <button data-part="brush" title="Brush (B)">Brush</button>
  <button data-part="eraser" title="Eraser (E)">Eraser</button>
  <label title="Brush size ([ and ])">Size <input data-part="size" type="range" min="${BRUSH_SIZES.min}" max="${BRUSH_SIZES.max}" step="1"><span data-part="size-value"></span></label>
  <button data-part="undo" title="Undo (Ctrl+Z)">Undo</button>
  <button data-part="redo" title="Redo (Ctrl+Shift+Z, Ctrl+Y)">Redo</button>
  <button data-part="accept" title="Accept the prediction for this slice, then correct it (A)">Accept prediction</button>
  <button data-part="done" title="Mark this slice done (D)">Mark done</button>
  <button data-part="update" title="Train the fast head on the annotations and re-predict">Update model</button>
</div>
<div data-part="palette" class="mdlma-AnnotationPanel-palette"></div>
<div class="mdlma-AnnotationPanel-body">
  <ol data-part="queue" class="mdlma-AnnotationPanel-queue" title="Suggested slices (N / P)"></ol>
  <div class="mdlma-AnnotationPanel-stage">
    <div class="mdlma-AnnotationPanel-nav">
      <button data-part="prev-slice" title="Previous slice (Down)">‹</button><span data-part="slice"></span><button data-part="next-slice" title="Next slice (Up)">›</button>
      <label>Prediction <input data-part="prediction-opacity" type="range" min="0" max="1" step="0.05" value="0.3"></label>
      <label>Uncertainty <input data-part="confidence-opacity" type="range" min="0" max="1" step="0.05" value="0"></label>
    </div>
    <canvas data-part="canvas" class="mdlma-AnnotationPanel-canvas"></canvas>
  </div>
</div>
<div data-part="summary" class="mdlma-AnnotationPanel-summary"></div>
<div data-part="status" class="mdlma-AnnotationPanel-status">Waiting for the kernel…</div>`;
}

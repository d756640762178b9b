/**
 * The annotation panel (issue 6): the queue of suggested slices with their scores, a slice editor with a round brush
 * of adjustable size, an eraser, a fill tool, the label palette of the model card's classes, undo and redo (the
 * document's Y.UndoManager), "accept prediction" to correct from, prediction and confidence overlays with opacity,
 * slices marked done, and "Export NIfTI" (the kernel writes the annotations as `<session>.labels.nii.gz`).
 *
 * The slice editor is niivue (niivue-slice.ts) where WebGL2 is available: the slice as a one-slice volume, the
 * prediction and confidence as overlays, the slice's annotations as niivue's drawing, painted with niivue's pen given
 * our round brush; a finished stroke becomes one document operation. Without WebGL2 (or if niivue fails to start) it
 * is a plain 2D canvas in the slice's own pixels (slice-image.ts), where the panel stamps strokes itself; the canvas's
 * `data-renderer` says which. Either way every edit (stroke, fill, accepted prediction) goes into the panel's Yjs
 * replica (AnnotationDoc) as one undo step, which sends it to the kernel within its batching delay.
 *
 * Fill: a click floods the 4-connected region of the clicked pixel's annotation value (unlabelled counts as a value)
 * on the current slice with the current label (flood-fill.ts).
 *
 * Keys (panel focused): b brush, e eraser, f fill, 0-9 label, [ ] brush size, Ctrl+Z undo, Ctrl+Shift+Z or Ctrl+Y
 * redo, n / p next / previous suggestion, Up / Down next / previous slice, a accept prediction, d mark done. niivue's own
 * key handlers are switched off, and its undo is never used: undo and redo are the document's, per user.
 *
 * @example
 * const panel = new AnnotationPanel({ client: new AnnotationClient(channel), user: 'ana', suggestions: 6 });
 * app.shell.add(panel, 'main', { mode: 'split-right' });     // then open the comm: the kernel's hello starts it
 */
import { Widget } from '@lumino/widgets';

import { AnnotationDoc, sliceCount, sliceKey, sliceShape, UNLABELLED, type SliceAxis } from './annotation-doc';
import { BRUSH_SIZES, runsOf, stampPath, type StrokePoint } from './brush';
import type { AnnotationClient, AnnotationMessage } from './channel';
import type { LabelEdit } from './drawing-bitmap';
import { floodFillRuns } from './flood-fill';
import { NiivueSliceEditor } from './niivue-slice';
import { colorOf, composeSlice, rgbOf, sliceData, type SliceData } from './slice-image';

/** A suggested slice, as the kernel's `suggest` returns it. */
export interface SuggestedSlice {
  axis: SliceAxis;
  index: number;
  score: number;
  rank: number;
  reason: string;
}

/** The brush, the eraser or the fill tool. */
export type AnnotationTool = 'brush' | 'eraser' | 'fill';

/** What the slice editor draws with: niivue (WebGL2) or a plain 2D canvas. */
export type SliceRenderer = 'niivue' | 'canvas';

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
    this.canvas.dataset.loaded = 'false';
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

  /** What the slice editor draws with (undefined until it is chosen, after the kernel's hello). */
  get renderer(): SliceRenderer | undefined {
    return this.editorState === 'niivue' ? 'niivue' : this.editorState === 'canvas' ? 'canvas' : undefined;
  }

  /** Chooses the brush, the eraser or the fill tool. */
  setTool(tool: AnnotationTool): void {
    this.tool = tool;
    this.renderControls();
  }

  /** Chooses the label the brush and the fill paint (from the eraser, back to the brush). */
  setLabel(label: number): void {
    if (label >= 0 && label < this.classes.length) this.label = label;
    if (this.tool === 'eraser') this.tool = 'brush';
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
    await this.showInEditor();
    this.renderAll();
  }

  /** Floods the 4-connected region of the pixel [row, col]'s annotation value on the current slice with the current label (one undo step); returns the pixels filled. */
  fillAt(point: StrokePoint): number {
    if (!this._doc || !this.shape) return 0;
    const [rows, cols] = sliceShape(this.shape, this.axis);
    const runs = floodFillRuns(this._doc.sliceLabels(this.axis, this.slice), rows, cols, point, this.label);
    this._doc.paint(this.axis, this.slice, this.label, runs);
    let n = 0;
    for (let r = 1; r < runs.length; r += 2) n += runs[r];
    return n;
  }

  /** Asks the kernel to write the annotations as a NIfTI label volume (default `<session>.labels.nii.gz` beside the notebook); shows the path. */
  async exportLabels(path?: string): Promise<{ path: string; absolutePath: string; labelledVoxels: number; counts: number[] } | undefined> {
    if (!this._doc) return undefined;
    // Edits still batched go first: the comm keeps the order, so the kernel exports them too.
    this._doc.flush();
    this.setStatus('Writing the annotations as NIfTI…', 'busy');
    const reply = await this.options.client.request({ type: 'export-labels', ...(path ? { path } : {}) }).catch(error => this.fail(error));
    if (!reply) return undefined;
    const out = reply.data as { path: string; absolutePath: string; labelledVoxels: number; counts: number[] };
    const perClass = out.counts.map((n, label) => `${this.classes[label] ?? `class ${label}`} ${n}`).join(', ');
    this.node.dataset.exported = out.path;
    this.setStatus(`Labels written to ${out.absolutePath} (${out.labelledVoxels} labelled voxels: ${perClass}; 255 = unlabelled).`);
    return out;
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
    this.editor?.dispose();
    this.editor = undefined;
    this._doc?.dispose();
    this.options.client.close();
    super.dispose();
  }

  protected onAfterAttach(): void {
    window.addEventListener('beforeunload', this.onBeforeUnload);
    this.startEditor();
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
    on('fill', 'click', () => this.setTool('fill'));
    on('export', 'click', () => void this.exportLabels());
    on('size', 'input', e => this.setBrushSize(Number((e.target as HTMLInputElement).value)));
    on('undo', 'click', () => this.undo());
    on('redo', 'click', () => this.redo());
    on('accept', 'click', () => this.acceptPrediction());
    on('done', 'click', () => this.toggleDone());
    on('update', 'click', () => this.updateModel());
    on('prev-slice', 'click', () => void this.goTo(this.axis, this.slice - 1));
    on('next-slice', 'click', () => void this.goTo(this.axis, this.slice + 1));
    on('prediction-opacity', 'input', e => ((this.predictionOpacity = Number((e.target as HTMLInputElement).value)), this.renderOpacity()));
    on('confidence-opacity', 'input', e => ((this.confidenceOpacity = Number((e.target as HTMLInputElement).value)), this.renderOpacity()));
    on('palette', 'click', e => {
      const label = (e.target as HTMLElement).closest<HTMLElement>('[data-label]')?.dataset.label;
      if (label !== undefined) this.setLabel(Number(label));
    });
    on('queue', 'click', e => {
      const item = (e.target as HTMLElement).closest<HTMLElement>('[data-slice]');
      if (item) void this.goTo(item.dataset.axis as SliceAxis, Number(item.dataset.slice));
    });
    this.wireCanvas(this.canvas);
    this.node.addEventListener('keydown', e => this.onKey(e));
  }

  private wireCanvas(canvas: HTMLCanvasElement): void {
    canvas.addEventListener('pointerdown', e => this.strokeStart(e));
    canvas.addEventListener('pointermove', e => this.strokeMove(e));
    canvas.addEventListener('pointerup', e => this.strokeEnd(e));
    canvas.addEventListener('pointercancel', e => this.strokeEnd(e));
  }

  /**
   * Chooses the slice editor once the panel is in the page and the classes are known: niivue where WebGL2 exists
   * (and `renderer` is not 'canvas'), else, or if niivue fails to start, the 2D canvas.
   */
  private startEditor(): void {
    if (this.editorState !== 'undecided' || !this.isAttached || !this.shape) return;
    const wanted = this.options.renderer ?? 'auto';
    if (wanted === 'canvas' || typeof WebGL2RenderingContext === 'undefined') {
      this.useCanvasEditor();
      return;
    }
    this.editorState = 'pending';
    this.sizeStage();
    NiivueSliceEditor.create(this.canvas, { classes: this.classes.length, colorOf, onEdit: edits => this.onEditorEdit(edits) })
      .then(async editor => {
        if (this.isDisposed) return editor.dispose();
        this.editor = editor;
        this.editorState = 'niivue';
        this.canvas.dataset.renderer = 'niivue';
        this.applyEditorTool();
        editor.setOpacity(this.predictionOpacity, this.confidenceOpacity);
        await this.showInEditor();
        this.renderAll();
      })
      .catch(error => {
        console.warn('MDLMA annotation panel: niivue did not start; painting on a 2D canvas instead.', error);
        // The failed attempt may have taken the canvas's WebGL context: a 2D context needs a fresh canvas.
        const fresh = this.canvas.cloneNode(false) as HTMLCanvasElement;
        this.canvas.replaceWith(fresh);
        this.canvas = fresh;
        this.wireCanvas(fresh);
        this.useCanvasEditor();
      });
  }

  private useCanvasEditor(): void {
    this.editorState = 'canvas';
    this.canvas.dataset.renderer = 'canvas';
    this.renderAll();
  }

  /** Loads the current slice into niivue (when it is the editor): image, overlays, and the labels as its drawing. */
  private async showInEditor(): Promise<void> {
    const editor = this.editor;
    if (!editor || !this.shape || !this.sliceData) return;
    const [axis, slice, data] = [this.axis, this.slice, this.sliceData];
    const [rows, cols] = sliceShape(this.shape, axis);
    this.sizeStage();
    await editor.showSlice(rows, cols, data, this._doc?.sliceLabels(axis, slice) ?? new Uint8Array(rows * cols).fill(UNLABELLED));
    if (this.axis !== axis || this.slice !== slice || this.sliceData !== data) return;
    this.editorSlice = sliceKey(axis, slice);
    // Labels may have changed while the layers loaded.
    if (this._doc) editor.setLabels(this._doc.sliceLabels(axis, slice));
  }

  /** A finished niivue stroke: its changed pixels as one document operation (one undo step). */
  private onEditorEdit(edits: LabelEdit[]): void {
    if (!this._doc || this.editorSlice !== sliceKey(this.axis, this.slice)) return;
    this._doc.paintEdits(this.axis, this.slice, edits);
  }

  private applyEditorTool(): void {
    this.editor?.setTool(this.tool, this.label, this.brushSize);
  }

  private renderOpacity(): void {
    if (this.editor) this.editor.setOpacity(this.predictionOpacity, this.confidenceOpacity);
    else this.renderCanvas();
  }

  /** The stage's size: the slice at a whole-number zoom, so that its pixels stay square and crisp. */
  private sizeStage(): void {
    if (!this.shape) return;
    const [rows, cols] = sliceShape(this.shape, this.axis);
    const zoom = Math.max(1, Math.floor(Math.min(512 / cols, 512 / rows)));
    const host = this.part('canvas-host');
    const [width, height] = [`${cols * zoom}px`, `${rows * zoom}px`];
    if (host.style.width === width && host.style.height === height) return;
    host.style.width = width;
    host.style.height = height;
    this.editor?.resize();
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
    else if (key === 'f') this.setTool('fill');
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

  private pixelAt(e: PointerEvent): StrokePoint | undefined {
    if (this.editor) return this.editor.pixelAt(e.clientX, e.clientY);
    if (!this.shape) return undefined;
    const [rows, cols] = sliceShape(this.shape, this.axis);
    const rect = this.canvas.getBoundingClientRect();
    return [((e.clientY - rect.top) / rect.height) * rows, ((e.clientX - rect.left) / rect.width) * cols];
  }

  private strokeStart(e: PointerEvent): void {
    if (!this._doc || !this.shape || e.button !== 0) return;
    if (this.tool === 'fill') {
      const point = this.pixelAt(e);
      if (point && (this.editorState === 'canvas' || this.editorSlice === sliceKey(this.axis, this.slice))) this.fillAt(point);
      return;
    }
    // niivue paints brush and eraser strokes itself (niivue-slice.ts); the 2D canvas is painted here.
    if (this.editorState !== 'canvas') return;
    const start = this.pixelAt(e)!;
    const [rows, cols] = sliceShape(this.shape, this.axis);
    this.canvas.setPointerCapture?.(e.pointerId);
    this.stroke = { axis: this.axis, slice: this.slice, mask: new Uint8Array(rows * cols), last: start };
    stampPath(this.stroke.mask, rows, cols, [this.stroke.last], this.brushSize);
    this.renderCanvas();
  }

  private strokeMove(e: PointerEvent): void {
    if (!this.stroke || !this.shape) return;
    const [rows, cols] = sliceShape(this.shape, this.stroke.axis);
    const point = this.pixelAt(e)!;
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
    this.part('fill').classList.toggle('mdlma-mod-active', this.tool === 'fill');
    this.applyEditorTool();
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
    const shown = sliceKey(this.axis, this.slice);
    if (this.editorState === 'niivue') {
      this.canvas.dataset.loaded = String(!!this.sliceData && this.editorSlice === shown);
      if (this.editorSlice === shown && this._doc) this.editor?.setLabels(this._doc.sliceLabels(this.axis, this.slice));
      return;
    }
    this.canvas.dataset.loaded = String(!!this.sliceData && this.editorState === 'canvas');
    // Until the editor is chosen the canvas must not get a 2D context (niivue needs its WebGL2 one).
    if (this.editorState !== 'canvas') return;
    this.sizeStage();
    if (this.canvas.width !== cols || this.canvas.height !== rows) {
      this.canvas.width = cols;
      this.canvas.height = rows;
    }
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

  private canvas: HTMLCanvasElement;
  private editor?: NiivueSliceEditor;
  private editorState: 'undecided' | 'pending' | SliceRenderer = 'undecided';
  /** The slice niivue shows (`axis:slice`), once its layers are loaded. */
  private editorSlice?: string;
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
    /** The slice editor: 'auto' (default: niivue where WebGL2 is available, else the 2D canvas), or one of them. */
    renderer?: 'auto' | SliceRenderer;
  }
}

namespace Private {
  export const TEMPLATE = `
<div class="mdlma-AnnotationPanel-toolbar">
  <button data-part="brush" title="Brush (B)">Brush</button>
  <button data-part="eraser" title="Eraser (E)">Eraser</button>
  <button data-part="fill" title="Fill: click a region of this slice to fill it with the label (F)">Fill</button>
  <label title="Brush size ([ and ])">Size <input data-part="size" type="range" min="${BRUSH_SIZES.min}" max="${BRUSH_SIZES.max}" step="1"><span data-part="size-value"></span></label>
  <button data-part="undo" title="Undo (Ctrl+Z)">Undo</button>
  <button data-part="redo" title="Redo (Ctrl+Shift+Z, Ctrl+Y)">Redo</button>
  <button data-part="accept" title="Accept the prediction for this slice, then correct it (A)">Accept prediction</button>
  <button data-part="done" title="Mark this slice done (D)">Mark done</button>
  <button data-part="update" title="Train the fast head on the annotations and re-predict">Update model</button>
  <button data-part="export" title="Write the annotations as a NIfTI label volume (uint8, 255 = unlabelled) beside the notebook">Export NIfTI</button>
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
    <div data-part="canvas-host" class="mdlma-AnnotationPanel-canvas-host"><canvas data-part="canvas" class="mdlma-AnnotationPanel-canvas"></canvas></div>
  </div>
</div>
<div data-part="summary" class="mdlma-AnnotationPanel-summary"></div>
<div data-part="status" class="mdlma-AnnotationPanel-status">Waiting for the kernel…</div>`;
}

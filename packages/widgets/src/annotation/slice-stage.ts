/**
 * The annotation panel's stage: the slice canvas, the editor that paints on it — niivue (niivue-slice.ts) where
 * WebGL2 is available, else, or if niivue fails to start, the 2D canvas (canvas-slice.ts) — and its size. The stage
 * is an element of its own (`host`, holding the canvas), which the panel mounts into the space it leaves it (the
 * canvas area its React view renders); it stays the same element, with the same WebGL context, when the panel's view
 * is rendered again. The stage is the largest box of the slice's aspect in that area (slice-fit.ts), refitted when
 * the area changes; the canvas fills it, and both editors map the pointer through the canvas's box, so painting stays
 * exact at any size. The canvas's `data-renderer` says which editor paints, its `data-loaded` whether the slice is
 * shown.
 *
 * @example
 * const stage = new SliceStage({ onEdits, onStroke, onFill });
 * stage.mount(area);                 // the canvas area, once it is in the page
 * stage.start(4);                    // once the classes are known
 * stage.fit(rows, cols);
 * await stage.load(view);            // niivue: the slice's layers; then stage.render(view) after each change
 */
import { UNLABELLED, type OrthogonalAxis } from '@mdlma/kernel/protocol';

import type { StrokePoint } from './brush';
import { CanvasSliceEditor, type CanvasSliceView, type CanvasStroke } from './canvas-slice';
import type { LabelEdit } from './drawing-bitmap';
import { NiivueSliceEditor } from './niivue-slice';
import type { AnnotationTool } from './panel-view';
import { fitSlice } from './slice-fit';
import { colorOf } from './slice-image';

/** What the slice editor draws with: niivue (WebGL2) or a plain 2D canvas. */
export type SliceRenderer = 'niivue' | 'canvas';

/** The slice editor's canvas and size, and the choice of editor; see the module header. */
export class SliceStage {
  constructor(private readonly options: SliceStage.IOptions) {
    this.host = document.createElement('div');
    this.host.className = 'mdlma-AnnotationPanel-canvas-host';
    this.host.dataset.part = 'canvas-host';
    this._canvas = document.createElement('canvas');
    this._canvas.className = 'mdlma-AnnotationPanel-canvas';
    this._canvas.dataset.part = 'canvas';
    this._canvas.dataset.loaded = 'false';
    this.host.append(this._canvas);
    this.wireFill(this._canvas);
  }

  /** The stage's element: the box the canvas fills, sized by `fit`. */
  readonly host: HTMLElement;

  /** Whether the stage is in the page, in its area. */
  get mounted(): boolean {
    return !!this.area?.isConnected && this.host.parentElement === this.area;
  }

  /** Puts the stage into `area`, the space the panel leaves it (its size must not depend on the stage's; see annotation.css). */
  mount(area: HTMLElement): void {
    this.area = area;
    if (this.host.parentElement !== area) area.append(this.host);
  }

  /** The slice canvas (a fresh one if niivue failed on the first). */
  get canvas(): HTMLCanvasElement {
    return this._canvas;
  }

  /** What the slice editor draws with (undefined until it is chosen). */
  get renderer(): SliceRenderer | undefined {
    return this.state === 'niivue' || this.state === 'canvas' ? this.state : undefined;
  }

  /**
   * Chooses the editor, once: niivue where WebGL2 exists (and `renderer` is not 'canvas'), else, or if niivue fails
   * to start, the 2D canvas. `onReady` follows when one paints. Call it with the canvas in the page, sized (`fit`).
   */
  start(classes: number): void {
    if (this.state !== 'undecided') return;
    if (this.options.renderer === 'canvas' || typeof WebGL2RenderingContext === 'undefined') {
      this.useCanvasEditor();
      return;
    }
    this.state = 'pending';
    NiivueSliceEditor.create(this._canvas, { classes, colorOf, onEdit: edits => this.onNiivueEdit(edits) })
      .then(editor => {
        if (this.disposed) return editor.dispose();
        this.editor = editor;
        this.state = 'niivue';
        this._canvas.dataset.renderer = 'niivue';
        this.applyTool();
        editor.setOpacity(this.opacity.prediction, this.opacity.confidence);
        this.options.onReady?.();
      })
      .catch(error => {
        console.warn('MDLMA annotation panel: niivue did not start; painting on a 2D canvas instead.', error);
        // The failed attempt may have taken the canvas's WebGL context: a 2D context needs a fresh canvas.
        const fresh = this._canvas.cloneNode(false) as HTMLCanvasElement;
        this._canvas.replaceWith(fresh);
        this._canvas = fresh;
        this.wireFill(fresh);
        this.useCanvasEditor();
      });
  }

  /**
   * Sizes the stage to the largest box of a `rows × cols` slice's aspect in the space left to it; niivue then fits its
   * drawing buffer to the canvas. Hidden (no layout), the stage keeps the size it has.
   */
  fit(rows: number, cols: number): void {
    const { area, host } = this;
    if (!area || (!area.clientWidth && host.style.width)) return;
    // The host's border (content-box sizing) comes off the space.
    const [borderX, borderY] = [host.offsetWidth - host.clientWidth, host.offsetHeight - host.clientHeight];
    const [w, h] = fitSlice(rows, cols, area.clientWidth - borderX, area.clientHeight - borderY);
    const [width, height] = [`${w}px`, `${h}px`];
    if (host.style.width === width && host.style.height === height) return;
    host.style.width = width;
    host.style.height = height;
    this.editor?.resize();
  }

  /** The tool, the label it paints and the brush diameter. */
  setTool(tool: AnnotationTool, label: number, size: number): void {
    this.tool = { tool, label, size };
    this.applyTool();
  }

  /** Opacity of the prediction and confidence overlays (the 2D canvas takes it from the next `render`). */
  setOpacity(prediction: number, confidence: number): void {
    this.opacity = { prediction, confidence };
    this.editor?.setOpacity(prediction, confidence);
  }

  /** Loads a slice into niivue (when it is the editor): image, overlays, and the labels as its drawing; false if another load overtook it. */
  async load(view: CanvasSliceView): Promise<boolean> {
    const editor = this.editor;
    if (!editor) return false;
    const generation = ++this.loads;
    const labels = view.labels ?? new Uint8Array(view.rows * view.cols).fill(UNLABELLED);
    await editor.showSlice(view.rows, view.cols, view.data, labels);
    if (generation !== this.loads) return false;
    this.loaded = { axis: view.axis, slice: view.slice };
    return true;
  }

  /** Whether the editor shows this slice (so that edits there are edits of it). */
  shows(axis: OrthogonalAxis, slice: number): boolean {
    return this.state === 'canvas' || (this.loaded?.axis === axis && this.loaded.slice === slice);
  }

  /** Shows the slice's current labels (and in the 2D canvas its layers and overlays); `data-loaded` follows. */
  render(view: CanvasSliceView): void {
    if (this.state === 'niivue') {
      const shown = this.shows(view.axis, view.slice);
      this._canvas.dataset.loaded = String(!!view.data && shown);
      if (shown && view.labels) this.editor?.setLabels(view.labels);
      return;
    }
    this._canvas.dataset.loaded = String(!!view.data && this.state === 'canvas');
    // Until the editor is chosen the canvas must not get a 2D context (niivue needs its WebGL2 one).
    this.canvasEditor?.render(view);
  }

  /** Releases the editor (niivue's WebGL context). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.editor?.dispose();
    this.editor = undefined;
    this.canvasEditor?.dispose();
  }

  private useCanvasEditor(): void {
    this.state = 'canvas';
    this._canvas.dataset.renderer = 'canvas';
    this.canvasEditor = new CanvasSliceEditor(this._canvas, { onStroke: stroke => this.options.onStroke(stroke) });
    this.applyTool();
    this.options.onReady?.();
  }

  private applyTool(): void {
    const { tool, label, size } = this.tool;
    this.editor?.setTool(tool, label, size);
    this.canvasEditor?.setTool(tool, label, size);
  }

  /** A finished niivue stroke, on the slice niivue shows. */
  private onNiivueEdit(edits: LabelEdit[]): void {
    if (this.loaded) this.options.onEdits(this.loaded.axis, this.loaded.slice, edits);
  }

  /** A click with the fill tool, in both editors (their own listeners paint brush and eraser strokes). */
  private wireFill(canvas: HTMLCanvasElement): void {
    canvas.addEventListener('pointerdown', e => {
      if (e.button !== 0 || this.tool.tool !== 'fill') return;
      const point = (this.editor ?? this.canvasEditor)?.pixelAt(e.clientX, e.clientY);
      if (point) this.options.onFill(point);
    });
  }

  private _canvas: HTMLCanvasElement;
  private area?: HTMLElement;
  private state: 'undecided' | 'pending' | SliceRenderer = 'undecided';
  private editor?: NiivueSliceEditor;
  private canvasEditor?: CanvasSliceEditor;
  /** The slice niivue shows, once its layers are loaded. */
  private loaded?: { axis: OrthogonalAxis; slice: number };
  private loads = 0;
  private disposed = false;
  private tool: { tool: AnnotationTool; label: number; size: number } = { tool: 'brush', label: 1, size: 5 };
  private opacity = { prediction: 0.3, confidence: 0 };
}

export namespace SliceStage {
  /** The stage's editor and where its edits go. */
  export interface IOptions {
    /** 'auto' (default: niivue where WebGL2 is available, else the 2D canvas), or one of them. */
    renderer?: 'auto' | SliceRenderer;
    /** An editor was chosen and paints. */
    onReady?: () => void;
    /** A finished niivue stroke: its changed pixels on that slice. */
    onEdits: (axis: OrthogonalAxis, slice: number, edits: LabelEdit[]) => void;
    /** A finished 2D canvas stroke. */
    onStroke: (stroke: CanvasStroke) => void;
    /** A click with the fill tool on a pixel [row, col] of the slice shown. */
    onFill: (point: StrokePoint) => void;
  }
}

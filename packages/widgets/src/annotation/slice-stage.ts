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
  constructor(private readonly _options: SliceStage.IOptions) {
    this.host = document.createElement('div');
    this.host.className = 'mdlma-AnnotationPanel-canvas-host';
    this.host.dataset.part = 'canvas-host';
    this._canvas = document.createElement('canvas');
    this._canvas.className = 'mdlma-AnnotationPanel-canvas';
    this._canvas.dataset.part = 'canvas';
    this._canvas.dataset.loaded = 'false';
    this.host.append(this._canvas);
    this._wireFill(this._canvas);
  }

  /** The stage's element: the box the canvas fills, sized by `fit`. */
  readonly host: HTMLElement;

  /** Whether the stage is in the page, in its area. */
  get mounted(): boolean {
    return !!this._area?.isConnected && this.host.parentElement === this._area;
  }

  /** Puts the stage into `area`, the space the panel leaves it (its size must not depend on the stage's; see annotation.css). */
  mount(area: HTMLElement): void {
    this._area = area;
    if (this.host.parentElement !== area) area.append(this.host);
  }

  /** The slice canvas (a fresh one if niivue failed on the first). */
  get canvas(): HTMLCanvasElement {
    return this._canvas;
  }

  /** What the slice editor draws with (undefined until it is chosen). */
  get renderer(): SliceRenderer | undefined {
    return this._state === 'niivue' || this._state === 'canvas' ? this._state : undefined;
  }

  /**
   * Chooses the editor, once: niivue where WebGL2 exists (and `renderer` is not 'canvas'), else, or if niivue fails
   * to start, the 2D canvas. `onReady` follows when one paints. Call it with the canvas in the page, sized (`fit`).
   */
  start(classes: number): void {
    if (this._state !== 'undecided') return;
    if (this._options.renderer === 'canvas' || typeof WebGL2RenderingContext === 'undefined') {
      this._useCanvasEditor();
      return;
    }
    this._state = 'pending';
    NiivueSliceEditor.create(this._canvas, { classes, colorOf, onEdit: edits => this._onNiivueEdit(edits) })
      .then(editor => {
        if (this._disposed) return editor.dispose();
        this._editor = editor;
        this._state = 'niivue';
        this._canvas.dataset.renderer = 'niivue';
        this._applyTool();
        editor.setOpacity(this._opacity.prediction, this._opacity.confidence);
        this._options.onReady?.();
      })
      .catch(error => {
        console.warn('MDLMA annotation panel: niivue did not start; painting on a 2D canvas instead.', error);
        // The failed attempt may have taken the canvas's WebGL context: a 2D context needs a fresh canvas.
        const fresh = this._canvas.cloneNode(false) as HTMLCanvasElement;
        this._canvas.replaceWith(fresh);
        this._canvas = fresh;
        this._wireFill(fresh);
        this._useCanvasEditor();
      });
  }

  /**
   * Sizes the stage to the largest box of a `rows × cols` slice's aspect in the space left to it; niivue then fits its
   * drawing buffer to the canvas. Hidden (no layout), the stage keeps the size it has.
   */
  fit(rows: number, cols: number): void {
    const { _area, host } = this;
    if (!_area || (!_area.clientWidth && host.style.width)) return;
    // The host's border (content-box sizing) comes off the space.
    const [borderX, borderY] = [host.offsetWidth - host.clientWidth, host.offsetHeight - host.clientHeight];
    const [w, h] = fitSlice(rows, cols, _area.clientWidth - borderX, _area.clientHeight - borderY);
    const [width, height] = [`${w}px`, `${h}px`];
    if (host.style.width === width && host.style.height === height) return;
    host.style.width = width;
    host.style.height = height;
    this._editor?.resize();
  }

  /** The tool, the label it paints and the brush diameter. */
  setTool(tool: AnnotationTool, label: number, size: number): void {
    this._tool = { tool, label, size };
    this._applyTool();
  }

  /** Opacity of the prediction and confidence overlays (the 2D canvas takes it from the next `render`). */
  setOpacity(prediction: number, confidence: number): void {
    this._opacity = { prediction, confidence };
    this._editor?.setOpacity(prediction, confidence);
  }

  /** Loads a slice into niivue (when it is the editor): image, overlays, and the labels as its drawing; false if another load overtook it. */
  async load(view: CanvasSliceView): Promise<boolean> {
    const editor = this._editor;
    if (!editor) return false;
    const generation = ++this._loads;
    const labels = view.labels ?? new Uint8Array(view.rows * view.cols).fill(UNLABELLED);
    await editor.showSlice(view.rows, view.cols, view.data, labels);
    if (generation !== this._loads) return false;
    this._loaded = { axis: view.axis, slice: view.slice };
    return true;
  }

  /** Whether the editor shows this slice (so that edits there are edits of it). */
  shows(axis: OrthogonalAxis, slice: number): boolean {
    return this._state === 'canvas' || (this._loaded?.axis === axis && this._loaded.slice === slice);
  }

  /** Shows the slice's current labels (and in the 2D canvas its layers and overlays); `data-loaded` follows. */
  render(view: CanvasSliceView): void {
    if (this._state === 'niivue') {
      const shown = this.shows(view.axis, view.slice);
      this._canvas.dataset.loaded = String(!!view.data && shown);
      if (shown && view.labels) this._editor?.setLabels(view.labels);
      return;
    }
    this._canvas.dataset.loaded = String(!!view.data && this._state === 'canvas');
    // Until the editor is chosen the canvas must not get a 2D context (niivue needs its WebGL2 one).
    this._canvasEditor?.render(view);
  }

  /** Releases the editor (niivue's WebGL context). */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._editor?.dispose();
    this._editor = undefined;
    this._canvasEditor?.dispose();
  }

  private _useCanvasEditor(): void {
    this._state = 'canvas';
    this._canvas.dataset.renderer = 'canvas';
    this._canvasEditor = new CanvasSliceEditor(this._canvas, { onStroke: stroke => this._options.onStroke(stroke) });
    this._applyTool();
    this._options.onReady?.();
  }

  private _applyTool(): void {
    const { tool, label, size } = this._tool;
    this._editor?.setTool(tool, label, size);
    this._canvasEditor?.setTool(tool, label, size);
  }

  /** A finished niivue stroke, on the slice niivue shows. */
  private _onNiivueEdit(edits: LabelEdit[]): void {
    if (this._loaded) this._options.onEdits(this._loaded.axis, this._loaded.slice, edits);
  }

  /** A click with the fill tool, in both editors (their own listeners paint brush and eraser strokes). */
  private _wireFill(canvas: HTMLCanvasElement): void {
    canvas.addEventListener('pointerdown', e => {
      if (e.button !== 0 || this._tool.tool !== 'fill') return;
      const point = (this._editor ?? this._canvasEditor)?.pixelAt(e.clientX, e.clientY);
      if (point) this._options.onFill(point);
    });
  }

  private _canvas: HTMLCanvasElement;
  private _area?: HTMLElement;
  private _state: 'undecided' | 'pending' | SliceRenderer = 'undecided';
  private _editor?: NiivueSliceEditor;
  private _canvasEditor?: CanvasSliceEditor;
  /** The slice niivue shows, once its layers are loaded. */
  private _loaded?: { axis: OrthogonalAxis; slice: number };
  private _loads = 0;
  private _disposed = false;
  private _tool: { tool: AnnotationTool; label: number; size: number } = { tool: 'brush', label: 1, size: 5 };
  private _opacity = { prediction: 0.3, confidence: 0 };
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

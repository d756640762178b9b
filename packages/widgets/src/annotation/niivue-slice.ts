/**
 * The annotation panel's slice editor on niivue (0.69): one niivue instance on the panel's canvas, showing the current
 * slice as a one-slice volume (drawing-bitmap.ts: [cols, rows, 1], row 0 at the top) with the prediction (label
 * colours) and the confidence (the viewer's uncertainty map) as overlays, and the slice's annotations as niivue's
 * drawing bitmap (drawing value = label + 1, 0 = unlabelled; drawing colours from the panel's palette).
 *
 * Painting is niivue's pen (drawing enabled, pen value = label + 1, the eraser pen value 0), but with our round brush:
 * niivue's own pen stamps a square of side 2 * floor(size / 2) + 1 (PenTool.drawPoint), so this editor replaces the
 * instance's `drawPt` / `drawPenLine` with the panel's disc (brush.ts), at the brush-size control's diameter. When a
 * stroke ends (niivue's `onDrawingChanged('draw')`, or the pointer lifting anywhere), the drawing is compared with the
 * labels it was made from and the changed pixels go to `onEdit`: the panel makes them one document operation, so undo
 * and redo stay the document's (per user, Y.UndoManager) and the kernel gets the stroke as before. niivue's own undo
 * (`drawUndo`) is never called and niivue 0.69 binds no undo key; its other canvas key handlers (h/j/k/l crosshair
 * moves, m drag modes, v view modes, c clip planes) are switched off, so keys are the panel's alone. Document changes (other users, undo, redo,
 * accept prediction, fill) come back through `setLabels`, which rewrites the drawing bitmap and calls
 * `refreshDrawing`; while a stroke is in progress they wait for its end.
 *
 * @example
 * const editor = await NiivueSliceEditor.create(canvas, { colors: label => colorOf(label), onEdit: edits => … });
 * await editor.showSlice(rows, cols, sliceData, doc.sliceLabels('z', 20));
 * editor.setTool('brush', 2, 5);
 */
import { UNCERTAINTY_COLORMAP, uncertaintyColormap, hexToRgb, type ColorTable } from '../viewer/colormaps';
import { forEachBrushPixel, type StrokePoint } from './brush';
import { drawingFromLabels, editsFromDrawing, niftiSlice, penValueOf, type LabelEdit } from './drawing-bitmap';
import { type SliceData } from './slice-image';

type NiivueModule = typeof import('@niivue/niivue');
type Niivue = InstanceType<NiivueModule['Niivue']>;
type NVImage = InstanceType<NiivueModule['NVImage']>;

/** What the editor paints with. */
export type EditorTool = 'brush' | 'eraser' | 'fill';

/** The slice editor on niivue; see the module header. */
export class NiivueSliceEditor {
  private constructor(private readonly _nv: Niivue, private readonly _module: NiivueModule, readonly canvas: HTMLCanvasElement, private readonly _options: NiivueSliceEditor.IOptions) {
    const nvAny = _nv as unknown as Record<string, unknown>;
    // The round brush instead of niivue's square pen (same arguments: voxel [x, y, z] of the one-slice volume).
    nvAny.drawPt = (x: number, y: number, _z: number, penValue: number) => this._stamp([[y + 0.5, x + 0.5]], penValue);
    nvAny.drawPenLine = (a: number[], b: number[], penValue: number) =>
      this._stamp(
        [
          [b[1] + 0.5, b[0] + 0.5],
          [a[1] + 0.5, a[0] + 0.5]
        ],
        penValue
      );
    _nv.onDrawingChanged = (action: string) => action === 'draw' && this._endStroke();
    canvas.addEventListener('pointerdown', this._onPointerDown);
    window.addEventListener('pointerup', this._onPointerUp);
    window.addEventListener('pointercancel', this._onPointerUp);
  }

  /** Attaches niivue to `canvas` (in the document); rejects where WebGL2 or niivue is not available. */
  static async create(canvas: HTMLCanvasElement, options: NiivueSliceEditor.IOptions): Promise<NiivueSliceEditor> {
    const module = await import('@niivue/niivue');
    const nv = new module.Niivue({
      backColor: [0.08, 0.08, 0.08, 1],
      isColorbar: false,
      loadingText: '',
      dragAndDropEnabled: false,
      isResizeCanvas: true,
      show3Dcrosshair: false,
      crosshairWidth: 0,
      isOrientationTextVisible: false,
      isRuler: false,
      multiplanarShowRender: module.SHOW_RENDER.NEVER,
      dragMode: module.DRAG_MODE.none,
      drawingEnabled: false,
      penSize: 1,
      maxDrawUndoBitmaps: 2
    } as never);
    // Keys are the panel's: niivue's canvas listeners (h/j/k/l crosshair, m drag modes, v view modes, c clip planes)
    // are bound when it attaches, so they are switched off on the instance first.
    const keys = nv as unknown as Record<string, unknown>;
    keys.keyDownListener = () => undefined;
    keys.keyUpListener = () => undefined;
    await nv.attachToCanvas(canvas, false);
    nv.addColormap(UNCERTAINTY_COLORMAP, uncertaintyColormap());
    nv.setInterpolation(true); // nearest: pixels stay pixels
    nv.setSliceType(nv.sliceTypeAxial);
    const editor = new NiivueSliceEditor(nv, module, canvas, options);
    nv.setDrawColormap(editor._drawColormap() as never);
    nv.setDrawOpacity(0.75);
    return editor;
  }

  /** [rows, cols] of the slice shown. */
  get sliceShape(): [number, number] | undefined {
    return this._shape;
  }

  /** Whether a stroke is in progress (document changes wait for its end). */
  get stroking(): boolean {
    return this._stroking;
  }

  /** Shows a slice: image (background), prediction and confidence (overlays), and its labels as the drawing. */
  async showSlice(rows: number, cols: number, data: SliceData | undefined, labels: ArrayLike<number>): Promise<void> {
    const generation = ++this._generation;
    const image = data?.image ?? new Float32Array(rows * cols);
    const [lo, hi] = Private.window(image);
    const load = (name: string, bytes: ArrayBuffer, settings: Record<string, unknown>) =>
      this._module.NVImage.loadFromUrl({ url: `${name}.nii`, buffer: bytes, name, trustCalMinMax: true, ...settings } as never);
    const images: NVImage[] = [await load('image', niftiSlice(image, rows, cols), { colormap: 'gray', cal_min: lo, cal_max: hi, opacity: 1 })];
    if (data?.prediction) {
      const prediction = await load('prediction', niftiSlice(data.prediction, rows, cols), { colormap: 'gray', opacity: this._opacity.prediction, cal_min: 0, cal_max: 255 });
      prediction.setColormapLabel(this._labelColormap() as never);
      images.push(prediction);
    }
    if (data?.confidence) images.push(await load('confidence', niftiSlice(data.confidence, rows, cols), { colormap: UNCERTAINTY_COLORMAP, opacity: this._opacity.confidence, cal_min: 0, cal_max: 255 }));
    if (generation !== this._generation || this._disposed) return;
    const nv = this._nv as unknown as { updateGLVolume: () => void };
    // One GPU refresh for all layers (addVolume/removeVolume each refresh otherwise).
    nv.updateGLVolume = () => undefined;
    try {
      for (const old of [...this._nv.volumes]) this._nv.removeVolume(old);
      for (const image of images) this._nv.addVolume(image);
    } finally {
      delete (nv as { updateGLVolume?: unknown }).updateGLVolume;
    }
    this._layers = { prediction: images.find(i => i.name === 'prediction'), confidence: images.find(i => i.name === 'confidence') };
    this._nv.updateGLVolume();
    this._shape = [rows, cols];
    this._nv.createEmptyDrawing();
    this._stroking = false;
    this._pendingLabels = undefined;
    this.setLabels(labels);
    this._applyTool();
  }

  /** Shows these labels (the document's, of the slice shown) as the drawing; waits while a stroke is in progress. */
  setLabels(labels: ArrayLike<number>): void {
    if (!this._shape) return;
    const [rows, cols] = this._shape;
    if (labels.length !== rows * cols) return;
    if (this._stroking) {
      this._pendingLabels = Uint8Array.from(labels);
      return;
    }
    this._synced = Uint8Array.from(labels);
    const bitmap = (this._nv as unknown as { drawBitmap: Uint8Array | null }).drawBitmap;
    if (!bitmap || bitmap.length !== rows * cols) return;
    drawingFromLabels(this._synced, rows, cols, bitmap);
    this._nv.refreshDrawing(true);
  }

  /** The tool, the brush's label and its diameter: niivue's drawing is on for brush and eraser, off for fill. */
  setTool(tool: EditorTool, label: number, size: number): void {
    const t = this._tool;
    if (t.tool === tool && t.label === label && t.size === size) return;
    this._tool = { tool, label, size };
    this._applyTool();
  }

  /** Opacity of the prediction and confidence overlays. */
  setOpacity(prediction: number, confidence: number): void {
    this._opacity = { prediction, confidence };
    if (this._layers.prediction) this._layers.prediction.opacity = prediction;
    if (this._layers.confidence) this._layers.confidence.opacity = confidence;
    if (this._layers.prediction || this._layers.confidence) this._nv.updateGLVolume();
  }

  /** The slice pixel [row, col] (centre, as a stroke point) under a point of the page, if it is on the slice. */
  pixelAt(clientX: number, clientY: number): StrokePoint | undefined {
    if (!this._shape || !this._nv.volumes.length) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    const ratio = this.canvas.width / (rect.width || 1);
    const frac = this._nv.canvasPos2frac([(clientX - rect.left) * ratio, (clientY - rect.top) * ratio]) as unknown as number[];
    if (!frac || frac[0] < 0) return undefined;
    const [x, y] = this._nv.frac2vox(frac as never) as unknown as number[];
    const [rows, cols] = this._shape;
    const col = Math.round(x);
    const row = rows - 1 - Math.round(y);
    if (row < 0 || row >= rows || col < 0 || col >= cols) return undefined;
    return [row + 0.5, col + 0.5];
  }

  /** Fits the canvas to its (resized) parent and draws. */
  resize(): void {
    this._nv.resizeListener();
  }

  /** Releases niivue and its WebGL context. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    window.removeEventListener('pointerup', this._onPointerUp);
    window.removeEventListener('pointercancel', this._onPointerUp);
    this.canvas.removeEventListener('pointerdown', this._onPointerDown);
    const gl = this._nv.gl as WebGL2RenderingContext | null;
    try {
      this._nv.cleanup();
    } finally {
      gl?.getExtension('WEBGL_lose_context')?.loseContext();
    }
  }

  private _applyTool(): void {
    const { tool, label, size } = this._tool;
    const drawing = tool !== 'fill' && !!this._shape;
    this._nv.opts.penSize = size;
    this._nv.setPenValue(tool === 'eraser' ? 0 : penValueOf(label), false);
    this._nv.setDrawingEnabled(drawing);
  }

  /** Paints the brush disc along a path of niivue voxel centres [y + .5, x + .5] into the drawing bitmap. */
  private _stamp(path: StrokePoint[], penValue: number): void {
    const bitmap = (this._nv as unknown as { drawBitmap: Uint8Array | null }).drawBitmap;
    if (!bitmap || !this._shape) return;
    const [rows, cols] = this._shape;
    // niivue's drawing rows are the slice's rows flipped: the disc is symmetric, so it is stamped there directly.
    forEachBrushPixel(rows, cols, path, this._tool.size, p => (bitmap[p] = penValue));
  }

  private readonly _onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0 || this._tool.tool === 'fill' || !this._shape) return;
    this._stroking = true;
    // The stroke's pointer (and its mouse events, which niivue listens to) stays with the canvas until it lifts,
    // even where the canvas is covered or clipped: the stroke neither breaks off nor ends outside.
    this.canvas.setPointerCapture?.(e.pointerId);
  };

  // niivue ends its stroke on the canvas's mouseup; a pointer lifted elsewhere ends ours too (after niivue's).
  private readonly _onPointerUp = () => {
    if (this._stroking) setTimeout(() => this._endStroke(), 0);
  };

  /** The stroke's changed pixels to `onEdit`, then the labels that came meanwhile. */
  private _endStroke(): void {
    if (!this._stroking) return;
    this._stroking = false;
    const bitmap = (this._nv as unknown as { drawBitmap: Uint8Array | null }).drawBitmap;
    if (bitmap && this._shape && this._synced) {
      const [rows, cols] = this._shape;
      const edits = editsFromDrawing(bitmap, this._synced, rows, cols);
      if (edits.length) this._options.onEdit(edits);
    }
    const pending = this._pendingLabels;
    this._pendingLabels = undefined;
    if (pending) this.setLabels(pending);
  }

  /** Drawing colours: 0 transparent (unlabelled), value l + 1 the colour of label l. */
  private _drawColormap(): ColorTable {
    const unlabelled: ColorTable = { R: [0], G: [0], B: [0], A: [0], I: [0] };
    return Private.classColors(unlabelled, this._options, label => ({ value: label + 1, alpha: 255 }));
  }

  /** Prediction colours: label 0 (background) transparent, as the 2D compositing shows it. */
  private _labelColormap(): ColorTable {
    return Private.classColors({ R: [], G: [], B: [], A: [], I: [] }, this._options, label => ({ value: label, alpha: label === 0 ? 0 : 255 }));
  }

  private _shape?: [number, number];
  private _synced?: Uint8Array;
  private _pendingLabels?: Uint8Array;
  private _stroking = false;
  private _generation = 0;
  private _disposed = false;
  private _tool: { tool: EditorTool; label: number; size: number } = { tool: 'brush', label: 1, size: 5 };
  private _opacity = { prediction: 0.3, confidence: 0 };
  private _layers: { prediction?: NVImage; confidence?: NVImage } = {};
}

export namespace NiivueSliceEditor {
  /** Options of `NiivueSliceEditor.create`. */
  export interface IOptions {
    /** Number of classes (labels 0..classes-1). */
    classes: number;
    /** `#rrggbb` of a label (the panel's palette). */
    colorOf: (label: number) => string;
    /** A finished stroke: the pixels it changed, per new label (255 = erased). */
    onEdit: (edits: LabelEdit[]) => void;
  }
}

namespace Private {
  /** `table` with one entry per class appended: the palette's colour of the label, at the value and alpha `entry` gives. */
  export function classColors(
    table: ColorTable,
    options: Pick<NiivueSliceEditor.IOptions, 'classes' | 'colorOf'>,
    entry: (label: number) => { value: number; alpha: number }
  ): ColorTable {
    for (let label = 0; label < options.classes; label++) {
      const [r, g, b] = hexToRgb(options.colorOf(label));
      const { value, alpha } = entry(label);
      table.R.push(r);
      table.G.push(g);
      table.B.push(b);
      table.A.push(alpha);
      table.I.push(value);
    }
    return table;
  }

  /** The 1st and 99th percentiles (the 2D compositing's grey window). */
  export function window(image: Float32Array): [number, number] {
    const sorted = Float32Array.from(image).sort();
    const lo = sorted[Math.floor(sorted.length * 0.01)] ?? 0;
    const hi = sorted[Math.floor(sorted.length * 0.99)] ?? 1;
    return hi > lo ? [lo, hi] : [lo, lo + 1];
  }
}
